"""Reading an importable file's text: notes decoded strictly, documents extracted.

Text files are decoded strictly: UTF-8 (BOM or not), UTF-16 with a BOM, or a confidently detected
Windows-1251 or UTF-16; anything else must be named with ``--encoding``, so no file is ever stored
mangled. .docx, .odt and .pdf go through :mod:`qualcode.formats.documents`. ``import_files``
hands the texts to :mod:`qualcode.sources`, which checks, segments and stores them.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode import sources
from qualcode.batches import by_size
from qualcode.errors import InputError, QualcodeError
from qualcode.formats.documents import DOCUMENT_SUFFIXES
from qualcode.sources import Progress, SourceOptions, checksum, normalise

if TYPE_CHECKING:
    from qualcode.db import Project

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
TRANSCRIPT_SUFFIXES = (".vtt", ".srt")  # formats.transcripts: cues joined into speaker turns
SUFFIXES = TEXT_SUFFIXES + TRANSCRIPT_SUFFIXES + DOCUMENT_SUFFIXES
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
# Files read, segmented and stored together in one write transaction: few transactions for many
# small files (200 interviews take four), the texts held at once stay bounded (a bigger file is a
# batch of its own), and a killed import loses at most the batch it was working on.
BATCH_BYTES = 4_000_000
BATCH_FILES = 50
Outcome = int | QualcodeError  # a file's new source id, or why it was not imported


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
    elif path.suffix.lower() in TRANSCRIPT_SUFFIXES:
        from qualcode.formats import transcripts

        text = transcripts.to_text(path, decode_text(path, data, encoding))
    else:
        text = documents.extract(path, data)
    return normalise(text), data


def read_source(path: Path, options: SourceOptions) -> sources.Incoming:
    """A file's text, named as its source will be, with the checksum of its bytes."""
    text, data = read_file(path, options.encoding)
    sources.check_text(text, options, str(path))
    title = options.title or path.stem
    return sources.Incoming(text, title, str(path), str(path.resolve()), checksum(data))


def import_files(
    project: Project,
    paths: Sequence[Path],
    options: SourceOptions,
    done: Callable[[Path, Outcome], None],
    started: Callable[[Path], Progress | None] = lambda _path: None,
) -> None:
    """Import files as sources, each all or nothing: a file that cannot be read, or was
    imported before, is refused and the others go on. ``done`` hears of every file in order,
    once its batch is committed; ``started`` gives a file's segmentation progress."""
    from qualcode import lookup, segments

    with project.session(write=False) as session:
        if options.participant:
            lookup.get_participant(session, options.participant)  # once, not once per file
        own = segments.abbreviations(session)
    for batch in by_size(paths, _file_size, BATCH_BYTES, BATCH_FILES):
        outcomes = _import_batch(project, batch, options, own, started)
        for path, outcome in zip(batch, outcomes, strict=True):
            done(path, outcome)


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it will say why


def _import_batch(
    project: Project,
    paths: list[Path],
    options: SourceOptions,
    abbreviations: tuple[str, ...],
    started: Callable[[Path], Progress | None],
) -> list[Outcome]:
    """Read and check every file, segment those that pass (no transaction open), then store
    them in one transaction; each file's outcome, in order."""
    outcomes: dict[int, Outcome] = {}
    items: dict[int, sources.Incoming] = {}
    for index, path in enumerate(paths):
        try:
            items[index] = read_source(path, options)
        except QualcodeError as exc:
            outcomes[index] = exc
    with project.session(write=False) as session:
        taken = sources.Taken.of(session, items.values())
    ready: dict[int, sources.Segmented] = {}
    for index, item in items.items():
        try:
            taken.check(item)
        except InputError as exc:
            outcomes[index] = exc
            continue
        taken.take(item)
        ready[index] = sources.segment(item, options, abbreviations, started(paths[index]))
    if ready:
        texts = list(ready.values())
        stored = project.transaction(lambda session: sources.store_all(session, texts, options))
        outcomes.update(zip(ready, stored, strict=True))
    return [outcomes[index] for index in range(len(paths))]
