"""What the workbench's screens show, read in one or two statements each.

Plain dataclasses with no Textual in them, so the screens only lay them out and the queries can be
tested and timed on their own. Every function takes an open read session.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode import team
from qualcode.colours import code_colour
from qualcode.models import Code, Coder, CodeTheme, Coding, Excerpt, Participant, Segment, Source
from qualcode.models import Theme as ThemeModel
from qualcode.names import sort_key


@dataclass(frozen=True)
class SourceRow:
    """A line of the home screen's source list."""

    id: int
    title: str
    participant: str
    kind: str
    words: int
    chars: int
    coded_chars: int
    codings: int

    @property
    def coded_percent(self) -> float:
        return 100.0 * self.coded_chars / self.chars if self.chars else 0.0


def covered(ranges: list[tuple[int, int]]) -> int:
    """Characters covered by at least one of the (start, end) ranges."""
    total, reach = 0, -1
    for start, end in sorted(ranges):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def sources(session: Session, coder_id: int | None = None) -> list[SourceRow]:
    """Every source with its participant, size and how much of it is coded (in blind mode, by
    ``coder_id`` alone)."""
    rows = session.execute(
        select(
            Source.id,
            Source.title,
            Participant.pseudonym,
            Source.kind,
            Source.text,
            Participant.position,
        ).outerjoin(Participant, Participant.id == Source.participant_id)
    ).all()
    # Sorted here, not in SQL: one order on SQLite and PostgreSQL whatever the server's locale.
    rows = sorted(rows, key=lambda r: (r.pseudonym is None, r.position or 0, sort_key(r.title)))
    spans = session.execute(
        select(Excerpt.source_id, Excerpt.start, Excerpt.end, func.count(Coding.id))
        .join(Coding, Coding.excerpt_id == Excerpt.id)
        .where(team.visible_codings_clause(session, coder_id))
        .group_by(Excerpt.id, Excerpt.source_id, Excerpt.start, Excerpt.end)
    ).all()
    ranges: dict[int, list[tuple[int, int]]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for source_id, start, end, n in spans:
        ranges[source_id].append((start, end))
        counts[source_id] += n
    return [
        SourceRow(
            id=sid,
            title=title,
            participant=who or "",
            kind=kind,
            words=len(text.split()),
            chars=len(text),
            coded_chars=covered(ranges[sid]),
            codings=counts[sid],
        )
        for sid, title, who, kind, text, _position in rows
    ]


@dataclass(frozen=True)
class CodeRow:
    id: int
    name: str
    status: str
    colour: str
    definition: str
    reason: str
    merged_into: int | None
    count: int


@dataclass
class ThemeNode:
    id: int
    name: str
    parent_id: int | None
    code_ids: list[int] = field(default_factory=list)
    children: list[ThemeNode] = field(default_factory=list)

    def count(self, codes: dict[int, CodeRow]) -> int:
        """Codings of the theme's active codes and of its sub-themes' codes."""
        own = sum(codes[c].count for c in self.code_ids if codes[c].status == "active")
        return own + sum(child.count(codes) for child in self.children)


@dataclass
class Codebook:
    """Codes by id, the theme forest, and the codes in no theme."""

    codes: dict[int, CodeRow]
    themes: list[ThemeNode]
    theme_by_id: dict[int, ThemeNode]
    unthemed: list[int]

    def active(self) -> list[CodeRow]:
        return [c for c in self.codes.values() if c.status == "active"]


def codebook(session: Session, coder_id: int | None = None) -> Codebook:
    """Codes with their counts of codings (visible to ``coder_id`` in blind mode) and themes."""
    counts = dict(
        session.execute(
            select(Coding.code_id, func.count())
            .where(team.visible_codings_clause(session, coder_id))
            .group_by(Coding.code_id)
        ).all()
    )
    codes = {
        row.id: CodeRow(
            id=row.id,
            name=row.name,
            status=row.status,
            colour=code_colour(row.id, row.colour),
            definition=row.definition or "",
            reason=row.status_reason or "",
            merged_into=row.merged_into_id,
            count=counts.get(row.id, 0),
        )
        for row in session.execute(
            select(
                Code.id,
                Code.name,
                Code.status,
                Code.colour,
                Code.definition,
                Code.status_reason,
                Code.merged_into_id,
            ).order_by(Code.position, Code.id)
        )
    }
    themes = {
        tid: ThemeNode(tid, name, parent)
        for tid, name, parent in session.execute(
            select(ThemeModel.id, ThemeModel.name, ThemeModel.parent_id).order_by(
                ThemeModel.position, ThemeModel.id
            )
        )
    }
    themed: set[int] = set()
    for code_id, theme_id in session.execute(
        select(CodeTheme.code_id, CodeTheme.theme_id).order_by(CodeTheme.position)
    ):
        themes[theme_id].code_ids.append(code_id)
        themed.add(code_id)
    roots = []
    for theme in themes.values():
        if theme.parent_id is None or theme.parent_id not in themes:
            roots.append(theme)
        else:
            themes[theme.parent_id].children.append(theme)
    unthemed = [cid for cid in codes if cid not in themed]
    return Codebook(codes, roots, themes, unthemed)


@dataclass(frozen=True)
class Span:
    """One coding as the source view draws it."""

    coding_id: int
    excerpt_id: int
    start: int
    end: int
    code_id: int
    code: str
    colour: str
    coder: str
    memo: str


@dataclass
class SourceView:
    id: int
    title: str
    participant: str
    kind: str
    text: str
    spans: list[Span]
    segments: list[tuple[str, int, int]]
    turns: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, speaker

    def turn_at(self, offset: int) -> tuple[int, str] | None:
        """(number from 1, speaker) of the speaker turn at ``offset``: the label before a turn's
        words belongs to it."""
        for number, (_start, end, speaker) in enumerate(self.turns, start=1):
            if offset < end:
                return number, speaker
        return None


def source_view(session: Session, source_id: int, coder_id: int | None = None) -> SourceView:
    """A source's text, its codings (sorted by position) and its segments, in three statements."""
    source = session.execute(
        select(Source.id, Source.title, Participant.pseudonym, Source.kind, Source.text)
        .outerjoin(Participant, Participant.id == Source.participant_id)
        .where(Source.id == source_id)
    ).one()
    return SourceView(
        id=source.id,
        title=source.title,
        participant=source.pseudonym or "",
        kind=source.kind,
        text=source.text,
        spans=spans(session, source_id, coder_id),
        segments=[
            (kind, start, end)
            for kind, start, end in session.execute(
                select(Segment.kind, Segment.start, Segment.end).where(
                    Segment.source_id == source_id
                )
            )
        ],
        turns=_turns(session, source_id),
    )


def _turns(session: Session, source_id: int) -> list[tuple[int, int, str]]:
    speaker = getattr(Segment, "speaker", None)
    if speaker is None:  # a schema before speaker turns
        return []
    query = (
        select(Segment.start, Segment.end, speaker)
        .where(Segment.source_id == source_id, Segment.kind == "turn")
        .order_by(Segment.start)
    )
    return [(a, b, s or "") for a, b, s in session.execute(query)]


def spans(session: Session, source_id: int, coder_id: int | None = None) -> list[Span]:
    """The codings of a source that ``coder_id`` may see (only their own in blind mode)."""
    rows = session.execute(
        select(
            Coding.id,
            Excerpt.id,
            Excerpt.start,
            Excerpt.end,
            Code.id,
            Code.name,
            Code.colour,
            Coder.name,
            Coding.memo,
        )
        .join(Excerpt, Excerpt.id == Coding.excerpt_id)
        .join(Code, Code.id == Coding.code_id)
        .join(Coder, Coder.id == Coding.coder_id)
        .where(Excerpt.source_id == source_id, team.visible_codings_clause(session, coder_id))
        .order_by(Excerpt.start, Excerpt.end, Coding.id)
    ).all()
    colours = {row[4]: code_colour(row[4], row[6]) for row in rows}
    return [
        Span(cid, eid, start, end, code_id, name, colours[code_id], coder, memo or "")
        for cid, eid, start, end, code_id, name, _, coder, memo in rows
    ]


def recent_code_ids(session: Session, coder_id: int, limit: int = 12) -> list[int]:
    """The codes this coder applied most recently, newest first (the picker lists them first)."""
    last = func.max(Coding.id)
    return list(
        session.scalars(
            select(Coding.code_id)
            .where(Coding.coder_id == coder_id)
            .group_by(Coding.code_id)
            .order_by(last.desc())
            .limit(limit)
        )
    )


def source_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Source.id).order_by(Source.id)))


def filter_choices(session: Session) -> tuple[list[str], list[str]]:
    """The participants (in their printed order) and coders a report can be narrowed to."""
    rows = session.execute(select(Participant.pseudonym, Participant.position)).all()
    people = [name for name, _ in sorted(rows, key=lambda r: (r[1], sort_key(r[0])))]
    coders = sorted(session.scalars(select(Coder.name)), key=sort_key)
    return people, coders
