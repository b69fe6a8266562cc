"""Importing interview notes and documents as sources.

A source keeps its full text (every offset indexes it) and the SHA-256 of the file it came from,
so importing the same file twice is refused by name. Each file is imported in its own transaction:
a bad file leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode import lookup
from qualcode.errors import InputError
from qualcode.models import SOURCE_KINDS, Source

if TYPE_CHECKING:
    from qualcode.db import Project

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")


@dataclass(frozen=True)
class SourceOptions:
    """What the user says about the files being imported."""

    participant: str | None = None
    kind: str = "interview"
    language: str = "en"
    title: str | None = None
    encoding: str | None = None


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise(text: str) -> str:
    """One newline convention, no BOM: offsets must not depend on the editor that saved a file."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def decode_text(path: Path, data: bytes, encoding: str | None = None) -> str:
    """UTF-8 (with or without BOM) unless an encoding is named; never guesses silently."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: a binary file, not text")
    try:
        return data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not {encoding or 'UTF-8'} text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); name its encoding with --encoding"
        ) from None
    except LookupError:
        raise InputError(f"{path}: unknown encoding {encoding!r}") from None


def read_file(path: Path, encoding: str | None = None) -> tuple[str, bytes]:
    """The text of a notes file and its raw bytes (for the checksum)."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder")
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise InputError(f"{path}: cannot import {path.suffix or 'files without a suffix'}")
    data = path.read_bytes()
    return normalise(decode_text(path, data, encoding)), data


def add_source(
    session: Session,
    text: str,
    *,
    title: str,
    options: SourceOptions,
    imported_from: str | None = None,
    digest: str | None = None,
    label: str | None = None,
) -> Source:
    """Store one source after checking what the database would otherwise refuse less clearly."""
    label = label or title
    if not text.strip():
        raise InputError(f"{label}: the file is empty")
    if options.kind not in SOURCE_KINDS:
        raise InputError(f"{label}: kind must be one of {', '.join(SOURCE_KINDS)}")
    if digest is not None:
        twin = session.scalar(select(Source).where(Source.checksum == digest))
        if twin is not None:
            raise InputError(f"{label}: already imported as source {twin.title!r}")
    if session.scalar(select(Source.id).where(func.lower(Source.title) == title.lower())):
        raise InputError(f"{label}: a source titled {title!r} exists already (use --title)")
    participant = (
        lookup.get_participant(session, options.participant) if options.participant else None
    )
    source = Source(
        title=title,
        kind=options.kind,
        language=options.language,
        participant_id=participant.id if participant else None,
        imported_from=imported_from,
        checksum=digest,
        text=text,
    )
    session.add(source)
    session.flush()
    return source


def import_file(project: Project, path: Path, options: SourceOptions = SourceOptions()) -> int:
    """Import one file as a source in its own transaction; returns the new source's id."""
    text, data = read_file(path, options.encoding)
    title = options.title or path.stem

    def work(session: Session) -> int:
        return add_source(
            session,
            text,
            title=title,
            options=options,
            imported_from=str(path.resolve()),
            digest=checksum(data),
            label=str(path),
        ).id

    return project.transaction(work)
