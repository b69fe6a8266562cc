"""Addresses of places to code, one parser for the CLI, ``code --from``, the TUI and reports.

=====================  =====================================================================
``#12``                excerpt 12
``SOURCE:120-245``     characters 120 to 245 (end exclusive) of SOURCE
``SOURCE:s3``          the 3rd sentence of SOURCE, counted over the whole source
``SOURCE:p2``          the 2nd paragraph
``SOURCE:p15.s5``      the 5th sentence of the 15th paragraph
``SOURCE:t4``          the 4th speaker turn (segments of kind ``turn``, made for transcripts)
=====================  =====================================================================

SOURCE is a title (matched by ``qualcode.names.fold``) or an id (``7`` or ``#7``); numbers count
from 1. A title may itself contain colons: the address part is the text after the last one.

The parser needs only the standard library (the light path of ``qualcode code`` uses it without
SQLAlchemy); ``resolve`` looks the address up through a Session, with the statements of
qualcode.coding_statements.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import InputError
from qualcode.wording import counted

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

KINDS = {"s": "sentence", "p": "paragraph", "t": "turn"}
USAGE = "use #EXCERPT, SOURCE:START-END, SOURCE:sN, SOURCE:pN, SOURCE:pN.sM or SOURCE:tN"
_ADDRESS = re.compile(
    r"^(?P<source>.+):(?:"
    r"(?P<start>\d+)-(?P<end>\d+)"
    r"|p(?P<paragraph>\d+)\.s(?P<sentence>\d+)"
    r"|(?P<kind>[spt])(?P<index>\d+)"
    r")$",
    re.IGNORECASE,
)

Span = tuple[int, int]


@dataclass(frozen=True)
class Target:
    """A place to code: a source and a character range in its text."""

    source_id: int
    start: int
    end: int


@dataclass(frozen=True)
class Address:
    """A parsed address; which fields are set says which form it was."""

    source: str | None = None  # None for an excerpt
    excerpt: int | None = None
    start: int | None = None  # a character range
    end: int | None = None
    kind: str | None = None  # "sentence", "paragraph" or "turn", with index
    index: int | None = None
    paragraph: int | None = None  # pN.sM: paragraph N, sentence ``index`` = M within it

    def __str__(self) -> str:
        if self.excerpt is not None:
            return f"#{self.excerpt}"
        return f"{self.source}:{self.unit}"

    @property
    def unit(self) -> str:
        """The part after the colon: ``120-245``, ``s3``, ``p2``, ``p15.s5``, ``t4``."""
        if self.start is not None:
            return f"{self.start}-{self.end}"
        if self.paragraph is not None:
            return f"p{self.paragraph}.s{self.index}"
        return f"{self.kind[0]}{self.index}" if self.kind else ""


def parse(ref: str) -> Address:
    """Read an address; anything else is a one-line error saying which forms there are."""
    text = ref.strip()
    if text.startswith("#") and text[1:].isdigit():
        return Address(excerpt=int(text[1:]))
    match = _ADDRESS.match(text)
    if match is None or not match["source"].strip():
        raise InputError(f"cannot read {ref!r} as a place to code: {USAGE}")
    source = match["source"].strip()
    if match["start"] is not None:
        return Address(source=source, start=int(match["start"]), end=int(match["end"]))
    if match["paragraph"] is not None:
        return Address(
            source=source,
            kind="sentence",
            index=int(match["sentence"]),
            paragraph=int(match["paragraph"]),
        )
    return Address(source=source, kind=KINDS[match["kind"].lower()], index=int(match["index"]))


def unit_params(
    source_id: int, kind: str, index: int, within: Span | None = None
) -> dict[str, object]:
    """The parameters of ``coding_statements.unit`` / ``unit_count`` (``within``: their
    ``_within`` forms) for the index-th unit; both paths of ``code`` give the same."""
    params: dict[str, object] = {"source_id": source_id, "kind": kind, "skip": index - 1}
    return params if within is None else params | {"lo": within[0], "hi": within[1]}


def _nth(
    session: Session, source_id: int, kind: str, index: int, within: Span | None = None
) -> Span | int:
    """The (start, end) of the index-th unit of that kind, or how many there are."""
    from qualcode import coding_statements

    params = unit_params(source_id, kind, index, within)
    nested = within is not None
    if index >= 1:
        row = session.execute(coding_statements.unit(nested), params).first()
        if row is not None:
            return (row.start, row.end)
    return session.scalar(coding_statements.unit_count(nested), params) or 0


def resolve(session: Session, ref: str | Address) -> Target:
    """The source and character range an address names, checked against the stored segments."""
    from qualcode import coding_statements, lookup

    address = parse(ref) if isinstance(ref, str) else ref
    if address.excerpt is not None:
        excerpt = session.scalar(coding_statements.EXCERPT_BY_ID, {"id": address.excerpt})
        if excerpt is None:
            raise InputError(f"no excerpt #{address.excerpt}")
        return Target(excerpt.source_id, excerpt.start, excerpt.end)
    assert address.source is not None  # every form but #EXCERPT names its source
    source = lookup.get_source(session, address.source)
    if address.start is not None and address.end is not None:
        return Target(source.id, address.start, address.end)
    assert address.kind is not None and address.index is not None  # a unit: pN, sN, tN
    within = None
    if address.paragraph is not None:
        found = _nth(session, source.id, "paragraph", address.paragraph)
        if not isinstance(found, tuple):
            raise InputError(
                f"source {source.title!r} has no paragraph {address.paragraph} "
                f"(it has {counted(found, 'paragraph')})"
            )
        within = found
    found = _nth(session, source.id, address.kind, address.index, within)
    if not isinstance(found, tuple):
        where = f"paragraph {address.paragraph} of " if within else ""
        raise InputError(
            f"{where}source {source.title!r} has no {address.kind} {address.index} "
            f"(it has {counted(found, address.kind)})"
        )
    return Target(source.id, *found)


def unit_of(paragraphs: Sequence[Span], sentences: Sequence[Span], start: int, end: int) -> str:
    """The shortest address of a range within its source: ``p15.s5`` when it is exactly one
    sentence, ``p15`` when it is a paragraph, else ``START-END``. Spans are sorted by start."""
    p = bisect.bisect_right(paragraphs, (start, float("inf"))) - 1
    if p >= 0 and paragraphs[p] == (start, end):
        return f"p{p + 1}"
    s = bisect.bisect_left(sentences, (start, end))
    if p >= 0 and s < len(sentences) and sentences[s] == (start, end):
        p_start, p_end = paragraphs[p]
        if p_start <= start and end <= p_end:
            first = bisect.bisect_left(sentences, (p_start, -1))
            return f"p{p + 1}.s{s - first + 1}"
    return f"{start}-{end}"
