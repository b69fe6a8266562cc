"""Ranking codes for the picker: recent codes first when nothing is typed, else fuzzy matches.

A few letters should find a code whatever part of its name they come from ("lang pol" finds
"Language policy"), so names are scored with rapidfuzz's WRatio and prefix matches are lifted.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

CUTOFF = 50


def rank(query: str, names: dict[int, str], recent: Sequence[int] = ()) -> list[int]:
    """Code ids in the order the picker lists them."""
    query = query.strip()
    recent_rank = {code_id: i for i, code_id in enumerate(recent) if code_id in names}
    if not query:
        rest = sorted((c for c in names if c not in recent_rank), key=lambda c: names[c].lower())
        return sorted(recent_rank, key=recent_rank.get) + rest
    wanted = utils.default_process(query)
    scored = []
    for name, score, code_id in process.extract(
        query,
        names,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=CUTOFF,
        limit=None,
    ):
        plain = utils.default_process(name)
        if plain.startswith(wanted):
            score += 20
        elif wanted in plain:
            score += 10
        if code_id in recent_rank:
            score += 5
        scored.append((-score, name.lower(), code_id))
    return [code_id for *_, code_id in sorted(scored)]
