"""Speaker turns: "Name:" or "Name —" at the start of a line begins a turn of that speaker.

A turn runs until the next label; its span is the words after the label (the label, and a
transcript's ``[HH:MM:SS]`` before it, stay outside, so a coded turn quotes only what was said).
A label counts when it begins two lines or more, or names the interviewer (``--speakers``), so a
single "Note:" in a memo is not a speaker. The interviewer's labels are kept in the project
(setting ``speakers.interviewer``) for ``--no-interviewer``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from qualcode.models import SEGMENT_KINDS, Segment, Setting
from qualcode.names import fold

INTERVIEWER_SETTING = "speakers.interviewer"
DEFAULT_INTERVIEWER = ("Interviewer", "Interviewer 1", "I", "Q", "Интервьюер", "Сұхбат алушы")
_LINE = re.compile(
    r"^(?P<stamp>\[\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\][ \t]*)?"
    r"(?P<name>[^\W\d_][\w.'’ -]{0,40}?)[ \t]*(?::|—|–)[ \t]+(?=\S)",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Turn:
    start: int
    end: int
    speaker: str


def find(text: str, interviewer: tuple[str, ...] = ()) -> list[Turn]:
    """The speaker turns of a text (none when it has no recurring labels)."""
    labels = [(m, m["name"].strip()) for m in _labels(text)]
    counts = Counter(fold(name) for _m, name in labels)
    named = {fold(n) for n in (*interviewer, *DEFAULT_INTERVIEWER)}
    kept = [(m, name) for m, name in labels if counts[fold(name)] >= 2 or fold(name) in named]
    if len({fold(name) for _m, name in kept}) < 1 or len(kept) < 2:
        return []
    turns = []
    for i, (match, name) in enumerate(kept):
        start = match.end()
        end = kept[i + 1][0].start() if i + 1 < len(kept) else len(text)
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            turns.append(Turn(start, end, name))
    return turns


def _labels(text: str) -> Iterator[re.Match[str]]:
    """Each line's label, tried only where a line starts (a label never holds a line break), so
    a long paragraph is not searched character by character."""
    pos = 0
    while True:
        match = _LINE.match(text, pos)
        if match is not None:
            yield match
        pos = text.find("\n", pos) + 1
        if not pos:
            return


def interviewer_labels(session: Session) -> tuple[str, ...]:
    """The labels this project's interviewers speak under (the defaults and --speakers)."""
    setting = session.get(Setting, INTERVIEWER_SETTING)
    stored = tuple(setting.value.split("\n")) if setting and setting.value else ()
    return tuple(dict.fromkeys((*DEFAULT_INTERVIEWER, *stored)))


def remember_interviewer(session: Session, labels: tuple[str, ...]) -> None:
    """Add --speakers labels to the project's interviewer labels."""
    if not labels:
        return
    setting = session.get(Setting, INTERVIEWER_SETTING)
    known = setting.value.split("\n") if setting and setting.value else []
    merged = "\n".join(dict.fromkeys([*known, *labels]))
    if setting is None:
        session.add(Setting(key=INTERVIEWER_SETTING, value=merged))
    else:
        setting.value = merged


def store(session: Session, source_id: int, turns: list[Turn]) -> int:
    """Insert a new source's turns as segments (kind ``turn``, with the speaker)."""
    if not turns or "turn" not in SEGMENT_KINDS:  # a schema before speaker turns
        return 0
    rows = [
        {
            "source_id": source_id,
            "kind": "turn",
            "start": t.start,
            "end": t.end,
            "speaker": t.speaker,
        }
        for t in turns
    ]
    session.execute(insert(cast(Table, Segment.__table__)), rows)
    return len(rows)


def speakers(session: Session) -> list[str]:
    """Every speaker label stored in the project."""
    query = select(Segment.speaker).where(Segment.kind == "turn").distinct()
    return [s for s in session.scalars(query) if s]
