"""What a REFI-QDA ``startPosition``/``endPosition`` counts, per writer, and conversion both ways.

The standard says "characters"; the vendors differ. NVivo counts UTF-16 code units (a character
outside the Basic Multilingual Plane, such as an emoji, counts 2) and counts a Windows CR+LF as 2;
ATLAS.ti counts a line break as 1; Python tools (QualCoder, Taguette, qualcode) count code points.
None counts a byte-order mark. qualcode stores every text with LF line breaks and no BOM (as
``qualcode import`` does) and its offsets are code points of that text, so reading converts the
file's positions into that space, and writing converts back for the intended reader.

When the file's ``origin`` names no known writer, the evidence decides: the reading that puts
most selection edges on word boundaries wins (the standard's code points on a tie).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_CRLF = re.compile("\r\n")
EVIDENCE_SAMPLE = 400


@dataclass(frozen=True)
class Convention:
    """How positions count: UTF-16 code units or code points; a CR+LF as 2 or as 1."""

    utf16: bool
    crlf_one: bool

    @property
    def label(self) -> str:
        unit = "UTF-16 code units" if self.utf16 else "code points"
        newline = "a line break as 1" if self.crlf_one else "CR+LF as 2"
        return f"{unit}, {newline}"


STANDARD = Convention(utf16=False, crlf_one=False)
NVIVO = Convention(utf16=True, crlf_one=False)
ATLAS = Convention(utf16=False, crlf_one=True)
CANDIDATES = (STANDARD, NVIVO, ATLAS, Convention(utf16=True, crlf_one=True))

# (substring of the origin attribute, lower case) -> convention; first match wins.
KNOWN_ORIGINS: tuple[tuple[str, Convention], ...] = (
    ("nvivo", NVIVO),
    ("atlas", ATLAS),
    ("qualcoder", STANDARD),
    ("taguette", STANDARD),
    ("qualcode", STANDARD),
)
# What ``refi export --for`` writes: the positions' convention, the text's line breaks and BOM.
TARGETS = {
    "standard": (STANDARD, "\n", False),
    "nvivo": (NVIVO, "\r\n", True),
    "atlas": (ATLAS, "\r\n", False),
    "maxqda": (STANDARD, "\n", False),
}
READER_NAMES = {
    "standard": "the REFI-QDA standard",
    "nvivo": "NVivo",
    "atlas": "ATLAS.ti",
    "maxqda": "MAXQDA",
}


def for_origin(origin: str | None) -> Convention | None:
    """The convention of a writer named in ``origin``; None when unknown (evidence decides)."""
    low = (origin or "").lower()
    return next((conv for key, conv in KNOWN_ORIGINS if key in low), None)


class TextPositions:
    """Converts positions in one convention over a raw text to offsets in its normalised text.

    ``raw`` is the text as the file holds it (BOM removed, line breaks as written); the
    normalised text is ``raw`` with CR+LF and lone CR turned into LF.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.normal = raw.replace("\r\n", "\n").replace("\r", "\n")
        self.crlf = [m.start() for m in _CRLF.finditer(raw)]  # CR indices in raw
        # Astral characters: code point indices in raw and in normal, for UTF-16 counting (a
        # lone CR becomes LF one for one, so without CR+LF the two lists are the same).
        self.astral_raw = [m.start() for m in _ASTRAL.finditer(raw)]
        self.astral_normal = (
            [m.start() for m in _ASTRAL.finditer(self.normal)] if self.crlf else self.astral_raw
        )

    def relevant(self) -> tuple[Convention, ...]:
        """The conventions that read this text differently (the rest coincide)."""
        return tuple(
            c
            for c in CANDIDATES
            if (not c.utf16 or self.astral_raw) and (not c.crlf_one or self.crlf)
        )

    def to_normal(self, position: int, conv: Convention) -> int | None:
        """The normalised offset of ``position``; None when it falls outside the text or inside
        a surrogate pair (a UTF-16 position between the two halves of one character)."""
        if position < 0:
            return None
        astral = self.astral_normal if conv.crlf_one else self.astral_raw
        base_len = len(self.normal) if conv.crlf_one else len(self.raw)
        cp = position
        if conv.utf16 and astral:
            # Astral character i (0-based) starts at UTF-16 unit astral[i] + i.
            lo, hi = 0, len(astral)
            while lo < hi:  # how many astral characters end at or before ``position``
                mid = (lo + hi) // 2
                if astral[mid] + mid + 2 <= position:
                    lo = mid + 1
                else:
                    hi = mid
            if lo < len(astral) and astral[lo] + lo + 1 == position:
                return None  # between the high and the low surrogate
            cp = position - lo
        if cp > base_len:
            return None
        if not conv.crlf_one and self.crlf:
            cp -= bisect_left(self.crlf, cp)  # each CR before ``cp`` of a CR+LF goes away
        return cp

    def splits_a_pair(self, position: int, conv: Convention) -> bool:
        """Whether a UTF-16 ``position`` falls between the two halves of one character."""
        astral = self.astral_normal if conv.crlf_one else self.astral_raw
        if not conv.utf16 or not astral:
            return False
        starts = [a + i for i, a in enumerate(astral)]  # each astral character's first unit
        i = bisect_left(starts, position - 1)
        return i < len(starts) and starts[i] + 1 == position

    def from_normal(self, offset: int, conv: Convention, newline: str) -> int:
        """The position of normalised ``offset`` in ``conv`` over the text written with
        ``newline`` line breaks (the inverse of :meth:`to_normal` for an exported text)."""
        position = offset
        if newline == "\r\n" and not conv.crlf_one:
            position += self.normal.count("\n", 0, offset)
        if conv.utf16:
            position += bisect_left(self.astral_normal, offset)
        return position


def _boundary(text: str, i: int) -> bool:
    """Whether offset ``i`` lies between words (or at an end), not inside a word or a
    character and its combining accent."""
    if i <= 0 or i >= len(text):
        return True
    after = text[i]
    if unicodedata.category(after).startswith("M"):
        return False
    return not (text[i - 1].isalnum() and after.isalnum())


def guess(positions: TextPositions, spans: list[tuple[int, int]]) -> Convention:
    """The convention under which most of ``spans`` start and end between words."""
    candidates = positions.relevant()
    if len(candidates) <= 1 or not spans:
        return STANDARD
    sample = spans[:EVIDENCE_SAMPLE]
    text = positions.normal

    def score(conv: Convention) -> int:
        hits = 0
        for start, end in sample:
            a, b = positions.to_normal(start, conv), positions.to_normal(end, conv)
            if a is None or b is None or a >= b:
                continue
            hits += _boundary(text, a) + _boundary(text, b)
        return hits

    scores = [(score(c), -n, c) for n, c in enumerate(candidates)]
    return max(scores, key=lambda s: (s[0], s[1]))[2]
