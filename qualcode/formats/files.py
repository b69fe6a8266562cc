"""Reading an importable file's text: notes decoded strictly, documents extracted.

Text files are decoded strictly: UTF-8 (BOM or not), UTF-16 with a BOM, or a confidently detected
Windows-1251 or UTF-16; anything else must be named with ``--encoding``, so no file is ever stored
mangled. .docx, .odt and .pdf go through :mod:`qualcode.formats.documents`. ``import_file`` hands
the text to :func:`qualcode.sources.import_text`, which stores it.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import InputError
from qualcode.formats.documents import DOCUMENT_SUFFIXES
from qualcode.sources import Progress, SourceOptions, checksum, import_text, normalise

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


def import_file(
    project: Project,
    path: Path,
    options: SourceOptions = SourceOptions(),
    progress: Progress | None = None,
) -> int:
    """Import one file as a source in its own transaction; returns the new source's id."""
    text, data = read_file(path, options.encoding)
    digest = checksum(data)
    del data  # the raw bytes are not needed while the text is segmented and stored
    return import_text(
        project,
        text,
        title=options.title or path.stem,
        options=options,
        imported_from=str(path.resolve()),
        digest=digest,
        label=str(path),
        progress=progress,
    )
