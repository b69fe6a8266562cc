"""Ranking codes for the picker: recent codes first when nothing is typed, else what the
researcher most likely means.

Typed words are read as the beginnings of a name's words ("bal loc" means "Balance of local and
foreign employees"), so a name matches in tiers: the same name, a name starting with what was
typed, each typed word starting a word of the name in order, then in any order, then each typed
word inside the name. Those are the *matches*; within a tier, recent codes and rapidfuzz's WRatio
order them. Names only similar by rapidfuzz (a typo: "remitances") come after as *suggestions*,
never first: the picker offers "+ new code" before them, so Enter never applies an unrelated code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from qualcode.names import fold, sort_key

CUTOFF = 60  # WRatio a suggestion needs


@dataclass(frozen=True)
class Ranking:
    """Ids of codes that match what was typed, best first, then suggestions (similar names)."""

    matches: list[int]
    suggestions: list[int]

    @property
    def ids(self) -> list[int]:
        return self.matches + self.suggestions


def _starts_in_order(typed: list[str], words: list[str]) -> bool:
    at = 0
    for word in typed:
        while at < len(words) and not words[at].startswith(word):
            at += 1
        if at == len(words):
            return False
        at += 1
    return True


def _starts_any_order(typed: list[str], words: list[str]) -> bool:
    free = list(words)
    for word in typed:
        hit = next((w for w in free if w.startswith(word)), None)
        if hit is None:
            return False
        free.remove(hit)
    return True


def _plain(text: str) -> str:
    """A name as matching sees it: folded (qualcode.names), punctuation dropped."""
    return utils.default_process(fold(text))


def tier(query: str, name: str) -> int | None:
    """How well a name matches what was typed: 0 (the same) to 4 (words inside it), or None."""
    typed, plain = _plain(query), _plain(name)
    if not typed:
        return None
    if typed == plain:
        return 0
    if plain.startswith(typed):
        return 1
    words, typed_words = plain.split(), typed.split()
    if _starts_in_order(typed_words, words):
        return 2
    if _starts_any_order(typed_words, words):
        return 3
    if all(w in plain for w in typed_words):
        return 4
    return None


def ranking(query: str, names: dict[int, str], recent: Sequence[int] = ()) -> Ranking:
    """Matches and suggestions for ``query`` (everything, recent first, when nothing is typed)."""
    query = query.strip()
    recent_rank = {code_id: i for i, code_id in enumerate(recent) if code_id in names}
    if not query:
        rest = sorted((c for c in names if c not in recent_rank), key=lambda c: sort_key(names[c]))
        return Ranking(sorted(recent_rank, key=lambda c: recent_rank[c]) + rest, [])
    scores = {
        code_id: score
        for _name, score, code_id in process.extract(
            query, names, scorer=fuzz.WRatio, processor=_plain, limit=None
        )
    }
    matched, similar = [], []
    for code_id, name in names.items():
        level = tier(query, name)
        order = (recent_rank.get(code_id, len(recent_rank)), -scores.get(code_id, 0), len(name))
        if level is not None:
            matched.append(((level, *order, sort_key(name)), code_id))
        elif scores.get(code_id, 0) >= CUTOFF:
            similar.append(((-scores[code_id], sort_key(name)), code_id))
    return Ranking([c for _k, c in sorted(matched)], [c for _k, c in sorted(similar)])


def rank(query: str, names: dict[int, str], recent: Sequence[int] = ()) -> list[int]:
    """Code ids in the order the picker lists them: matches, then suggestions."""
    return ranking(query, names, recent).ids
