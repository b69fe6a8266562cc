"""Reading files from strangers safely: bounded zip reading and XML without DTDs or entities.

A .qdpx is a zip from another program, maybe from another person. Nothing in it is extracted to
disk; entries are read into memory under size limits that count the bytes actually inflated (a
zip's declared sizes can lie), entry names that climb out of the archive are refused, and XML is
parsed with lxml with entity resolution, network access and DTD loading off, after refusing any
document that declares a DTD at all (the only way to define entities, so XXE and entity-expansion
bombs never reach the parser).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from qualcode.errors import InputError

# Limits well under the database's (SQLite refuses a string over 10^9 bytes) and a machine's memory.
MAX_TEXT_BYTES = 200 * 1000 * 1000  # one source's text, inflated
MAX_TEXTS_BYTES = 1000 * 1000 * 1000  # all texts (and notes) read from one archive
MAX_QDE_BYTES = 1 << 30  # project.qde, streamed (500,000 codings make about 170 MB)
MAX_RATIO = 100  # inflated / compressed size of one entry (text and XML give 3-20)
RATIO_FLOOR = 1 << 20  # entries smaller than this inflated are not held to the ratio
MAX_ENTRIES = 200_000
CHUNK = 1 << 20
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_ROOT_START = re.compile(rb"<[A-Za-z_]")  # the root element: a DTD can only come before it
_DRIVE = re.compile(r"^[A-Za-z]:")


def check_entry_name(name: str) -> str | None:
    """Why a zip entry name is unsafe (absolute, climbing out, odd), or None when it is fine."""
    if "\x00" in name:
        return "contains a NUL byte"
    norm = name.replace("\\", "/")
    if norm.startswith("/") or _DRIVE.match(norm):
        return "is an absolute path"
    if ".." in PurePosixPath(norm).parts:
        return "climbs out of the archive with '..'"
    return None


class _Bounded:
    """A zip entry opened for reading, stopped as soon as it inflates beyond its limits."""

    def __init__(self, owner: SafeZip, info: zipfile.ZipInfo, limit: int, what: str) -> None:
        self.owner = owner
        self.info = info
        self.limit = limit
        self.what = what
        self.size = 0
        self._fh = owner._zip.open(info)

    def read(self, n: int = -1) -> bytes:
        try:
            data = self._fh.read(CHUNK if n is None or n < 0 else n)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise InputError(
                f"{self.owner.path}: {self.info.filename} cannot be read ({exc})"
            ) from None
        self.size += len(data)
        if self.size > self.limit:
            raise InputError(
                f"{self.owner.path}: {self.info.filename} inflates beyond the limit of "
                f"{self.limit:,} bytes for {self.what} (a zip bomb?); refused"
            )
        if self.size > RATIO_FLOOR and self.size > MAX_RATIO * max(1, self.info.compress_size):
            raise InputError(
                f"{self.owner.path}: {self.info.filename} inflates more than {MAX_RATIO} times "
                "its compressed size (a zip bomb?); refused"
            )
        return data

    def close(self) -> None:
        self._fh.close()


class SafeZip:
    """A zip archive opened for bounded, in-memory reading of its entries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{path}: not a readable zip archive ({exc})") from None
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            self.close()
            raise InputError(f"{path}: {len(infos)} entries, more than {MAX_ENTRIES}; refused")
        self._by_name: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            problem = check_entry_name(info.filename)
            if problem:
                self.close()
                raise InputError(f"{path}: zip entry {info.filename!r} {problem}; refused")
            self._by_name.setdefault(info.filename.replace("\\", "/").lower(), info)

    def find(self, name: str) -> str | None:
        """The stored name of an entry, matched without regard to case or slash style."""
        info = self._by_name.get(name.replace("\\", "/").lstrip("/").lower())
        return info.filename if info else None

    def names(self) -> list[str]:
        return [info.filename for info in self._by_name.values()]

    def _info(self, name: str, limit: int, what: str) -> zipfile.ZipInfo:
        info = self._by_name[name.replace("\\", "/").lower()]
        if info.file_size > limit:
            raise InputError(
                f"{self.path}: {name} would inflate to {info.file_size:,} bytes, more than the "
                f"limit of {limit:,} for {what}; refused"
            )
        return info

    def open(self, name: str, limit: int | None = None, what: str = "project.qde") -> _Bounded:
        """A bounded stream of an entry (for the XML, which is parsed as it inflates)."""
        limit = MAX_QDE_BYTES if limit is None else limit
        return _Bounded(self, self._info(name, limit, what), limit, what)

    def read(self, name: str, limit: int | None = None, what: str = "one text") -> bytes:
        """An entry's bytes, stopped as soon as it inflates beyond the limits."""
        stream = self.open(name, MAX_TEXT_BYTES if limit is None else limit, what)
        parts: list[bytes] = []
        try:
            while chunk := stream.read(CHUNK):
                parts.append(chunk)
        finally:
            stream.close()
        return b"".join(parts)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_prolog(head: bytes, label: str) -> None:
    """Refuse a document that declares a DTD: the only way to define entities (XXE, bombs)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: look for the DOCTYPE decoded
        head = head[: 1 << 16].decode("utf-16", errors="ignore").encode("utf-8")
    root_start = _ROOT_START.search(head)
    prolog = head[: root_start.start()] if root_start else head[:4096]
    if _DOCTYPE.search(prolog):
        raise InputError(f"{label}: declares a DTD (<!DOCTYPE ...>); refused for safety")


def _parser_options() -> dict[str, bool]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "remove_comments": True,
        "remove_pis": True,
    }


def parse_xml(data: bytes, label: str):
    """The root element of an XML document, refusing DTDs; InputError names ``label``."""
    from lxml import etree

    check_prolog(data, label)
    parser = etree.XMLParser(huge_tree=False, **_parser_options())
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{label}: malformed XML ({' '.join(str(exc.msg).split())})") from None
    except ValueError as exc:
        raise InputError(f"{label}: malformed XML ({exc})") from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise InputError(f"{label}: declares a DTD (<!DOCTYPE ...>); refused for safety")
    return root


_XMLNS = re.compile(rb'xmlns(?::[\w.-]+)?\s*=\s*["\']([^"\']*)["\']')


class Checked:
    """A byte stream whose prolog is checked for a DTD before the parser reads any of it."""

    def __init__(self, stream: Any, label: str) -> None:
        head = b""
        while len(head) < (1 << 16) and not _ROOT_START.search(head.lstrip(b"\xef\xbb\xbf")):
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            head += chunk
        check_prolog(head, label)
        self.head = head
        self._head = head
        self._stream = stream

    def root_namespaces(self) -> set[str] | None:
        """The namespaces the root element declares (None when its start tag is not in the
        first bytes or the file is not UTF-8): a reader may skip vendor bookkeeping when there
        are none but its own."""
        start = _ROOT_START.search(self.head)
        end = self.head.find(b">", start.start()) if start else -1
        if start is None or end < 0 or self.head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None
        return {
            m.group(1).decode("utf-8", "replace")
            for m in _XMLNS.finditer(self.head[start.start() : end])
        }

    def read(self, n: int = -1) -> bytes:
        if self._head:
            size = len(self._head) if n is None or n < 0 else n
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._stream.read(n)


def iter_xml(stream: Checked, label: str, tags: list[str] | None = None) -> Iterator[Any]:
    """Elements of a streamed XML document at their end (only ``tags``, when given), parsed as
    the bytes arrive (bounded memory: the caller clears what it has read); DTDs refused,
    malformed XML one line."""
    from lxml import etree

    events = etree.iterparse(stream, events=("end",), tag=tags, huge_tree=True, **_parser_options())
    try:
        for _, element in events:
            yield element
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{label}: malformed XML ({' '.join(str(exc.msg).split())})") from None
