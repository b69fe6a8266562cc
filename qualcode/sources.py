"""Storing interview notes and documents as sources, segmented into paragraphs and sentences.

A source keeps its full text (every offset indexes it) and the SHA-256 of the file it came from,
so importing the same file twice is refused by name. Reading files is
:mod:`qualcode.formats.files`'s work. An import checks its texts against the project (two queries
for any number of texts), segments them outside any transaction (the slow part), then stores them
with Core inserts in one short write transaction, checked again inside it: a bad text leaves
nothing behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, Table, insert, select
from sqlalchemy.orm import Session

from qualcode import events, languages, lookup
from qualcode.errors import InputError
from qualcode.models import SOURCE_KINDS as SOURCE_KINDS
from qualcode.models import Source
from qualcode.names import collision_message, fold

if TYPE_CHECKING:
    from qualcode import segments, turns
    from qualcode.db import Project

Progress = Callable[[int, int], None]
"""Called with (characters done, characters in all) while a file is segmented."""
Then = Callable[[Session, Source], object]
"""More work in a new source's transaction (a Google Docs import adds its codings)."""


@dataclass(frozen=True)
class SourceOptions:
    """What the user says about the files being imported."""

    participant: str | None = None
    kind: str = "interview"
    language: str | None = None  # None: detected paragraph by paragraph
    title: str | None = None
    encoding: str | None = None
    model: str | None = None
    interviewer: tuple[str, ...] = ()  # --speakers: the interviewer's labels in speaker turns


@dataclass(frozen=True)
class Incoming:
    """A text to store as a source: its title, where it came from, how an error names it."""

    text: str
    title: str
    label: str
    imported_from: str | None = None
    digest: str | None = None  # the SHA-256 of the file's bytes


@dataclass(frozen=True)
class Segmented:
    """A text checked and segmented (outside any transaction), ready to store."""

    incoming: Incoming
    segmentation: segments.Segmentation
    turns: list[turns.Turn] = field(default_factory=list)


@dataclass
class Taken:
    """The titles (folded) and checksums that new sources may not reuse, with the title of the
    source holding each, so that a refusal names it."""

    titles: dict[str, str] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, session: Session, items: Iterable[Incoming]) -> Taken:
        """Those of the project's sources that ``items`` would collide with (two queries)."""
        items = list(items)
        titles = [item.title for item in items]
        digests = {item.digest for item in items if item.digest is not None}
        table = cast(Table, Source.__table__).c  # Core queries: an import needs no ORM mapping
        named = session.execute(
            select(table.name_key, table.title).where(lookup.name_in(table, titles))
        )
        twins = session.execute(
            select(table.checksum, table.title).where(table.checksum.in_(digests))
        )
        return cls(
            {key: title for key, title in named}, {sha: title for sha, title in twins if sha}
        )

    def check(self, item: Incoming) -> None:
        """Refuse a file imported before or a title in use, naming the source that has it."""
        if item.digest is not None and item.digest in self.digests:
            raise InputError(
                f"{item.label}: already imported as source {self.digests[item.digest]!r}"
            )
        found = self.titles.get(fold(item.title))
        if found is not None:
            taken = collision_message("source", item.title, found)
            raise InputError(f"{item.label}: {taken} (use --title)")

    def take(self, item: Incoming) -> None:
        """Count ``item`` as stored: the texts after it in the same import may not reuse it."""
        self.titles[fold(item.title)] = item.title
        if item.digest is not None:
            self.digests[item.digest] = item.title


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise(text: str) -> str:
    """One newline convention, no BOM: offsets must not depend on the editor that saved a file."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def check_text(text: str, options: SourceOptions, label: str) -> None:
    if not text.strip():
        raise InputError(f"{label}: the file is empty")
    if options.kind not in SOURCE_KINDS:
        raise InputError(f"{label}: kind must be one of {', '.join(SOURCE_KINDS)}")


def add_source(
    session: Session,
    text: str,
    *,
    title: str,
    options: SourceOptions,
    imported_from: str | None = None,
    digest: str | None = None,
    label: str | None = None,
    language: str | None = None,
) -> Source:
    """Store one source without segments (demo and test projects), checked as an import is."""
    item = Incoming(text, title, label or title, imported_from, digest)
    check_text(text, options, item.label)
    Taken.of(session, [item]).check(item)
    participant = (
        lookup.get_participant(session, options.participant) if options.participant else None
    )
    language = language or options.language or languages.DEFAULT
    source_id = _insert_source(
        session, item, options, language, participant.id if participant else None
    )
    return cast(Source, session.get(Source, source_id))


def _insert_source(
    session: Session, item: Incoming, options: SourceOptions, language: str, participant: int | None
) -> int:
    """The source row alone (a Core insert: no ORM flush per source); its new id."""
    row = {
        "title": item.title,
        "kind": options.kind,
        "language": language,
        "participant_id": participant,
        "imported_from": item.imported_from,
        "checksum": item.digest,
        "text": item.text,
    }
    result = cast(CursorResult[Any], session.execute(insert(cast(Table, Source.__table__)), row))
    key = result.inserted_primary_key
    assert key is not None  # a single-row insert always has one
    return int(key[0])


def segment(
    item: Incoming,
    options: SourceOptions,
    abbreviations: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> Segmented:
    """Paragraphs, sentences, languages and speaker turns of a checked text (no database)."""
    from qualcode import segments, turns

    total = len(item.text)
    segmentation = segments.find(
        item.text,
        options.language,
        options.model,
        (lambda done: progress(done, total)) if progress else None,
        abbreviations=abbreviations,
    )
    return Segmented(item, segmentation, turns.find(item.text, options.interviewer))


def store(
    session: Session,
    ready: Segmented,
    options: SourceOptions,
    participant: int | None = None,
    *,
    then: Then | None = None,
    logged: Mapping[str, str] | None = None,
) -> int:
    """Insert a segmented source, its segments and turns, and its ``source.import`` event
    (with ``logged`` added to the payload) after ``then``; returns the new source's id."""

    item = ready.incoming
    source_id = _insert_source(session, item, options, ready.segmentation.language, participant)
    stored = store_units(session, source_id, ready, options)
    if then is not None:
        then(session, cast(Source, session.get(Source, source_id)))
    payload = {"source_id": source_id, "title": item.title, "file": item.imported_from}
    events.log_row(session, "source.import", None, **payload, segments=stored, **(logged or {}))
    return source_id


