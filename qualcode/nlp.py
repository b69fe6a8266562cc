"""Paragraphs and sentences of a text, and person names (spaCy) for anonymisation.

Without ``--model`` sentences come from ``qualcode.sentence_rules`` (English, Russian and Kazakh
rules at once, no spaCy, nothing downloaded). A named pipeline (an installed package or a folder)
is loaded lazily, once, with ``spacy.load`` and used for sentences (its parser or senter) and
person names (NER). Every offset returned here indexes the text given, the stored source text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING

from qualcode.errors import InputError

if TYPE_CHECKING:
    from spacy.language import Language

Span = tuple[int, int]
Progress = Callable[[int], None]

# Components a trained pipeline needs for sentence boundaries; the rest is switched off.
SENTENCE_COMPONENTS = ("tok2vec", "transformer", "parser", "senter", "sentencizer")
PERSON_LABELS = ("PERSON", "PER")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_BATCH_CHARS = 200_000
# A paragraph longer than this (a whole book on one line) goes to spaCy in pieces cut after a
# sentence end followed by a capital (else at a space: no sentence is that long), so that no Doc
# holds millions of tokens (a 30 MB line took over 1 GB); ordinary paragraphs are never cut.
_PIECE_CHARS = 100_000
_PIECE_CUT = re.compile(r"[.!?…]['\"»”’)]*\s+(?=[\"«“‘(]*[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")


def pipeline(language: str, model: str) -> Language:
    """The trained spaCy pipeline ``model`` (sentences by rule need none: ``sentence_rules``)."""
    return _trained(model)


@cache
def _trained(model: str) -> Language:
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError:
        raise InputError(
            f"spaCy pipeline {model!r} is not installed (qualcode never downloads one); "
            "install it or leave out --model"
        ) from None
    if not {"parser", "senter", "sentencizer"} & set(nlp.pipe_names):
        nlp.add_pipe("sentencizer")
    nlp.max_length = 10**9  # we feed paragraphs, never a whole text at once
    return nlp


@cache
def installed_ner(language: str) -> str | None:
    """An installed trained pipeline with an entity recogniser for ``language`` (e.g.
    en_core_web_sm), or a multi-language one; None when there is none (qualcode works without)."""
    import spacy

    names = sorted(spacy.util.get_installed_models())
    for prefix in (f"{language}_", "xx_"):
        for name in names:
            if name.startswith(prefix) and "ner" in _trained(name).pipe_names:
                return name
    return None


def paragraphs(text: str) -> list[Span]:
    """Paragraph spans, trimmed of surrounding white space.

    Text with blank lines is split at blank lines (a hard-wrapped paragraph stays whole); text
    without any blank line is split at every line break (one paragraph per line).
    """
    separator = re.compile(r"\n[^\S\n]*\n\s*" if _BLANK_LINE.search(text) else r"\n\s*")
    spans: list[Span] = []
    pos = 0
    for match in separator.finditer(text):
        _add_trimmed(text, pos, match.start(), spans)
        pos = match.end()
    _add_trimmed(text, pos, len(text), spans)
    return spans


def _add_trimmed(text: str, start: int, end: int, spans: list[Span]) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        lead = len(chunk) - len(chunk.lstrip())
        spans.append((start + lead, start + lead + len(stripped)))


def _pieces(text: str, spans: list[Span]) -> Iterator[Span]:
    """The spans, each longer than _PIECE_CHARS cut after a sentence end (else after a space)
    every _PIECE_CHARS characters or less."""
    for start, end in spans:
        while end - start > _PIECE_CHARS:
            cut = _PIECE_CUT.search(text, start + _PIECE_CHARS // 2, start + _PIECE_CHARS)
            if cut is not None:
                at = cut.end()
            else:
                space = text.rfind(" ", start + 1, start + _PIECE_CHARS)
                if space < 0:
                    break  # one word of 100,000 characters: left whole
                at = space + 1
            yield start, at
            start = at
        yield start, end


def _batches(text: str, spans: list[Span], cut: bool = True) -> Iterator[list[Span]]:
    """Spans in groups of about _BATCH_CHARS characters; ``cut``: long paragraphs in pieces
    (for spaCy's Docs; the sentence rules read any length without that memory)."""
    from qualcode.batches import by_size

    return by_size(_pieces(text, spans) if cut else spans, _span_size, _BATCH_CHARS)


def _span_size(span: Span) -> int:
    return span[1] - span[0]


def sentences(
    text: str,
    paras: list[Span],
    language: str = "en",
    model: str | None = None,
    progress: Progress | None = None,
    abbreviations: tuple[str, ...] = (),
) -> list[Span]:
    """Sentence spans within the given paragraphs (a sentence never crosses a paragraph).

    Without ``model`` the rules of ``qualcode.sentence_rules`` decide (every language at once, no
    spaCy); with one, its pipeline does, through ``nlp.pipe`` with only the components that set
    sentence boundaries. ``progress`` is called with the characters done after each batch.
    """
    if model is None:
        from qualcode import sentence_rules

        spans: list[Span] = []
        for batch in _batches(text, paras, cut=False):
            spans += sentence_rules.split(text, batch, abbreviations)
            if progress is not None:
                progress(batch[-1][1])
        return spans
    nlp = pipeline(language, model)
    keep = [name for name in nlp.pipe_names if name in SENTENCE_COMPONENTS]
    spans = []
    with nlp.select_pipes(enable=keep):
        for batch in _batches(text, paras):
            docs = nlp.pipe((text[s:e] for s, e in batch), batch_size=256)
            for (p_start, _p_end), doc in zip(batch, docs, strict=True):
                for sent in doc.sents:
                    _add_trimmed(text, p_start + sent.start_char, p_start + sent.end_char, spans)
            if progress is not None:
                progress(batch[-1][1])
    return spans


def person_names(text: str, language: str, model: str) -> list[Span]:
    """Spans a trained pipeline's NER labels as persons."""
    nlp = pipeline(language, model)
    if "ner" not in nlp.pipe_names and "entity_ruler" not in nlp.pipe_names:
        raise InputError(f"spaCy pipeline {model!r} has no named-entity recogniser")
    found: list[Span] = []
    paras = paragraphs(text)
    docs = nlp.pipe(text[s:e] for s, e in paras)
    for (p_start, _), doc in zip(paras, docs, strict=True):
        found.extend(
            (p_start + ent.start_char, p_start + ent.end_char)
            for ent in doc.ents
            if ent.label_ in PERSON_LABELS
        )
    return found
