"""Sentences and paragraphs of a source: the units a coder moves through and selects.

Segment rows (made when a source is imported) are used when a source has them; otherwise
paragraphs come from ``nlp.paragraphs`` and sentences from ``sentence_rules``, the same rules an
import uses. Units never include the surrounding whitespace, so a selected unit is exactly the
words a coder would quote.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from qualcode import sentence_rules
from qualcode.addresses import unit_of
from qualcode.nlp import paragraphs as split_paragraphs

Span = tuple[int, int]


def split_sentences(text: str, paragraphs: Iterable[Span]) -> list[Span]:
    """Sentences inside each paragraph, so that no sentence crosses a paragraph break."""
    return sentence_rules.split(text, paragraphs)


@dataclass
class Units:
    """Sorted, non-overlapping paragraph and sentence spans of one text."""

    paragraphs: list[Span]
    sentences: list[Span]

    @classmethod
    def of(cls, text: str, segments: Iterable[tuple[str, int, int]] = ()) -> Units:
        """Units from Segment rows (kind, start, end) when given, else split from the text."""
        found: dict[str, list[Span]] = {"paragraph": [], "sentence": []}
        for kind, start, end in segments:
            found.setdefault(kind, []).append((start, end))
        paragraphs = sorted(found["paragraph"]) or split_paragraphs(text)
        sentences = sorted(found["sentence"]) or split_sentences(text, paragraphs)
        return cls(paragraphs, sentences)

    @staticmethod
    def _at(spans: list[Span], offset: int) -> int | None:
        """Index of the span containing ``offset`` (or the nearest one before it)."""
        if not spans:
            return None
        index = bisect.bisect_right(spans, (offset, float("inf"))) - 1
        return max(index, 0)

    def sentence_at(self, offset: int) -> Span | None:
        index = self._at(self.sentences, offset)
        return None if index is None else self.sentences[index]

    def paragraph_at(self, offset: int) -> Span | None:
        index = self._at(self.paragraphs, offset)
        return None if index is None else self.paragraphs[index]

    def address(self, start: int, end: int) -> str:
        """What to type after ``SOURCE:`` for this range (``p15.s5``, ``p2`` or ``120-245``)."""
        return unit_of(self.paragraphs, self.sentences, start, end)

    def next_sentence(self, offset: int, step: int = 1) -> Span | None:
        return self._step(self.sentences, offset, step)

    def next_paragraph(self, offset: int, step: int = 1) -> Span | None:
        return self._step(self.paragraphs, offset, step)

    def _step(self, spans: list[Span], offset: int, step: int) -> Span | None:
        """The unit ``step`` units after (or before, if negative) the one holding ``offset``."""
        if not spans:
            return None
        if step > 0:
            index = bisect.bisect_right(spans, (offset, float("inf")))
            return spans[min(index, len(spans) - 1)]
        index = bisect.bisect_left(spans, (offset, -1)) - 1
        return spans[max(index, 0)]
