"""Segment rows: the paragraphs and sentences of a source that coding selects (``SOURCE:p2``).

Each paragraph's language is detected (``qualcode.languages``) unless one is forced, and stored
on the paragraph and its sentences. Finding segments (slow for big texts with a spaCy model) is
kept apart from storing them (one bulk insert), so an import does the slow part before it opens
its write transaction and holds the lock briefly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from qualcode import languages, nlp
from qualcode.errors import InputError
from qualcode.models import Segment, Setting
from qualcode.sentence_rules import normalise_abbreviation

COLUMNS = ("source_id", "kind", "start", "end", "language")
ABBREVIATIONS_SETTING = "segments.abbreviations"


@dataclass(frozen=True)
class Segmentation:
    """Paragraph and sentence spans of one text, and each paragraph's language."""

    paragraphs: list[nlp.Span]
    sentences: list[nlp.Span]
    languages: list[str] = field(default_factory=list)  # one per paragraph

    @property
    def language(self) -> str:
        """The language of most of the text (the source's own)."""
        sizes = [end - start for start, end in self.paragraphs]
        return languages.dominant(list(zip(self.languages, sizes, strict=False)))

    def sentence_languages(self) -> list[str | None]:
        """Each sentence's paragraph's language (both lists are sorted by start)."""
        found: list[str | None] = []
        p = 0
        for start, _end in self.sentences:
            while p + 1 < len(self.paragraphs) and self.paragraphs[p + 1][0] <= start:
                p += 1
            found.append(self.languages[p] if self.languages else None)
        return found

    def by_kind(self) -> tuple[tuple[str, list[nlp.Span], list[str | None]], ...]:
        paragraph_languages: list[str | None] = list(self.languages) or [None] * len(
            self.paragraphs
        )
        return (
            ("paragraph", self.paragraphs, paragraph_languages),
            ("sentence", self.sentences, self.sentence_languages()),
        )

    def rows(self, source_id: int) -> Iterator[tuple[int, str, int, int, str | None]]:
        """The segments as rows of ``COLUMNS``: paragraphs, then sentences, each by start."""
        return (
            (source_id, kind, start, end, lang)
            for kind, spans, langs in self.by_kind()
            for (start, end), lang in zip(spans, langs, strict=True)
        )


def find(
    text: str,
    language: str | None = None,
    model: str | None = None,
    progress: nlp.Progress | None = None,
    abbreviations: tuple[str, ...] = (),
) -> Segmentation:
    """Paragraphs, each one's language (``language`` forces one; None detects it), sentences."""
    paras = nlp.paragraphs(text)
    if language:
        found = [language] * len(paras)
    else:
        found = []
        previous = languages.DEFAULT
        for start, end in paras:
            previous = languages.detect(text[start:end], previous)
            found.append(previous)
    sentences = nlp.sentences(
        text, paras, language or "xx", model, progress, abbreviations=abbreviations
    )
    return Segmentation(paras, sentences, found)


def store(session: Session, source_id: int, segmentation: Segmentation) -> int:
    """Insert the segments of a new source in bulk; returns the number of rows.

    A 50 MB text has about a million segments, and an import of 200 interviews some 40,000, so
    the rows go straight to the driver on the session's own connection (they stay in its
    transaction), streamed from the segmentation without a dict per row: PostgreSQL takes
    them through COPY, SQLite through the sqlite3 module's executemany.
    """
    count = len(segmentation.paragraphs) + len(segmentation.sentences)
    if not count:
        return 0
    session.flush()  # a source the ORM still holds must exist before its segments
    connection = session.connection()
    columns = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in COLUMNS)
    raw: Any = connection.connection.dbapi_connection
    rows = segmentation.rows(source_id)
    if connection.dialect.name == "postgresql":
        sql = f"COPY {Segment.__tablename__} ({columns}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:  # psycopg 3: cursors copy
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in COLUMNS)
        raw.executemany(f"INSERT INTO {Segment.__tablename__} ({columns}) VALUES ({marks})", rows)
    return count


def read_abbreviations(path: Path) -> list[str]:
    """A project's own abbreviations: one per line of a UTF-8 file, ``#`` starts a comment."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the abbreviations ({exc})") from None
    words = [normalise_abbreviation(line.split("#", 1)[0]) for line in lines]
    return [w for w in words if w]


def abbreviations(session: Session) -> tuple[str, ...]:
    """The project's own abbreviations (the built-in ones are in ``sentence_rules``)."""
    settings = cast(Table, Setting.__table__)  # a Core query: an import needs no ORM mapping
    query = select(settings.c.value).where(settings.c.key == ABBREVIATIONS_SETTING)
    value = session.execute(query).scalar()
    return tuple(value.split("\n")) if value else ()


def add_abbreviations(session: Session, words: list[str]) -> int:
    """Add words to the project's abbreviations; returns how many were new."""
    known = list(abbreviations(session))
    new = [w for w in dict.fromkeys(words) if w not in known]
    if new:
        value = "\n".join(known + new)
        setting = session.get(Setting, ABBREVIATIONS_SETTING)
        if setting is None:
            session.add(Setting(key=ABBREVIATIONS_SETTING, value=value))
        else:
            setting.value = value
    return len(new)
