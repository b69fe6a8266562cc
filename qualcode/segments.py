"""Segment rows: the paragraphs and sentences of a source that coding selects (``SOURCE:p2``).

Finding segments (spaCy, slow for big texts) is kept apart from storing them (one bulk insert), so
an import does the slow part before it opens its write transaction and holds the lock briefly.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from qualcode import nlp
from qualcode.models import Segment


@dataclass(frozen=True)
class Segmentation:
    """Paragraph and sentence spans of one text."""

    paragraphs: list[nlp.Span]
    sentences: list[nlp.Span]

    def rows(self, source_id: int) -> list[dict[str, object]]:
        return [
            {"source_id": source_id, "kind": kind, "start": start, "end": end}
            for kind, spans in (("paragraph", self.paragraphs), ("sentence", self.sentences))
            for start, end in spans
        ]


def find(
    text: str,
    language: str = "en",
    model: str | None = None,
    progress: nlp.Progress | None = None,
) -> Segmentation:
    paras = nlp.paragraphs(text)
    return Segmentation(paras, nlp.sentences(text, paras, language, model, progress))


def store(session: Session, source_id: int, segmentation: Segmentation) -> int:
    """Insert the segments of a new source in one executemany; returns the number of rows."""
    rows = segmentation.rows(source_id)
    if rows:
        session.execute(insert(Segment), rows)
    return len(rows)


def replace(session: Session, source_id: int, segmentation: Segmentation) -> int:
    """Segment a source afresh (e.g. with a trained pipeline named later)."""
    session.execute(delete(Segment).where(Segment.source_id == source_id))
    return store(session, source_id, segmentation)
