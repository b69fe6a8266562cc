"""Importing interview notes and documents as sources, segmented into paragraphs and sentences.

A source keeps its full text (every offset indexes it) and the SHA-256 of the file it came from,
so importing the same file twice is refused by name. Text files are decoded strictly: UTF-8 (BOM or
not), UTF-16 with a BOM, or a confidently detected Windows-1251 or UTF-16; anything else must be
named with ``--encoding``, so no file is ever stored mangled. Each file is imported in its own
transaction after the slow segmentation has run: a bad file leaves nothing behind.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode import events, lookup
from qualcode.errors import InputError
from qualcode.formats.documents import DOCUMENT_SUFFIXES
from qualcode.models import SOURCE_KINDS, Source

if TYPE_CHECKING:
    from qualcode.db import Project

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
SUFFIXES = TEXT_SUFFIXES + DOCUMENT_SUFFIXES
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What charset-normalizer may decide on its own; anything else must be named with --encoding.
DETECTABLE = {
    "cp1251": "cp1251",
    "utf_16": "utf-16",
    "utf_16_le": "utf-16-le",
    "utf_16_be": "utf-16-be",
}
MAX_CHAOS = 0.1
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # tab, LF, VT (Word), FF, CR pass
_SNIFF = 65_536

Progress = Callable[[int, int], None]
"""Called with (characters done, characters in all) while a file is segmented."""


@dataclass(frozen=True)
class SourceOptions:
    """What the user says about the files being imported."""

    participant: str | None = None
    kind: str = "interview"
    language: str = "en"
    title: str | None = None
    encoding: str | None = None
    model: str | None = None


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise(text: str) -> str:
    """One newline convention, no BOM: offsets must not depend on the editor that saved a file."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _detect(path: Path, data: bytes) -> str | None:
    """cp1251 or UTF-16 when charset-normalizer is confident; None otherwise."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > MAX_CHAOS:
        return None
    return DETECTABLE.get(best.encoding)


def _undecodable(path: Path, data: bytes, encoding: str, exc: UnicodeDecodeError) -> InputError:
    return InputError(
        f"{path}: not {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
        "name its encoding with --encoding"
    )


def decode_text(path: Path, data: bytes, encoding: str | None = None) -> str:
    """Decode strictly: the named encoding, else a BOM, UTF-8, or a confident cp1251/UTF-16
    detection; binary data and anything undecodable are refused, never replaced."""
    if encoding is None:
        encoding = next((name for bom, name in BOMS if data.startswith(bom)), None)
    if encoding is None:
        has_nul = b"\x00" in data[:_SNIFF]
        if not has_nul:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                encoding = _detect(path, data)
                if encoding is None:
                    raise _undecodable(path, data, "UTF-8, UTF-16 or Windows-1251", exc) from None
            else:
                return _check_not_binary(path, text)
        else:
            encoding = _detect(path, data)
            if encoding is None or not encoding.startswith("utf-16"):
                raise InputError(f"{path}: a binary file, not text")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable(path, data, encoding, exc) from None
    except LookupError:
        raise InputError(f"{path}: unknown encoding {encoding!r}") from None
    return _check_not_binary(path, text)


def _check_not_binary(path: Path, text: str) -> str:
    """Control characters other than white space (tab, newlines, Word's vertical tab, form feed)
    mean binary data, not notes."""
    if "\x00" in text or len(_CONTROL.findall(text, 0, _SNIFF)) > 1 + len(text[:_SNIFF]) // 1000:
        raise InputError(f"{path}: a binary file, not text")
    return text


def read_bytes(path: Path, suffixes: tuple[str, ...] = SUFFIXES) -> bytes:
    """The bytes of an importable file; a missing, empty or unknown kind of file is refused."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder")
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise InputError(
            f"{path}: cannot import {suffix or 'files without a suffix'} "
            f"(use {', '.join(suffixes)})"
        )
    data = path.read_bytes()
    if not data:
        raise InputError(f"{path}: the file is empty")
    return data


def read_file(path: Path, encoding: str | None = None) -> tuple[str, bytes]:
    """The text of a notes file or document and its raw bytes (for the checksum)."""
    from qualcode.formats import documents

    data = read_bytes(path)
    if path.suffix.lower() in TEXT_SUFFIXES:
        text = decode_text(path, data, encoding)
    else:
        text = documents.extract(path, data)
    return normalise(text), data


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
    if session.scalar(select(Source.id).where(func.lower(Source.title) == title.lower())):
        raise InputError(f"{label}: a source titled {title!r} exists already (use --title)")


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
    check_text(text, options, label)
    _check_new(session, title, digest, label)
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
    total = len(text)
    segmentation = segments.find(
        text,
        options.language,
        options.model,
        (lambda done: progress(done, total)) if progress else None,
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
        )
        stored = segments.store(session, source.id, segmentation)
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


def import_file(
    project: Project,
    path: Path,
    options: SourceOptions = SourceOptions(),
    progress: Progress | None = None,
) -> int:
    """Import one file as a source in its own transaction; returns the new source's id."""
    text, data = read_file(path, options.encoding)
    return import_text(
        project,
        text,
        title=options.title or path.stem,
        options=options,
        imported_from=str(path.resolve()),
        digest=checksum(data),
        label=str(path),
        progress=progress,
    )
