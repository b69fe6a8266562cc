"""Text search across sources, keyword in context, and coding every hit in one step.

A plain pattern is matched literally; ``regex`` takes a Python regular expression. Both ignore case
the Unicode way (Cyrillic and Kazakh letters as Latin ones); the pattern is taken in NFC, as
typed text is. A hit is the
match itself or the sentence, paragraph or speaker turn holding it (``unit``), each with the
address ``qualcode code`` takes, so a hit list can be pasted into a codings file or coded at once
(``code_hits``: one ``coding.bulk`` event, undone as a whole).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import InputError
from qualcode.models import Participant, Segment, Source
from qualcode.reports import Filters

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.bulk import BulkResult
    from qualcode.db import Project

UNITS = ("match", "sentence", "paragraph", "turn")
PREFIX = {"sentence": "s", "paragraph": "p", "turn": "t"}
CONTEXT = 40


@dataclass(frozen=True)
class Hit:
    """One place a pattern was found: the unit to code (start-end) and the match inside it."""

    source_id: int
    title: str
    address: str
    start: int
    end: int
    match_start: int
    match_end: int
    speaker: str | None = None


def compile_pattern(pattern: str, regex: bool = False) -> re.Pattern[str]:
    """The pattern as a case-insensitive regular expression; an invalid one is one line."""
    pattern = unicodedata.normalize("NFC", pattern)
    if not pattern.strip():
        raise InputError("search: the pattern is empty")
    try:
        return re.compile(pattern if regex else re.escape(pattern), re.IGNORECASE)
    except re.error as exc:
        raise InputError(f"--regex {pattern!r}: {exc}") from None


def _segments(
    session: Session, source_ids: list[int], kind: str
) -> dict[int, list[tuple[Any, ...]]]:
    speaker = getattr(Segment, "speaker", None)
    columns = [Segment.source_id, Segment.start, Segment.end]
    if speaker is not None:
        columns.append(speaker)
    found: dict[int, list[tuple[Any, ...]]] = {sid: [] for sid in source_ids}
    query = select(*columns).where(Segment.kind == kind).order_by(Segment.source_id, Segment.start)
    for row in session.execute(query.where(Segment.source_id.in_(source_ids))):
        found[row[0]].append(tuple(row[1:]))
    return found


def find(
    session: Session,
    pattern: str,
    *,
    regex: bool = False,
    unit: str = "match",
    filters: Filters = Filters(),
    source_ids: list[int] | None = None,
) -> list[Hit]:
    """Every hit in the sources the filters keep (or in ``source_ids``), in source order."""
    if unit not in UNITS:
        raise InputError(f"--unit {unit!r}: use {', '.join(UNITS)}")
    compiled = compile_pattern(pattern, regex)
    filters = filters.check(session)
    query = filters.apply_to_sources(
        select(Source.id, Source.title, Source.text)
        .outerjoin(Participant, Participant.id == Source.participant_id)
        .order_by(Source.id)
    )
    if source_ids is not None:
        query = query.where(Source.id.in_(source_ids))
    sources = session.execute(query).all()
    units = _segments(session, [s[0] for s in sources], unit) if unit != "match" else {}
    hits: list[Hit] = []
    for source_id, title, text in sources:
        spans = units.get(source_id, [])
        starts = [span[0] for span in spans]
        seen: set[int] = set()
        for match in compiled.finditer(text):
            if match.end() == match.start():
                continue
            if unit == "match" or not spans:  # a source without such units: the match
                address = f"{title}:{match.start()}-{match.end()}"
                hits.append(
                    Hit(source_id, title, address, match.start(), match.end(), *match.span())
                )
                continue
            index = bisect.bisect_right(starts, match.start()) - 1
            if index < 0 or spans[index][1] <= match.start() or index in seen:
                continue
            seen.add(index)
            start, end, *rest = spans[index]
            address = f"{title}:{PREFIX[unit]}{index + 1}"
            speaker = rest[0] if rest else None
            hits.append(Hit(source_id, title, address, start, end, *match.span(), speaker))
    if filters.speakers or filters.no_interviewer:
        hits = _by_speaker(session, hits, filters)
    return hits


def _by_speaker(session: Session, hits: list[Hit], filters: Filters) -> list[Hit]:
    """The hits whose match starts in a chosen speaker's turn (--speaker) and not in the
    interviewer's (--no-interviewer): the rule reports use for coded passages."""
    chosen, interviewer = filters.turn_names or ((), ())
    turns = _segments(session, sorted({h.source_id for h in hits}), "turn")

    def speaker_at(hit: Hit) -> str | None:
        spans = turns.get(hit.source_id, [])
        index = bisect.bisect_right([s[0] for s in spans], hit.match_start) - 1
        if index >= 0 and hit.match_start < spans[index][1]:
            speaker: str | None = spans[index][2]
            return speaker
        return None

    kept = []
    for hit in hits:
        who = speaker_at(hit)
        if filters.speakers and who not in chosen:
            continue
        if filters.no_interviewer and who in interviewer:
            continue
        kept.append(hit)
    return kept


def find_with_texts(
    session: Session, pattern: str, unit: str = "sentence", source_ids: list[int] | None = None
) -> tuple[list[Hit], dict[int, str]]:
    """Hits and the texts of their sources (for showing them in context)."""
    hits = find(session, pattern, unit=unit, source_ids=source_ids)
    ids = sorted({h.source_id for h in hits})
    query = select(Source.id, Source.text).where(Source.id.in_(ids))
    return hits, dict(session.execute(query).all())


def search(
    project: Project,
    pattern: str,
    *,
    regex: bool = False,
    unit: str = "match",
    filters: Filters = Filters(),
) -> list[Hit]:
    with project.session(write=False) as session:
        return find(session, pattern, regex=regex, unit=unit, filters=filters)


def _squash(text: str) -> str:
    return " ".join(text.split())


def kwic(project: Project, hits: list[Hit], width: int = CONTEXT) -> pd.DataFrame:
    """Hits as keyword in context: address, the words before, the match, the words after."""
    import pandas as pd

    ids = sorted({h.source_id for h in hits})
    with project.session(write=False) as session:
        texts = dict(
            session.execute(select(Source.id, Source.text).where(Source.id.in_(ids))).all()
        )
    rows = []
    for hit in hits:
        text = texts[hit.source_id]
        before = _squash(text[max(0, hit.match_start - width * 2) : hit.match_start])
        after = _squash(text[hit.match_end : hit.match_end + width * 2])
        rows.append(
            {
                "address": hit.address,
                "speaker": hit.speaker or "",
                "before": before[-width:],
                "match": _squash(text[hit.match_start : hit.match_end]),
                "after": after[:width],
            }
        )
    df = pd.DataFrame(rows, columns=["address", "speaker", "before", "match", "after"])
    if not df["speaker"].astype(bool).any():
        df = df.drop(columns="speaker")
    return df


def code_hits(
    project: Project,
    hits: list[Hit],
    code: str,
    *,
    coder: str | None = None,
    create: bool = True,
    label: str = "search",
) -> BulkResult:
    """Code every hit's unit with one code in ONE transaction and ONE undoable event."""
    from qualcode import bulk

    if not hits:
        raise InputError(f"{label}: no hits, nothing coded")
    rows = [
        bulk.Row(i, f"#{h.source_id}", h.start, h.end, code, None, None)
        for i, h in enumerate(hits, start=1)
    ]
    return project.transaction(
        lambda session: bulk.apply_rows(session, rows, label=label, coder_name=coder, create=create)
    )
