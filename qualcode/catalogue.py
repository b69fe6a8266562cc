"""The project's sources: listing them, changing what the user said about them at import (title,
participant, kind, language; undoable), and showing their numbered units with addresses.

``sources show`` prints what a researcher needs to choose a target for ``qualcode code``: each
paragraph (``p3``), sentence (``s17``, also ``p3.s2`` within its paragraph) or speaker turn
(``t4``) with its text.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode import events, lookup, names
from qualcode.errors import InputError
from qualcode.models import SOURCE_KINDS, Coding, Excerpt, Participant, Segment, Source

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project

UNIT_KINDS = ("paragraph", "sentence", "turn")
EDITABLE = ("title", "participant", "kind", "language")


def listing(project: Project) -> pd.DataFrame:
    """Every source: id, title, kind, language, participant, characters, units and codings."""
    import pandas as pd

    segments = select(Segment.source_id, Segment.kind, func.count()).group_by(
        Segment.source_id, Segment.kind
    )
    codings = (
        select(Excerpt.source_id, func.count())
        .join(Coding, Coding.excerpt_id == Excerpt.id)
        .group_by(Excerpt.source_id)
    )
    rows = (
        select(
            Source.id,
            Source.title,
            Source.kind,
            Source.language,
            func.coalesce(Participant.pseudonym, ""),
            func.length(Source.text),
        )
        .outerjoin(Participant, Participant.id == Source.participant_id)
        .order_by(Source.id)
    )
    with project.session(write=False) as session:
        units: dict[tuple[int, str], int] = {(s, k): n for s, k, n in session.execute(segments)}
        coded = dict(session.execute(codings).all())
        listed = session.execute(rows).all()
    columns = ["id", "title", "kind", "language", "participant", "characters"]
    df = pd.DataFrame([tuple(r) for r in listed], columns=columns)
    for kind, column in (("paragraph", "paragraphs"), ("sentence", "sentences"), ("turn", "turns")):
        df[column] = [units.get((sid, kind), 0) for sid in df["id"]]
    df["codings"] = [coded.get(sid, 0) for sid in df["id"]]
    if not df["turns"].any():
        df = df.drop(columns="turns")
    return df


def _state(source: Source) -> dict[str, Any]:
    return {
        "title": source.title,
        "participant_id": source.participant_id,
        "kind": source.kind,
        "language": source.language,
    }


def edit(
    session: Session,
    ref: str,
    *,
    title: str | None = None,
    participant: str | None = None,
    kind: str | None = None,
    language: str | None = None,
    coder_id: int | None = None,
) -> tuple[Source, list[str]]:
    """Change what was said about a source at import; "" as participant unlinks it. One event
    (``source.edit``) keeps the old and new values, so undo restores them. Returns the source and
    the fields that changed."""
    source = lookup.get_source(session, ref)
    before = _state(source)
    if title is not None:
        title = title.strip()
        if not title:
            raise InputError("--title: a title cannot be empty")
        others = session.scalars(select(Source.title).where(Source.id != source.id))
        twin = next((t for t in others if names.same(t, title)), None)
        if twin is not None:
            raise InputError(f"--title: a source titled {twin!r} exists already")
        source.title = title
    if participant is not None:
        person = lookup.get_participant(session, participant) if participant.strip() else None
        source.participant_id = person.id if person else None
    if kind is not None:
        if kind not in SOURCE_KINDS:
            raise InputError(f"--kind: {kind!r} is not a kind ({', '.join(SOURCE_KINDS)})")
        source.kind = kind
    if language is not None:
        if not language.strip():
            raise InputError("--language: give a language code such as en, ru or kk")
        source.language = language.strip()
    after = _state(source)
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        stamp = events.stamp(source.updated_at)
        session.flush()
        events.SOURCE_EDIT.log(
            session,
            coder_id,
            {"source_id": source.id, "old": before, "new": after, "updated_at": stamp},
        )
    return source, [c.removesuffix("_id") for c in changed]


def _restore(which: Literal["old", "new"]) -> Callable[[Session, events.SourceEdit], None]:
    def handler(session: Session, payload: events.SourceEdit) -> None:
        source = session.get(Source, payload["source_id"])
        if source is not None:
            for name, value in payload[which].items():
                setattr(source, name, value)
            if which == "old" and "updated_at" in payload:
                source.updated_at = dt.datetime.fromisoformat(payload["updated_at"])
            session.flush()

    return handler


events.undoable(events.SOURCE_EDIT, undo=_restore("old"), redo=_restore("new"))


@dataclass(frozen=True)
class Unit:
    """A numbered unit of a source: its address (``p3``, ``s17``, ``t4``), its place inside its
    paragraph for a sentence (``p3.s2``), its range and, for a turn, the speaker."""

    address: str
    within: str
    start: int
    end: int
    speaker: str | None = None


def units(session: Session, source: Source, kind: str = "paragraph") -> list[Unit]:
    """The paragraphs, sentences or turns of a source, numbered from 1 as addresses count them."""
    if kind not in UNIT_KINDS:
        raise InputError(f"unknown unit {kind!r}: use {', '.join(UNIT_KINDS)}")
    speaker = getattr(Segment, "speaker", None)
    columns = [Segment.kind, Segment.start, Segment.end]
    if speaker is not None:
        columns.append(speaker)
    rows: list[Any] = list(
        session.execute(
            select(*columns)
            .where(Segment.source_id == source.id, Segment.kind.in_([kind, "paragraph"]))
            .order_by(Segment.start)
        ).all()
    )
    paragraphs = [(r[1], r[2]) for r in rows if r[0] == "paragraph"]
    if kind == "paragraph":
        return [Unit(f"p{i}", "", a, b) for i, (a, b) in enumerate(paragraphs, start=1)]
    found = [r for r in rows if r[0] == kind]
    if kind == "turn":
        return [
            Unit(f"t{i}", "", r[1], r[2], r[3] if len(r) > 3 else None)
            for i, r in enumerate(found, start=1)
        ]
    starts = [a for a, _ in paragraphs]
    out: list[Unit] = []
    counter: dict[int, int] = {}
    for i, (_k, a, b, *_rest) in enumerate(found, start=1):
        para = bisect.bisect_right(starts, a)  # 1-based number of the paragraph holding it
        counter[para] = counter.get(para, 0) + 1
        within = f"p{para}.s{counter[para]}" if para else ""
        out.append(Unit(f"s{i}", within, a, b))
    return out


def show(project: Project, ref: str, kind: str = "paragraph") -> tuple[str, pd.DataFrame]:
    """The numbered units of a source as a table (address, [in paragraph,] [speaker,] start,
    end, text) and the source's title."""
    import pandas as pd

    with project.session(write=False) as session:
        source = lookup.get_source(session, ref)
        found = units(session, source, kind)
        text, title = source.text, source.title
    if kind == "turn" and not found:
        raise InputError(
            f"source {title!r} has no speaker turns (import a transcript, or name the speakers "
            "with --speakers)"
        )
    rows = []
    for unit in found:
        row: dict[str, Any] = {"address": unit.address}
        if kind == "sentence":
            row["in paragraph"] = unit.within
        if kind == "turn":
            row["speaker"] = unit.speaker or ""
        row.update(
            start=unit.start, end=unit.end, text=" ".join(text[unit.start : unit.end].split())
        )
        rows.append(row)
    columns = ["address", "start", "end", "text"]
    if kind == "sentence":
        columns.insert(1, "in paragraph")
    if kind == "turn":
        columns.insert(1, "speaker")
    return title, pd.DataFrame(rows, columns=columns)
