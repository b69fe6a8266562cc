"""The quote an appendix prints for each code: the researcher's choice, else a documented rule.

For every active code, in this order:

1. the excerpt chosen with ``qualcode codebook example CODE EXCERPT`` (or the TUI's ``e`` key),
   while it still carries a coding of the code;
2. the quote imported with a printed codebook (its ``example`` in the YAML or CSV file);
3. the default rule: among the code's codings, take the participant with the most codings of it
   (ties: the participant listed first, sources with no participant last); among that
   participant's coded excerpts, the shortest complete sentence of at least
   :data:`MIN_SENTENCE_WORDS` words (a sentence the import's segmentation found wholly inside the
   excerpt); if there is none, that participant's shortest excerpt, whole;
4. none: the appendix prints :data:`NO_EXAMPLE`.

A quote is attributed as the thesis does (``Expert A: '...'``; a source with no participant is
named by its title) and cut to a number of words with ``[...]``. Codings are the ones the reports
count (:func:`qualcode.reports.counted_codings`): codings of merged codes have moved to the code
kept, excluded codes are not printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from qualcode.models import Code, Coding, Excerpt, Participant, Segment, Source

NO_EXAMPLE = "(no example)"
MIN_SENTENCE_WORDS = 5
TRIM_MARK = "[...]"


@dataclass(frozen=True)
class Quote:
    """A quote and who said it; ``origin`` is chosen, imported or default."""

    who: str | None
    text: str
    origin: str
    excerpt_id: int | None = None


def trim(text: str, max_words: int = 0) -> str:
    """The text on one line, cut after ``max_words`` words with ``[...]`` (0: never cut)."""
    words = text.split()
    if max_words > 0 and len(words) > max_words:
        return " ".join(words[:max_words]).rstrip(",;:") + " " + TRIM_MARK
    return " ".join(words)


def cite(quote: Quote | None, max_words: int = 0) -> str:
    """``Expert A: 'quote'`` as the thesis prints it, or :data:`NO_EXAMPLE`."""
    if quote is None or not quote.text.strip():
        return NO_EXAMPLE
    said = f"'{trim(quote.text, max_words)}'"
    return f"{quote.who}: {said}" if quote.who else said


def _excerpt_text() -> ColumnElement[str]:
    return func.substr(Source.text, Excerpt.start + 1, Excerpt.end - Excerpt.start)


def chosen(session: Session) -> dict[int, Quote]:
    """The excerpts chosen as examples, by code id: only while the excerpt still carries a
    coding of the code (a coding removed since leaves the code to the rules below)."""
    still_coded = (
        select(Coding.id)
        .where(Coding.excerpt_id == Code.example_excerpt_id, Coding.code_id == Code.id)
        .exists()
    )
    query = (
        select(Code.id, func.coalesce(Participant.pseudonym, Source.title), _excerpt_text())
        .add_columns(Excerpt.id)
        .join(Excerpt, Excerpt.id == Code.example_excerpt_id)
        .join(Source, Source.id == Excerpt.source_id)
        .outerjoin(Participant, Participant.id == Source.participant_id)
        .where(Code.status == "active", still_coded)
    )
    return {cid: Quote(who, text, "chosen", eid) for cid, who, text, eid in session.execute(query)}


def imported(session: Session) -> dict[int, Quote]:
    """The quotes imported with a printed codebook, by code id."""
    query = (
        select(Code.id, Participant.pseudonym, Code.example_quote)
        .outerjoin(Participant, Participant.id == Code.example_participant_id)
        .where(Code.status == "active", Code.example_quote.is_not(None))
    )
    return {cid: Quote(who, text or "", "imported") for cid, who, text in session.execute(query)}


def default(session: Session, code_ids: set[int] | None = None) -> dict[int, Quote]:
    """The default rule's quote for every active code with codings (or only ``code_ids``)."""
    from qualcode.reports import Filters, counted_codings

    query = counted_codings(
        Filters(),
        Coding.code_id,
        Source.participant_id,
        func.coalesce(Participant.position, 2**30),
        func.coalesce(Participant.pseudonym, Source.title),
        Excerpt.id,
        Excerpt.source_id,
        Excerpt.start,
        Excerpt.end,
        _excerpt_text(),
    )
    if code_ids is not None and len(code_ids) <= 100:  # one code (the TUI): read only its codings
        query = query.where(Coding.code_id.in_(code_ids))
    per_code: dict[int, list[tuple[Any, ...]]] = {}
    for row in session.execute(query):
        if code_ids is None or row[0] in code_ids:
            per_code.setdefault(row[0], []).append(tuple(row))
    picked: dict[int, list[tuple[Any, ...]]] = {}
    for code_id, rows in per_code.items():
        tally: dict[int | None, list[int]] = {}
        for _, who, position, *_rest in rows:
            tally.setdefault(who, [0, position])[0] += 1
        best = min(tally, key=lambda p: (-tally[p][0], tally[p][1], p is None, p or 0))
        # one row per excerpt (two coders on one excerpt are two codings, one quote)
        picked[code_id] = list({r[4]: r for r in rows if r[1] == best}.values())
    sources = {r[5] for rows in picked.values() for r in rows}
    sentences: dict[int, list[tuple[int, int]]] = {}
    if sources:
        for source_id, start, end in session.execute(
            select(Segment.source_id, Segment.start, Segment.end)
            .where(Segment.kind == "sentence", Segment.source_id.in_(sources))
            .order_by(Segment.source_id, Segment.start)
        ):
            sentences.setdefault(source_id, []).append((start, end))
    return {code_id: _shortest(rows, sentences) for code_id, rows in picked.items()}


def _shortest(rows: list[tuple[Any, ...]], sentences: dict[int, list[tuple[int, int]]]) -> Quote:
    """The shortest complete sentence of enough words in these excerpts, else the shortest
    excerpt (rows: code, participant, position, who, excerpt id, source, start, end, text)."""
    candidates = []
    for row in rows:
        _, _, _, who, excerpt_id, source_id, start, end, text = row
        for s_start, s_end in sentences.get(source_id, []):
            if s_start >= start and s_end <= end:
                sentence = " ".join(text[s_start - start : s_end - start].split())
                words = len(sentence.split())
                if words >= MIN_SENTENCE_WORDS:
                    candidates.append((words, len(sentence), excerpt_id, s_start, who, sentence))
    if candidates:
        *_, who, sentence = min(candidates)
        return Quote(who, sentence, "default", min(candidates)[2])
    row = min(rows, key=lambda r: (len(r[8].split()), len(r[8]), r[4]))
    return Quote(row[3], " ".join(row[8].split()), "default", row[4])


def examples(session: Session, code_ids: set[int] | None = None) -> dict[int, Quote]:
    """Each active code's quote by the order above, of all codes or only ``code_ids`` (codes
    with none are absent)."""
    out = chosen(session)
    for code_id, quote in imported(session).items():
        out.setdefault(code_id, quote)
    active = set(session.scalars(select(Code.id).where(Code.status == "active")))
    if code_ids is not None:
        active &= code_ids
        out = {k: v for k, v in out.items() if k in active}
    missing = active - set(out)
    if missing:
        out.update(default(session, missing))
    return out


def example_of(session: Session, code: Code) -> Quote | None:
    """One code's quote, as the appendix prints it."""
    return examples(session, {code.id}).get(code.id)
