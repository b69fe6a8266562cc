"""A codebook as plain data, written into a project and read back out of it.

The files (:mod:`qualcode.formats.codebook_files`) parse into a :class:`Codebook` and dump one;
this module is the only one that moves a :class:`Codebook` into or out of the database. Every
change goes through :mod:`qualcode.codebook`, so each is in the event log and undone exactly.

A printed codebook's section heading can differ from the theme it was mapped to (Appendix B's
"Current Policy and Regulation Enhancements" is Chapter 4's "Recent Policies and Enhancements"). The
schema has no column for it, so it is kept as a memo on the theme titled :data:`HEADING_MEMO`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from qualcode import codebook as ops
from qualcode import events, lookup, participants
from qualcode.errors import InputError
from qualcode.models import Code, CodeTheme, Coding, Excerpt, Memo, Participant, Source, Theme
from qualcode.names import fold

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project

HEADING_MEMO = "Printed heading"


@dataclass
class ThemeEntry:
    name: str
    parent: str | None = None
    description: str | None = None
    heading: str | None = None


@dataclass
class CodeEntry:
    name: str
    themes: list[str] = field(default_factory=list)
    count: int | None = None
    status: str = "active"
    reason: str | None = None
    merged_into: str | None = None
    reconstructed: bool = False
    participant: str | None = None
    quote: str | None = None
    definition: str | None = None
    parent: str | None = None
    colour: str | None = None
    provenance: str | None = None
    excerpt: str | None = None  # the chosen example's address, SOURCE:START-END


@dataclass
class Codebook:
    """A codebook as plain data: themes in tree order (parents first), codes in codebook order."""

    themes: list[ThemeEntry] = field(default_factory=list)
    codes: list[CodeEntry] = field(default_factory=list)

    def children(self, parent: str | None) -> list[ThemeEntry]:
        return [t for t in self.themes if t.parent == parent]


@dataclass
class ImportSummary:
    codes_created: int = 0
    codes_updated: int = 0
    themes_created: int = 0
    participants_created: int = 0

    def __str__(self) -> str:
        return (
            f"{self.codes_created} codes created, {self.codes_updated} updated, "
            f"{self.themes_created} themes created, "
            f"{self.participants_created} participants created"
        )


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


def _apply_themes(session: Session, book: Codebook, summary: ImportSummary) -> dict[str, Theme]:
    themes: dict[str, Theme] = {}
    for entry in book.themes:
        parent = themes[fold(entry.parent)] if entry.parent else None
        theme = lookup.find_theme(session, entry.name)
        if theme is None:
            theme = ops.create_theme(session, entry.name, parent=parent)
            summary.themes_created += 1
        elif theme.parent_id != (parent.id if parent else None):
            ops.nest_theme(session, theme, parent)
        if theme.description != entry.description:
            ops.update_theme(session, theme, description=entry.description)
        set_heading(session, theme, entry.heading)
        themes[fold(entry.name)] = theme
    return themes


def _apply_codes(
    session: Session, book: Codebook, label: str, summary: ImportSummary
) -> dict[str, Code]:
    """Create or update each listed code's own fields (not yet its links or status)."""
    codes: dict[str, Code] = {}
    people = {fold(p.pseudonym): p for p in session.scalars(select(Participant))}
    existing = {fold(c.name): c for c in session.scalars(select(Code))}
    for entry in book.codes:
        participant = None
        if entry.participant is not None:
            participant = people.get(fold(entry.participant))
            if participant is None:
                participant = participants.create(session, entry.participant, len(people) + 1)
                people[fold(entry.participant)] = participant
                summary.participants_created += 1
        fields: dict[str, Any] = {
            "reported_count": entry.count,
            "example_quote": entry.quote,
            "example_participant_id": participant.id if participant else None,
            "reconstructed": entry.reconstructed,
            "provenance": entry.provenance,
        }
        code = existing.get(fold(entry.name))
        if code is None:
            code = ops.create_code(
                session, entry.name, definition=entry.definition, colour=entry.colour
            )
            summary.codes_created += 1
        else:
            if code.status == "merged" and entry.status != "merged":
                raise InputError(
                    f"{label}: code {code.name!r} is merged in the project; "
                    "undo the merge before importing it as " + entry.status
                )
            fields.update(name=entry.name, definition=entry.definition, colour=entry.colour)
            summary.codes_updated += 1
        fields["example_excerpt_id"] = _chosen_excerpt(session, code, entry.excerpt)
        changes = {k: v for k, v in fields.items() if getattr(code, k) != v}
        if changes:
            ops.update_code(session, code, **changes)
        codes[fold(entry.name)] = code
    return codes


def _apply_links_and_status(
    session: Session, book: Codebook, codes: dict[str, Code], themes: dict[str, Theme]
) -> None:
    for entry in book.codes:
        code = codes[fold(entry.name)]
        parent = codes[fold(entry.parent)] if entry.parent else None
        wanted_parent = parent.id if parent else None
        if code.parent_id != wanted_parent:
            ops.update_code(session, code, parent_id=wanted_parent)
        wanted = [themes[fold(t)] for t in entry.themes]
        current = {link.theme_id: link.theme for link in code.theme_links}
        for theme in list(current.values()):
            if theme not in wanted:
                ops.unassign_code(session, code, theme)
        for theme in wanted:
            ops.assign_code(session, code, theme)
        if entry.status == "merged" and code.status != "merged" and entry.merged_into:
            ops.merge_codes(session, codes[fold(entry.merged_into)], code)
        elif entry.status == "excluded":
            if code.status != "excluded" or code.status_reason != entry.reason:
                ops.exclude_code(session, code, entry.reason or "")
        elif entry.status == "active" and code.status == "excluded":
            ops.include_code(session, code)


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


def apply_codebook(session: Session, book: Codebook, label: str) -> ImportSummary:
    """Write a checked codebook into a project: codes and themes matched by name (ignoring
    case) are updated, others created; each listed code's theme links become the file's. Every
    change is an event of its own, so undoing them all gives back the project as it was."""
    summary = ImportSummary()
    themes = _apply_themes(session, book, summary)
    codes = _apply_codes(session, book, label, summary)
    _apply_links_and_status(session, book, codes, themes)
    events.log(session, "codebook.import", None, file=label, summary=str(summary))
    return summary


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
