"""Segment rows: the paragraphs and sentences of a source that coding selects (``SOURCE:p2``).

Finding segments (spaCy, slow for big texts) is kept apart from storing them (one bulk insert), so
an import does the slow part before it opens its write transaction and holds the lock briefly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from qualcode import nlp
from qualcode.models import Segment

COLUMNS = ("source_id", "kind", "start", "end")
STORE_BATCH = 20_000  # segments per executemany, all in the import's one transaction


@dataclass(frozen=True)
class Segmentation:
    """Paragraph and sentence spans of one text."""

    paragraphs: list[nlp.Span]
    sentences: list[nlp.Span]

    def by_kind(self) -> tuple[tuple[str, list[nlp.Span]], ...]:
        return (("paragraph", self.paragraphs), ("sentence", self.sentences))

    def rows(self, source_id: int) -> Iterator[dict[str, object]]:
        return (
            {"source_id": source_id, "kind": kind, "start": start, "end": end}
            for kind, spans in self.by_kind()
            for start, end in spans
        )


def find(
    text: str,
    language: str = "en",
    model: str | None = None,
    progress: nlp.Progress | None = None,
) -> Segmentation:
    paras = nlp.paragraphs(text)
    return Segmentation(paras, nlp.sentences(text, paras, language, model, progress))


def store(session: Session, source_id: int, segmentation: Segmentation) -> int:
    """Insert the segments of a new source in bulk; returns the number of rows.

    A 50 MB text has about a million segments. PostgreSQL takes them through COPY on the
    session's own connection (so they stay in its transaction): executemany is several times
    slower there. SQLite takes a Core executemany, which skips the ORM's per-row work.
    """
    count = len(segmentation.paragraphs) + len(segmentation.sentences)
    if not count:
        return 0
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        columns = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in COLUMNS)
        raw: Any = connection.connection.dbapi_connection  # psycopg 3: cursors copy
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {Segment.__tablename__} ({columns}) FROM STDIN") as copy,
        ):
            for kind, spans in segmentation.by_kind():
                for start, end in spans:
                    copy.write_row((source_id, kind, start, end))
    else:
        # in batches: a dict per segment for a million segments would hold ~400 MB at once
        rows = segmentation.rows(source_id)
        for _ in range(0, count, STORE_BATCH):
            session.execute(
                insert(cast(Table, Segment.__table__)), list(itertools.islice(rows, STORE_BATCH))
            )
    return count
