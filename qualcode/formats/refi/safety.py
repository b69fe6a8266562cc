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
from pathlib import Path, PurePosixPath

from qualcode.errors import InputError

MAX_ENTRY_BYTES = 1 << 30  # one inflated entry (project.qde of 500,000 codings is ~250 MB)
MAX_TOTAL_BYTES = 2 << 30  # everything read from one archive
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


class SafeZip:
    """A zip archive opened for bounded, in-memory reading of its entries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read_total = 0
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{path}: not a readable zip archive ({exc})") from None
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise InputError(f"{path}: {len(infos)} entries, more than {MAX_ENTRIES}; refused")
        declared = 0
        self._by_name: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            problem = check_entry_name(info.filename)
            if problem:
                self.close()
                raise InputError(f"{path}: zip entry {info.filename!r} {problem}; refused")
            declared += info.file_size
            self._by_name.setdefault(info.filename.replace("\\", "/").lower(), info)
        if declared > MAX_TOTAL_BYTES:
            self.close()
            raise InputError(
                f"{path}: entries would inflate to {declared:,} bytes, more than the limit of "
                f"{MAX_TOTAL_BYTES:,}; refused"
            )

    def find(self, name: str) -> str | None:
        """The stored name of an entry, matched without regard to case or slash style."""
        info = self._by_name.get(name.replace("\\", "/").lstrip("/").lower())
        return info.filename if info else None

    def names(self) -> list[str]:
        return [info.filename for info in self._by_name.values()]

    def read(self, name: str) -> bytes:
        """An entry's bytes, stopped as soon as it inflates beyond the limits."""
        info = self._by_name[name.replace("\\", "/").lower()]
        limit = min(MAX_ENTRY_BYTES, MAX_TOTAL_BYTES - self.read_total)
        if info.file_size > limit:
            raise InputError(
                f"{self.path}: {name} would inflate to {info.file_size:,} bytes, more than the "
                f"limit of {limit:,}; refused"
            )
        parts: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as fh:
                while chunk := fh.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise InputError(
                            f"{self.path}: {name} inflates beyond the limit of {limit:,} bytes "
                            "(a zip bomb?); refused"
                        )
                    parts.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise InputError(f"{self.path}: {name} cannot be read ({exc})") from None
        self.read_total += size
        return b"".join(parts)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parse_xml(data: bytes, label: str):
    """The root element of an XML document, refusing DTDs; InputError names ``label``."""
    from lxml import etree

    head = data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: look for the DOCTYPE decoded
        head = data[: 1 << 16].decode("utf-16", errors="ignore").encode("utf-8")
    root_start = _ROOT_START.search(head)
    prolog = head[: root_start.start()] if root_start else head[:4096]
    if _DOCTYPE.search(prolog):
        raise InputError(f"{label}: declares a DTD (<!DOCTYPE ...>); refused for safety")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
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
