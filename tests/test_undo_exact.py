"""Undo is exact: every action kind of the event log, undone, gives back the same database.

Each test dumps every table (every column of every row, ordered by primary key) before an action,
runs the action through the domain functions the CLI and the TUI call, undoes every event it
logged (newest first, as ``ctrl+z`` would), and compares the dump again. Redo then brings back
the state the action made. Only the event log itself differs (its rows are marked undone).
Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode import bulk, catalogue, codebook, coding, events, lookup, participants, team
from qualcode.codebook_sync import Codebook, CodeEntry, ThemeEntry, apply_codebook, set_heading
from qualcode.integrity import coded_spans_differences
from qualcode.models import Base, Code, Coder, Coding, Participant, Source, Theme
from qualcode.sources import SourceOptions, add_source

TEXT = (
    "Expert A said that migrants return home.\n\n"
    "Мигранты возвращаются домой после работы.\n\n"
    "Көші-қон саясаты өзгерді, дейді сарапшы."
)
# Columns that name a row or record when it was written, not what it holds.
IDENTITY = {"id", "guid", "created_at", "updated_at", "at"}
Dump = dict[str, list[tuple[Any, ...]]]


def meaning(column: str) -> bool:
    return column not in IDENTITY


def dump(session: Session, *, keep: Callable[[str], bool] = lambda _c: True) -> Dump:
    """Every row of every table but the event log, with the columns ``keep`` accepts, sorted."""
    out = {}
    for table in Base.metadata.sorted_tables:
        if table.name == "events":
            continue
        columns = [c for c in table.columns if keep(c.name)]
        rows = session.execute(select(*columns)).all()
        out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def strip(full: Dump, keep: Callable[[str], bool]) -> Dump:
    out = {}
    for table in Base.metadata.sorted_tables:
        if table.name == "events":
            continue
        wanted = [i for i, c in enumerate(table.columns) if keep(c.name)]
        out[table.name] = sorted((tuple(r[i] for i in wanted) for r in full[table.name]), key=repr)
    return out


def build(session: Session) -> None:
    """A small project: a participant, a source, two coders, codes in a theme tree, codings."""
    session.add(Participant(pseudonym="Expert A", position=1))
    session.flush()
    add_source(
        session,
        TEXT,
        title="expert-a",
        options=SourceOptions(participant="Expert A", language="ru"),
    )
    ann = lookup.coder(session, "Ann")
    lookup.coder(session, "Dana")
    policy = codebook.create_theme(session, "Policy")
    codebook.create_theme(session, "Миграция", parent=policy)
    for name in ("Return", "Возвращение", "Саясат"):
        codebook.assign_code(session, codebook.create_code(session, name), policy)
    coding.code_range(session, "expert-a:0-15", "Return", "Ann")
    coding.code_range(session, "expert-a:0-15", "Возвращение", "Ann")
    coding.code_range(session, "expert-a:16-40", "Возвращение", "Dana")
    coding.code_range(session, "expert-a:42-60", "Саясат", ann.name)


def code(session: Session, name: str) -> Code:
    return lookup.get_code(session, name)


def theme(session: Session, name: str) -> Theme:
    return lookup.get_theme(session, name)


def coder(session: Session, name: str) -> Coder:
    return session.scalars(select(Coder).where(Coder.name == name)).one()


def a_coding(session: Session, code_name: str) -> Coding:
    return session.scalars(
        select(Coding).where(Coding.code_id == code(session, code_name).id).order_by(Coding.id)
    ).first()


def write_bulk_csv(session: Session) -> None:
    rows = [
        bulk.Row(2, "expert-a", 16, 40, "Return", "Ann", "двое"),
        bulk.Row(3, "expert-a", 61, 80, "Жаңа код", "Dana", None),
    ]
    bulk.apply_rows(session, rows, label="codings.csv", coder_name="Ann")


def import_codebook(session: Session) -> None:
    book = Codebook(
        themes=[
            ThemeEntry("Policy", description="laws and their change"),
            ThemeEntry("Қайту", parent="Policy", heading="Return migration (printed)"),
        ],
        codes=[
            CodeEntry(
                "Return",
                themes=["Қайту"],
                count=7,
                participant="Expert B",
                quote="we came back",
                reconstructed=True,
                provenance="Appendix B, row 3",
                colour="#112233",
            ),
            CodeEntry("Саясат", status="excluded", reason="too broad"),
            CodeEntry("Новый", themes=["Policy"], count=2, participant="Expert A", quote="…"),
        ],
    )
    apply_codebook(session, book, "book.yaml")


ACTIONS: dict[str, Callable[[Session], object]] = {
    "coding.apply on a new excerpt": lambda s: coding.code_range(
        s, "expert-a:61-80", "Return", "Dana"
    ),
    "coding.apply on an existing excerpt": lambda s: coding.code_range(
        s, "expert-a:16-40", "Return", "Ann"
    ),
    "coding.remove": lambda s: coding.remove_coding(s, a_coding(s, "Return")),
    "coding.memo": lambda s: coding.set_memo(s, a_coding(s, "Саясат"), "сказал дважды"),
    "code.create": lambda s: codebook.create_code(s, "Жаңа", definition="new", colour="#abcdef"),
    "code.update": lambda s: codebook.update_code(
        s, code(s, "Return"), name="Return home", colour="#ff0000", parent_id=code(s, "Саясат").id
    ),
    "code.status exclude": lambda s: codebook.exclude_code(s, code(s, "Return"), "off topic"),
    "code.merge with a double": lambda s: codebook.merge_codes(
        s, code(s, "Return"), code(s, "Возвращение")
    ),
    "code.example": lambda s: codebook.set_example(
        s, code(s, "Return"), a_coding(s, "Return").excerpt
    ),
    "theme.create": lambda s: codebook.create_theme(s, "Экономика", parent=theme(s, "Policy")),
    "theme.nest": lambda s: codebook.nest_theme(s, theme(s, "Миграция"), None),
    "theme.assign": lambda s: codebook.assign_code(s, code(s, "Return"), theme(s, "Миграция")),
    "theme.unassign": lambda s: codebook.unassign_code(s, code(s, "Return"), theme(s, "Policy")),
    "theme.update": lambda s: codebook.update_theme(
        s, theme(s, "Policy"), name="Саясат және заң", description="laws"
    ),
    "theme.heading": lambda s: set_heading(s, theme(s, "Policy"), "Current Policy (printed)"),
    "participant.create": lambda s: participants.create(s, "Эксперт Б", 2),
    "source.edit": lambda s: catalogue.edit(
        s, "expert-a", title="сарапшы А", participant="", kind="document", language="kk"
    ),
    "team.mode": lambda s: team.set_mode(s, "blind"),
    "coding.bulk": write_bulk_csv,
    "codebook import": import_codebook,
}


def undo_all(session: Session, since: int) -> int:
    undone = 0
    while events.undo(session, since_id=since) is not None:
        undone += 1
    return undone


def redo_all(session: Session, since: int) -> None:
    while events.redo(session, since_id=since) is not None:
        pass


@pytest.mark.parametrize("action", list(ACTIONS))
def test_undo_gives_back_the_identical_database(project, action):
    project.transaction(build)
    with project.session(write=False) as s:
        before, since = dump(s), events.last_event_id(s)

    project.transaction(ACTIONS[action])
    with project.session(write=False) as s:
        after = dump(s, keep=meaning)
        # SQLite's triggers followed the action
        assert not project.is_sqlite or coded_spans_differences(s) == 0
    assert after != strip(before, meaning), "the action changed nothing"

    assert project.transaction(lambda s: undo_all(s, since)) >= 1
    with project.session(write=False) as s:
        assert dump(s) == before

    # Redo brings back what the action did (rows it re-creates may get new ids and times) ...
    project.transaction(lambda s: redo_all(s, since))
    with project.session(write=False) as s:
        assert dump(s, keep=meaning) == after
        assert not project.is_sqlite or coded_spans_differences(s) == 0
    # ... and undoing the redone events is exact again.
    project.transaction(lambda s: undo_all(s, since))
    with project.session(write=False) as s:
        assert dump(s) == before


def test_every_undoable_action_kind_is_covered():
    events._ensure_handlers()
    covered = {name.split(" ")[0] for name in ACTIONS}
    assert set(events._HANDLERS) <= covered, "a new undoable action needs a case in ACTIONS"


def test_source_kinds_in_the_fixture_are_real(project):
    project.transaction(build)
    with project.session(write=False) as s:
        assert s.scalar(select(Source.title)) == "expert-a"
