"""Storing interview notes and documents as sources, segmented into paragraphs and sentences.

A source keeps its full text (every offset indexes it) and the SHA-256 of the file it came from,
so importing the same file twice is refused by name. Reading files is
:mod:`qualcode.formats.files`'s work; each text is stored in its own transaction after the slow
segmentation has run: a bad file leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode import events, languages, lookup
from qualcode.errors import InputError
from qualcode.models import SOURCE_KINDS as SOURCE_KINDS
from qualcode.models import Source
from qualcode.names import collision_message

if TYPE_CHECKING:
    from qualcode import segments
    from qualcode.db import Project

Progress = Callable[[int, int], None]
"""Called with (characters done, characters in all) while a file is segmented."""


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


def _check_new(session: Session, title: str, digest: str | None, label: str) -> None:
    if digest is not None:
        twin = session.scalar(select(Source).where(Source.checksum == digest))
        if twin is not None:
            raise InputError(f"{label}: already imported as source {twin.title!r}")
    found = session.scalar(select(Source).where(lookup.name_is(Source, title)))
    if found is not None:
        taken = collision_message("source", title, found.title)
        raise InputError(f"{label}: {taken} (use --title)")


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
    """Store one source after checking what the database would otherwise refuse less clearly."""
    label = label or title
    check_text(text, options, label)
    _check_new(session, title, digest, label)
    participant = (
        lookup.get_participant(session, options.participant) if options.participant else None
    )
    source = Source(
        title=title,
        kind=options.kind,
        language=language or options.language or languages.DEFAULT,
        participant_id=participant.id if participant else None,
        imported_from=imported_from,
        checksum=digest,
        text=text,
    )
    session.add(source)
    session.flush()
    return source


def store_units(
    session: Session,
    source_id: int,
    text: str,
    segmentation: segments.Segmentation,
    options: SourceOptions,
) -> int:
    """Store a new source's paragraphs and sentences, and its speaker turns when it has any."""
    from qualcode import segments, turns

    stored = segments.store(session, source_id, segmentation)
    turns.remember_interviewer(session, options.interviewer)
    return stored + turns.store(session, source_id, turns.find(text, options.interviewer))


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
    then: Callable[[Session, Source], object] | None = None,
) -> int:
    """Segment ``text`` and store it as a source with its segments in one transaction.

    Cheap checks run first so a duplicate fails before the slow part; ``then`` runs in the same
    transaction (a Google Docs import adds its codings there). Returns the new source's id.
    """
    from qualcode import segments

    label = label or title
    check_text(text, options, label)
    with project.session(write=False) as session:
        _check_new(session, title, digest, label)
        if options.participant:
            lookup.get_participant(session, options.participant)
        own = segments.abbreviations(session)
    total = len(text)
    segmentation = segments.find(
        text,
        options.language,
        options.model,
        (lambda done: progress(done, total)) if progress else None,
        abbreviations=own,
    )

    def work(session: Session) -> int:
        source = add_source(
            session,
            text,
            title=title,
            options=options,
            imported_from=imported_from,
            digest=digest,
            label=label,
            language=segmentation.language,
        )
        stored = store_units(session, source.id, text, segmentation, options)
        if then is not None:
            then(session, source)
        events.log(
            session,
            "source.import",
            None,
            source_id=source.id,
            title=title,
            file=imported_from,
            segments=stored,
        )
        return source.id

    return project.transaction(work)
