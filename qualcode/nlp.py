"""The spaCy side of qualcode: paragraphs and sentences, and person names for anonymisation.

spaCy loads lazily and only once per (language, model). Without ``--model`` a blank pipeline with
the rule-based sentencizer is used, so nothing is ever downloaded; languages spaCy has no blank
class for (Kazakh) get the multi-language one. A named pipeline (an installed package or a folder)
is loaded with ``spacy.load`` and used for sentences (its parser or senter) and person names (NER).
Every offset returned here indexes the text given, which is the stored source text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError

if TYPE_CHECKING:
    from spacy.language import Language

Span = tuple[int, int]
Progress = Callable[[int], None]

# Components a trained pipeline needs for sentence boundaries; the rest is switched off.
SENTENCE_COMPONENTS = ("tok2vec", "transformer", "parser", "senter", "sentencizer")
PERSON_LABELS = ("PERSON", "PER")
# Street and title abbreviations common in the notes: their full stop must not end a sentence.
ABBREVIATIONS = (
    *("str.", "St.", "hwy.", "ave.", "Ave.", "blvd.", "Prof.", "Dr.", "Mr.", "Mrs.", "Ms."),
    *("ул.", "пр.", "пер.", "мкр.", "д.", "г.", "обл.", "им.", "т.е.", "т.д.", "т.п.", "Др."),
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_BATCH_CHARS = 200_000
# A paragraph longer than this (a whole book on one line) goes to spaCy in pieces cut after a
# sentence end followed by a capital (else at a space: no sentence is that long), so that no Doc
# holds millions of tokens (a 30 MB line took over 1 GB); ordinary paragraphs are never cut.
_PIECE_CHARS = 100_000
_PIECE_CUT = re.compile(r"[.!?…]['\"»”’)]*\s+(?=[\"«“‘(]*[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")
# A blank pipeline that has been through a big text runs the next one at about half speed
# (measured; its caches do not shrink). Building a fresh one costs ~0.3 s, so big texts get one.
FRESH_PIPELINE_CHARS = 2_000_000


def pipeline(language: str = "en", model: str | None = None) -> Language:
    """A blank pipeline with a sentencizer for ``language``, or the trained ``model``."""
    return _trained(model) if model else _blank(language)


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
def _blank(language: str) -> Language:
    import spacy

    try:
        nlp = spacy.blank(language)
    except ImportError:
        nlp = spacy.blank("xx")
    _lean_tokenizer(nlp)
    nlp.add_pipe("sentencizer")
    nlp.max_length = 10**9
    return nlp


def _lean_tokenizer(nlp: Language) -> None:
    """Tokenize only as finely as sentence boundaries need.

    The blank pipeline's tokens serve only the sentencizer, which looks for sentence-final
    punctuation. The language's own exceptions ("Dr.", "e.g.", "т.е.") and ours stay, so their
    full stops end no sentence; punctuation is split off the ends of words and between a lower-
    and an upper-case letter ("grew.Now"), but URLs, hyphens and other infixes are left whole.
    That keeps the boundaries of the full rules at about 1.5 times their speed (see
    benchmarks/bench_import.py).
    """
    from spacy.lang.char_classes import ALPHA_LOWER, ALPHA_UPPER
    from spacy.pipeline.sentencizer import Sentencizer
    from spacy.symbols import ORTH

    closing = "".join(Sentencizer.default_punct_chars) + ",;:)]}\"'»”’…"
    tokenizer: Any = nlp.tokenizer  # spaCy types it as a callable; it is a Tokenizer
    tokenizer.url_match = None
    tokenizer.prefix_search = re.compile(r"^[(\[{\"'«“‘„¿¡]").search
    tokenizer.suffix_search = re.compile(f"[{re.escape(closing)}]$").search
    tokenizer.infix_finditer = re.compile(rf"(?<=[{ALPHA_LOWER}])[.!?](?=[{ALPHA_UPPER}])").finditer
    for abbreviation in ABBREVIATIONS:
        tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])


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


def _batches(text: str, spans: list[Span]) -> Iterator[list[Span]]:
    batch: list[Span] = []
    size = 0
    for span in _pieces(text, spans):
        batch.append(span)
        size += span[1] - span[0]
        if size >= _BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def sentences(
    text: str,
    paras: list[Span],
    language: str = "en",
    model: str | None = None,
    progress: Progress | None = None,
) -> list[Span]:
    """Sentence spans within the given paragraphs (a sentence never crosses a paragraph).

    Paragraphs go through ``nlp.pipe`` with only the components that set sentence boundaries;
    ``progress`` is called with the number of characters done after each batch.
    """
    if model is None and len(text) >= FRESH_PIPELINE_CHARS:
        _blank.cache_clear()
    nlp = pipeline(language, model)
    keep = [name for name in nlp.pipe_names if name in SENTENCE_COMPONENTS]
    spans: list[Span] = []
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
