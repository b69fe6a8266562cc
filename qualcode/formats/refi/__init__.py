"""REFI-QDA exchange: codebooks (.qdc) and projects (.qdpx) shared with NVivo, ATLAS.ti, MAXQDA,
QualCoder and others.

``export_*`` write deterministic files that validate against the standard's XSDs; ``import_*`` read
what other tools write, merge it into the project by GUID then by name in one transaction, and
return an :class:`ImportSummary` listing what was added, merged and skipped, with warnings.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.formats.refi.importer import ImportSummary

if TYPE_CHECKING:
    from qualcode.db import Project

__all__ = [
    "ImportSummary",
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


def export_project(project: Project, path: Path | str) -> Path:
    """Write the whole project as .qdpx: project.qde plus sources/<guid>.txt (UTF-8)."""
    from qualcode.formats.refi.writer import project_xml, write_qdpx

    path = Path(path)
    with _bulk_work(), project.session(write=False) as session:
        qde, files = project_xml(session)
    write_qdpx(path, qde, files)
    return path


def import_codebook(project: Project, path: Path | str) -> ImportSummary:
    """Merge a .qdc codebook's codes and sets (themes) into the project, all or nothing."""
    from qualcode.formats.refi.importer import store
    from qualcode.formats.refi.reader import read_codebook

    doc = read_codebook(Path(path))
    return project.transaction(lambda session: store(session, doc, codebook_only=True))


def import_project(project: Project, path: Path | str) -> ImportSummary:
    """Merge a .qdpx (users, codes, sets, cases, sources, codings, notes), all or nothing."""
    from qualcode.formats.refi.importer import store
    from qualcode.formats.refi.reader import read_project

    with _bulk_work():
        doc = read_project(Path(path))
        return project.transaction(lambda session: store(session, doc, codebook_only=False))