def store_units(session: Session, source_id: int, ready: Segmented, options: SourceOptions) -> int:
    """Insert a new source's paragraphs, sentences and speaker turns (keeping the --speakers
    labels); returns how many."""
    from qualcode import segments, turns

    stored = segments.store(session, source_id, ready.segmentation)
    turns.remember_interviewer(session, options.interviewer)
    return stored + turns.store(session, source_id, ready.turns)


def store_all(
    session: Session, ready: Sequence[Segmented], options: SourceOptions, then: Then | None = None
) -> list[int | InputError]:
    """Store texts checked before the transaction began, each checked again inside it (another
    process may have imported one meanwhile); per text, the new source's id or its refusal."""
    taken = Taken.of(session, (r.incoming for r in ready))
    participant_id = (
        lookup.get_participant(session, options.participant).id if options.participant else None
    )
    done: list[int | InputError] = []
    for item in ready:
        try:
            taken.check(item.incoming)
        except InputError as exc:
            done.append(exc)
            continue
        taken.take(item.incoming)
        done.append(store(session, item, options, participant_id, then=then))
    return done


def import_text(
    project: Project,
    text: str,
    *,
    title: str,
    options: SourceOptions,
    imported_from: str | None = None,
    digest: str | None = None,
    label: str | None = None,
    progress: Progress | None = None,
    then: Then | None = None,
) -> int:
    """Segment ``text`` and store it as a source with its segments in one transaction.

    Cheap checks run first so a duplicate fails before the slow part; ``then`` runs in the same
    transaction (a Google Docs import adds its codings there). Returns the new source's id.
    """
    from qualcode import segments

    item = Incoming(text, title, label or title, imported_from, digest)
    check_text(text, options, item.label)
    with project.session(write=False) as session:
        Taken.of(session, [item]).check(item)
        if options.participant:
            lookup.get_participant(session, options.participant)
        own = segments.abbreviations(session)
    ready = segment(item, options, own, progress)

    def work(session: Session) -> int:
        (source_id,) = store_all(session, [ready], options, then)
        if isinstance(source_id, InputError):
            raise source_id
        return source_id

    return project.transaction(work)
