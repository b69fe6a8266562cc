"""REFI-QDA exchange: codebooks (.qdc) and projects (.qdpx) shared with NVivo, ATLAS.ti, MAXQDA,
QualCoder and others.

``export_*`` write deterministic files that validate against the standard's XSDs; ``import_*`` read
what other tools write, merge it into the project by GUID then by name in one transaction, and
return an :class:`ImportSummary` listing what was added, merged and skipped, with warnings.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from qualcode.formats.refi.importer import ImportSummary, NothingImported

if TYPE_CHECKING:
    from qualcode.db import Project

T = TypeVar("T")

__all__ = [
    "ImportSummary",
    "NothingImported",
    "export_codebook",
    "export_project",
    "import_codebook",
    "import_project",
]


@contextlib.contextmanager
def _bulk_work() -> Iterator[None]:
    """Pause the cyclic garbage collector: a big import makes millions of acyclic objects, and
    repeated full collections over them cost more than the import itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def export_codebook(project: Project, path: Path | str) -> Path:
    """Write the codebook (codes with hierarchy, colours, definitions; themes as sets) as .qdc."""
    from qualcode.formats.refi.writer import atomic_write, codebook_xml

    path = Path(path)
    with project.session(write=False) as session:
        data = codebook_xml(session)
    atomic_write(path, lambda tmp: tmp.write_bytes(data))
    return path


def export_project(project: Project, path: Path | str, target: str = "standard") -> Path:
    """Write the whole project as .qdpx: project.qde plus sources/<guid>.txt (UTF-8), with
    positions counted as ``target`` reads them (standard, nvivo, atlas, maxqda)."""
    from qualcode.errors import InputError
    from qualcode.formats.refi.positions import TARGETS
    from qualcode.formats.refi.writer import project_xml, write_qdpx

    if target not in TARGETS:
        raise InputError(f"--for {target}: not one of {', '.join(TARGETS)}")
    path = Path(path)
    with _bulk_work(), project.session(write=False) as session:
        qde, files = project_xml(session, target)
    write_qdpx(path, qde, files)
    return path


def _one_line(project: Project, label: str, work: Callable[[], T]) -> T:
    """Run an import; a database-level error (through SQLAlchemy, or from the driver itself
    during a COPY) becomes one line naming the file; the transaction is rolled back, so the
    project is as it was."""
    from sqlalchemy.exc import SQLAlchemyError

    from qualcode.errors import InputError

    driver_error = project.engine.dialect.loaded_dbapi.Error
    try:
        return work()
    except (SQLAlchemyError, driver_error) as exc:
        cause = getattr(exc, "orig", None) or exc
        first = (str(cause).strip().splitlines() or [""])[0][:200]
        raise InputError(
            f"{label}: the database refused the import ({type(cause).__name__}: {first}); "
            "nothing was imported"
        ) from None


def import_codebook(project: Project, path: Path | str) -> ImportSummary:
    """Merge a .qdc codebook's codes and sets (themes) into the project, all or nothing.

    Raises ``NothingImported`` (an InputError, rolled back) when it would add nothing."""
    from qualcode.formats.refi.importer import store_codebook
    from qualcode.formats.refi.reader import read_codebook

    doc = read_codebook(Path(path))
    return _one_line(
        project,
        str(path),
        lambda: project.transaction(lambda session: store_codebook(session, doc)),
    )


def import_project(
    project: Project, path: Path | str, *, allow_outside: Path | str | None = None
) -> ImportSummary:
    """Merge a .qdpx (users, codes, sets, cases, sources, codings, notes), all or nothing.

    The XML is streamed and written in batches inside one transaction. A bare .qde may read
    texts beside itself only inside ``allow_outside``. Raises ``NothingImported`` (rolled back)
    when the file adds nothing."""
    from qualcode.formats.refi.importer import import_stream

    path = Path(path)
    outside = Path(allow_outside) if allow_outside else None
    with _bulk_work():
        return _one_line(
            project,
            str(path),
            lambda: project.transaction(
                lambda session: import_stream(session, path, str(path), allow_outside=outside)
            ),
        )
