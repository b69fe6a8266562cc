"""A codebook as plain data, written into a project and read back out of it.

The files (:mod:`qualcode.formats.codebook_files`) parse into a :class:`Codebook` and dump one;
this module moves a :class:`Codebook` into the database through the ORM (what changes is decided
in :mod:`qualcode.codebook_apply`; :mod:`qualcode.codebook_light` writes the same on sqlite3 for
a cold import) and reads one out. Every change goes through :mod:`qualcode.codebook`, so each is
in the event log and undone exactly.

A printed codebook's section heading can differ from the theme it was mapped to (Appendix B's
"Current Policy and Regulation Enhancements" is Chapter 4's "Recent Policies and Enhancements"). The
schema has no column for it, so it is kept as a memo on the theme titled :data:`HEADING_MEMO`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from qualcode import codebook as ops
from qualcode import codebook_apply, events, lookup, participants
from qualcode.codebook_data import HEADING_MEMO as HEADING_MEMO  # the plain data lives there
from qualcode.codebook_data import Codebook as Codebook
from qualcode.codebook_data import CodeEntry as CodeEntry
from qualcode.codebook_data import ImportSummary as ImportSummary
from qualcode.codebook_data import ThemeEntry as ThemeEntry
from qualcode.models import Code, CodeTheme, Coding, Excerpt, Memo, Participant, Source, Theme
from qualcode.names import fold

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project


def _heading(session: Session, theme_id: int) -> Memo | None:
    return session.scalar(select(Memo).where(Memo.theme_id == theme_id, Memo.title == HEADING_MEMO))


def _write_heading(session: Session, theme_id: int, heading: str | None) -> None:
    memo = _heading(session, theme_id)
    if heading is None and memo is not None:
        session.delete(memo)
    elif heading is not None and memo is None:
        session.add(Memo(theme_id=theme_id, title=HEADING_MEMO, body=heading))
    elif heading is not None and memo is not None:
        memo.body = heading
    session.flush()


def set_heading(session: Session, theme: Theme, heading: str | None) -> None:
    """Keep (or drop, with None) the printed heading of a theme; undoable."""
    memo = _heading(session, theme.id)
    old = memo.body if memo is not None else None
    if old == heading:
        return
    _write_heading(session, theme.id, heading)
    events.THEME_HEADING.log(session, None, {"theme_id": theme.id, "old": old, "new": heading})


def _heading_undo(session: Session, p: events.HeadingChange) -> None:
    _write_heading(session, p["theme_id"], p["old"])


def _heading_redo(session: Session, p: events.HeadingChange) -> None:
    _write_heading(session, p["theme_id"], p["new"])


events.undoable(events.THEME_HEADING, undo=_heading_undo, redo=_heading_redo)


def _chosen_excerpt(session: Session, code: Code, address: str | None) -> int | None:
    """The excerpt a codebook file names as a code's chosen example, where this project has it
    and it carries the code; elsewhere None (the file's quote still prints as imported)."""
    from qualcode.errors import QualcodeError

    if address is None:
        return None
    try:
        excerpt = ops.example_excerpt(session, address)
    except QualcodeError:
        return None
    coded = session.scalar(
        select(func.count()).where(Coding.excerpt_id == excerpt.id, Coding.code_id == code.id)
    )
    return excerpt.id if coded else None


class OrmStore:
    """The writes of a codebook import (qualcode.codebook_apply) through the ORM and the
    operations of qualcode.codebook: any backend, one event per change."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def find_theme(self, name: str) -> Theme | None:
        return lookup.find_theme(self.session, name)

    def create_theme(self, name: str, parent: Theme | None) -> Theme:
        return ops.create_theme(self.session, name, parent=parent)

    def nest_theme(self, theme: Theme, parent: Theme | None) -> None:
        ops.nest_theme(self.session, theme, parent)

    def update_theme(self, theme: Theme, **changes: Any) -> None:
        ops.update_theme(self.session, theme, **changes)

    def set_heading(self, theme: Theme, heading: str | None) -> None:
        set_heading(self.session, theme, heading)

    def participants(self) -> dict[str, Participant]:
        return {fold(p.pseudonym): p for p in self.session.scalars(select(Participant))}

    def create_participant(self, pseudonym: str, position: int) -> Participant:
        return participants.create(self.session, pseudonym, position)

    def codes(self) -> dict[str, Code]:
        return {fold(c.name): c for c in self.session.scalars(select(Code))}

    def create_code(self, name: str, definition: str | None, colour: str | None) -> Code:
        return ops.create_code(self.session, name, definition=definition, colour=colour)

    def update_code(self, code: Code, **changes: Any) -> None:
        ops.update_code(self.session, code, **changes)

    def chosen_excerpt(self, code: Code, address: str | None) -> int | None:
        return _chosen_excerpt(self.session, code, address)

    def theme_ids(self, code: Code) -> list[int]:
        return [link.theme_id for link in code.theme_links]

    def assign(self, code: Code, theme: Theme) -> None:
        ops.assign_code(self.session, code, theme)

    def unassign(self, code: Code, theme_id: int) -> None:
        theme = self.session.get(Theme, theme_id)
        assert theme is not None  # the link's foreign key keeps it
        ops.unassign_code(self.session, code, theme)

    def merge(self, keep: Code, merged: Code) -> None:
        ops.merge_codes(self.session, keep, merged)

    def exclude(self, code: Code, reason: str) -> None:
        ops.exclude_code(self.session, code, reason)

    def include(self, code: Code) -> None:
        ops.include_code(self.session, code)

    def log_import(self, label: str, summary: str) -> None:
        events.log(self.session, "codebook.import", None, file=label, summary=summary)


def apply_codebook(session: Session, book: Codebook, label: str) -> ImportSummary:
    """Write a checked codebook into a project: codes and themes matched by name (ignoring
    case) are updated, others created; each listed code's theme links become the file's. Every
    change is an event of its own, so undoing them all gives back the project as it was."""
    return codebook_apply.apply(OrmStore(session), book, label)


def _read_themes(session: Session, book: Codebook) -> tuple[dict[int, Theme], dict[int, int]]:
    """Add the themes in tree order (parents first) to ``book``; (themes by id, tree order)."""
    theme_rows = session.scalars(select(Theme).order_by(Theme.position, Theme.id)).all()
    headings = dict(
        session.execute(
            select(Memo.theme_id, Memo.body).where(
                Memo.theme_id.is_not(None), Memo.title == HEADING_MEMO
            )
        ).all()
    )
    by_id = {t.id: t for t in theme_rows}
    order: dict[int, int] = {}

    def walk(parent_id: int | None) -> None:
        for t in theme_rows:
            if t.parent_id == parent_id:
                order[t.id] = len(order)
                book.themes.append(
                    ThemeEntry(
                        name=t.name,
                        parent=by_id[t.parent_id].name if t.parent_id else None,
                        description=t.description,
                        heading=headings.get(t.id),
                    )
                )
                walk(t.id)

    walk(None)
    return by_id, order


def read_codebook(session: Session) -> Codebook:
    """The project's codebook as plain data, in the canonical order."""
    book = Codebook()
    by_id, order = _read_themes(session, book)
    links: dict[int, list[int]] = {}
    for code_id, theme_id in session.execute(select(CodeTheme.code_id, CodeTheme.theme_id)).all():
        links.setdefault(code_id, []).append(theme_id)
    pseudonyms = dict(session.execute(select(Participant.id, Participant.pseudonym)).all())
    code_rows = session.scalars(select(Code).order_by(Code.position, Code.id)).all()
    names = {c.id: c.name for c in code_rows}
    chosen = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                Code.id,
                Source.participant_id,
                func.substr(Source.text, Excerpt.start + 1, Excerpt.end - Excerpt.start),
                Source.title + ":" + cast(Excerpt.start, String) + "-" + cast(Excerpt.end, String),
            )
            .join(Excerpt, Excerpt.id == Code.example_excerpt_id)
            .join(Source, Source.id == Excerpt.source_id)
        )
    }
    for c in code_rows:
        who, quote, excerpt = chosen.get(c.id, (c.example_participant_id, c.example_quote, None))
        book.codes.append(
            CodeEntry(
                name=c.name,
                themes=[by_id[t].name for t in sorted(links.get(c.id, []), key=lambda t: order[t])],
                count=c.reported_count,
                status=c.status,
                reason=c.status_reason,
                merged_into=names.get(c.merged_into_id) if c.merged_into_id else None,
                reconstructed=c.reconstructed,
                participant=pseudonyms.get(who),
                quote=quote,
                definition=c.definition,
                parent=names.get(c.parent_id) if c.parent_id else None,
                colour=c.colour,
                provenance=c.provenance,
                excerpt=excerpt,
            )
        )
    return book


def codebook_frame(project: Project) -> pd.DataFrame:
    """The codebook as a table: one row per code, in codebook order."""
    import pandas as pd

    with project.session(write=False) as session:
        book = read_codebook(session)
    columns = ["code", "themes", "count", "status", "reconstructed", "participant"]
    return pd.DataFrame(
        [
            [
                c.name,
                "; ".join(c.themes),
                c.count,
                c.status if c.status != "merged" else f"merged into {c.merged_into}",
                "yes" if c.reconstructed else "",
                c.participant or "",
            ]
            for c in book.codes
        ],
        columns=columns,
    ).astype({"count": "Int64"})
