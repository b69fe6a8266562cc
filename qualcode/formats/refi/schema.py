"""REFI-QDA names and the small conventions qualcode adds on top of the standard.

The standard's XSDs (QDA-XML 1.0) allow no foreign attributes or elements, so what REFI has no
place for (a code's status, reported count, a theme's parent) travels as a ``[qualcode] {json}``
line at the end of a ``Description``: valid for every tool, readable by people, and parsed back
by qualcode. See docs/refi.md for the full mapping.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import uuid
from typing import Any

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "qualcode"
PROJECT_ENTRY = "project.qde"
SOURCES_DIR = "sources"
INTERNAL = "internal://"
DEFAULT_PROJECT_NAME = "qualcode project"
UNKNOWN_CODER = "unknown"

VENDOR_MARK = "[qualcode] "
_TRAILER = re.compile(r"(?:\n\n|^)\[qualcode\] (\{.*\})\s*\Z", re.S)

# Stable namespace for the GUIDs qualcode derives (variables, notes of coding memos), so that
# exporting the same project twice gives the same GUIDs without storing them.
GUID_NAMESPACE = uuid.UUID("6b1f7f3e-2f5c-4c38-9a57-8d2f3c1e9a10")

# Participant columns that travel as REFI case variables (name in the file -> column).
CASE_FIELDS = {
    "Organisation": "organisation",
    "Role": "role",
    "Location": "location",
    "Mode": "mode",
    "Interview date": "interview_date",
}
CASE_FIELD_ALIASES = {
    "organisation": "organisation",
    "organization": "organisation",
    "role": "role",
    "location": "location",
    "mode": "mode",
    "interview date": "interview_date",
    "date": "interview_date",
}
# Source columns that travel as REFI source variables.
SOURCE_FIELDS = {"Source kind": "kind", "Language": "language"}
SOURCE_FIELD_ALIASES = {"source kind": "kind", "language": "language"}

GUID_RE = re.compile(
    r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?"
)
RGB_RE = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")


@functools.cache
def tag(name: str, ns: str = PROJECT_NS) -> str:
    """The Clark name (``{ns}name``) lxml uses for an element."""
    return f"{{{ns}}}{name}"


def derived_guid(*parts: str) -> str:
    """A GUID that is the same every time for the same parts (no storage needed)."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(parts)))


def variable_guid(name: str) -> str:
    return derived_guid("variable", name)


def coding_note_guid(coding_guid: str) -> str:
    return derived_guid("coding-memo", coding_guid)


@functools.lru_cache(maxsize=1 << 16)
def normal_guid(value: str | None) -> str | None:
    """A GUID as qualcode stores it: lower case, no braces; None when it is not a GUID."""
    if not value or not GUID_RE.fullmatch(value.strip()):
        return None
    return value.strip().strip("{}").lower()


def normal_colour(value: str | None) -> str | None:
    """``#RRGGBB`` (upper case) from ``#RGB``/``#RRGGBB``; None for anything else."""
    if not value or not RGB_RE.fullmatch(value.strip()):
        return None
    hexa = value.strip()[1:]
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    return "#" + hexa.upper()


@functools.lru_cache(maxsize=1 << 16)
def format_datetime(value: dt.datetime | None) -> str | None:
    """xsd:dateTime in UTC to the second (qualcode stores naive UTC)."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


@functools.lru_cache(maxsize=1 << 16)
def parse_datetime(value: str | None) -> dt.datetime | None:
    """An xsd:dateTime as naive UTC, to the second; None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


def with_trailer(text: str | None, data: dict[str, Any]) -> str | None:
    """``text`` plus a ``[qualcode] {json}`` line holding ``data`` (nothing added if empty)."""
    if not data:
        return text
    line = VENDOR_MARK + json.dumps(data, ensure_ascii=False, sort_keys=True)
    return f"{text}\n\n{line}" if text else line


def split_trailer(text: str | None) -> tuple[str | None, dict[str, Any]]:
    """The description without qualcode's trailer, and the trailer's data ({} if none/bad)."""
    if not text:
        return text or None, {}
    match = _TRAILER.search(text)
    if not match:
        return text, {}
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return text, {}
    if not isinstance(data, dict):
        return text, {}
    rest = text[: match.start()]
    return (rest or None), data
