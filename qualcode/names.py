"""One rule for the names users type: sources, codes, themes, participants, coders, attributes.

Two spellings are the same name when they fold to the same key: Unicode NFC, then
``str.casefold`` (every script, not only ASCII: "Бюрократия" = "бюрократия", "Әлеуметтік" =
"ӘЛЕУМЕТТІК"). The key is computed here, in Python, and stored beside the name in a ``name_key``
column with a unique index, so SQLite and PostgreSQL compare the same thing and the database itself
refuses a second spelling. ``sort_key`` orders names the same way everywhere, independent of the
machine's locale, with Kazakh letters in the Kazakh alphabet's order (each right after its base
letter: а ә б ... г ғ ... к қ ... н ң ... о ө ... у ұ ү ... х һ ... ы і ...).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

# The Kazakh Cyrillic alphabet, which contains the Russian one in Russian order (ё after е).
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
# Letters of the alphabet sort as consecutive private-use characters (after Latin, as Cyrillic
# does by code point), so that no locale or ICU is needed.
_ORDER = {ord(ch): chr(0xE000 + i) for i, ch in enumerate(KAZAKH_ALPHABET)}


def fold(name: str) -> str:
    """The key two spellings of one name share: trimmed, NFC, case-folded (NFC again, since
    case folding can decompose)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name.strip()).casefold())


def same(a: str, b: str) -> bool:
    """Whether two spellings name the same thing."""
    return fold(a) == fold(b)


def sort_key(text: str | None) -> tuple[str, str]:
    """A locale-independent sort key: letters first compared without accents (Latin "ä" next to
    "a"), Cyrillic in Kazakh alphabet order; ties broken by the folded text itself."""
    if not text:
        return ("", "")
    folded = fold(text)
    mapped = folded.translate(_ORDER)
    primary = "".join(
        ch for ch in unicodedata.normalize("NFD", mapped) if not unicodedata.combining(ch)
    )
    return (primary, folded)


def sorted_names(names: Iterable[str]) -> list[str]:
    return sorted(names, key=sort_key)


def suggestions(typed: str, candidates: Sequence[str], limit: int = 3) -> list[str]:
    """The nearest names to a miss, never one that is the typed name itself (folded)."""
    from rapidfuzz import process

    key = fold(typed)
    by_key: dict[str, str] = {}
    for name in candidates:
        folded = fold(name)
        if folded != key:
            by_key.setdefault(folded, name)
    best = process.extract(key, list(by_key), limit=limit, score_cutoff=60)
    return [by_key[b[0]] for b in best]


def did_you_mean(typed: str, candidates: Sequence[str]) -> str:
    """`` (did you mean 'x', 'y'?)`` or nothing."""
    best = suggestions(typed, candidates)
    return f" (did you mean {', '.join(repr(b) for b in best)}?)" if best else ""


def collision_message(kind: str, new: str, existing: str) -> str:
    """The one-line refusal of a second spelling of an existing name."""
    if new.strip() == existing:
        return f"{kind} {existing!r} exists already"
    return (
        f"{kind} {new.strip()!r} is the same name as {existing!r}, which exists already "
        "(names ignore case and Unicode normalisation)"
    )
