"""The example project: the model thesis's interviewees, notes, codebook and codings, built fresh.

Inputs ship with the package: ``examples/participants.csv`` (Appendix A), ``examples/notes/*.md``
(each expert's passages quoted in Appendix B) and ``codebooks/thesis-appendix-b.yaml``. Every code's
example quote is found by exact match in its expert's notes and coded with that code, so the
project holds one coding per quoted code, all by the coder "Thesis team".

A demo project is marked by a setting, so rebuilding replaces an earlier demo and refuses to touch
any other project.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode import codebook_sync
from qualcode.errors import InputError, ProjectError
from qualcode.formats import codebook_files
from qualcode.models import Base, Code, Participant, Setting, Source

if TYPE_CHECKING:
    from qualcode.db import Project

CODER = "Thesis team"
DEMO_SETTING = "demo"
DEMO_VALUE = "kazakhstan-migration-thesis"
DEFAULT_DB = "qualcode-demo.db"


def examples_dir() -> Path:
    return Path(str(resources.files("qualcode.examples")))


def codebook_path() -> Path:
    return Path(str(resources.files("qualcode.codebooks"))) / "thesis-appendix-b.yaml"


@dataclass
class DemoSummary:
    participants: int
    sources: int
    codes: int
    codings: int

    def __str__(self) -> str:
        return (
            f"{self.participants} participants, {self.sources} sources, {self.codes} codes, "
            f"{self.codings} codings by {CODER}"
        )


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote sits in notes: as a whole paragraph if it is one, else its first match."""
    for start in _occurrences(text, quote):
        end = start + len(quote)
        if (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n"):
            return start, end
    start = text.find(quote)
    return (start, start + len(quote)) if start >= 0 else None


def _occurrences(text: str, needle: str):
    start = text.find(needle)
    while start >= 0:
        yield start
        start = text.find(needle, start + 1)


def _is_demo(project: Project) -> bool | None:
    """True for a demo project, False for another project with content, None when empty."""
    from sqlalchemy import inspect

    with project.session(write=False) as session:
        if not inspect(session.connection()).has_table("settings"):
            return None
        if session.get(Setting, DEMO_SETTING) is not None:
            return True
        used = any(
            session.scalar(select(func.count()).select_from(model))
            for model in (Participant, Source, Code)
        )
    return False if used else None


def fresh_project(db: str) -> Project:
    """An empty project at ``db``: an earlier demo there is replaced, any other project refused."""
    from qualcode.db import open_project

    path = None if "://" in db else Path(db)
    if path is not None and not path.exists():
        return open_project(db)
    project = open_project(db)
    state = _is_demo(project)
    if state is False:
        project.close()
        raise ProjectError(f"{db}: holds a project that is not the demo; give another --db")
    if state is None:
        return project
    if path is not None:
        project.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return open_project(db)
    with project.engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    project.close()
    return open_project(db)


def build(project: Project) -> DemoSummary:
    """Fill an empty project with the example inputs, in one transaction."""
    from qualcode import participants

    people = participants.read_csv(examples_dir() / "participants.csv")
    book = codebook_files.load(codebook_path())
    return project.transaction(lambda session: _fill(session, people, book))


def _notes_file(pseudonym: str) -> Path:
    return examples_dir() / "notes" / f"{pseudonym.lower().replace(' ', '-')}.md"


def _fill(session: Session, people: list[dict], book: codebook_sync.Codebook) -> DemoSummary:
    from qualcode import coding, lookup, participants, sources
    from qualcode.formats import files

    session.add(Setting(key=DEMO_SETTING, value=DEMO_VALUE))
    for position, row in enumerate(people, start=1):
        participants.upsert(session, row, position)
    codebook_sync.apply_codebook(session, book, str(codebook_path()))
    by_participant: dict[str, Source] = {}
    for row in people:
        pseudonym = str(row["pseudonym"])
        path = _notes_file(pseudonym)
        text, data = files.read_file(path)
        options = sources.SourceOptions(participant=pseudonym, kind="interview")
        # segmented as `qualcode import` does, so addresses (pN, sN) and sentences work here too
        item = sources.Incoming(text, f"{pseudonym} notes", str(path))
        ready = sources.segment(item, options)
        added = sources.add_source(
            session,
            text,
            title=item.title,
            options=options,
            imported_from=f"examples/notes/{path.name}",
            digest=sources.checksum(data),
            label=str(path),
            language=ready.segmentation.language,
        )
        sources.store_units(session, added.id, ready, options)
        by_participant[pseudonym.lower()] = added
    coder = lookup.coder(session, CODER)
    codings = 0
    for entry in book.codes:
        if entry.quote is None or entry.participant is None or entry.status != "active":
            continue
        source = by_participant.get(entry.participant.lower())
        if source is None:
            raise InputError(f"{entry.name!r}: no notes for {entry.participant}")
        where = find_quote(source.text, entry.quote)
        if where is None:
            raise InputError(f"{entry.name!r}: its quote is not in {source.title!r}")
        code = lookup.get_code(session, entry.name)
        target = coding.Target(source.id, *where)
        coding.apply_code(session, target, code, coder, log=False)
        codings += 1
    return DemoSummary(
        participants=len(people),
        sources=len(by_participant),
        codes=len(book.codes),
        codings=codings,
    )


FUNNEL_NOTE = """\
The thesis (seed line 197) reports 556 code applications, combined into 226 unique codes,
of which 197 were used for the analysis. Appendix B as printed holds {codes} codes whose
reported counts sum to {count} ({empty} counts are unreadable or missing, left empty).
The appendix lists only the codes used, and the PDF extraction lost text, so neither
figure can be matched exactly: see codebooks/README.md."""


def funnel_note(project: Project) -> str:
    """The thesis's own funnel beside what the imported codebook holds."""
    with project.session(write=False) as session:
        codes, count, empty = session.execute(
            select(
                func.count(Code.id),
                func.coalesce(func.sum(Code.reported_count), 0),
                func.count(Code.id) - func.count(Code.reported_count),
            ).where(Code.status == "active")
        ).one()
    return FUNNEL_NOTE.format(codes=codes, count=count, empty=empty)
