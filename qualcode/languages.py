"""Which language a paragraph is in (English, Russian or Kazakh), by its letters, offline.

English, Russian and Kazakh are told apart by their alphabets, so no model is needed (and nothing
is ever downloaded): a paragraph whose letters are mostly Cyrillic is Kazakh when at least
``KAZAKH_SHARE`` of its Cyrillic words have a letter only Kazakh uses (ә ғ қ ң ө ұ ү һ і), else
Russian; a paragraph of mostly Latin letters is English (qualcode's Latin-script default), and one
with no letters at all takes the language of the paragraph before it. It runs at several million
words per second (see benchmarks/bench_import.py), and ``--language`` overrides it.
"""

from __future__ import annotations

import re

DEFAULT = "en"
KAZAKH_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
# Half the words of Kazakh prose have such a letter; a Russian paragraph quoting a Kazakh name
# ("Нүсіпова") has one in ten or fewer.
KAZAKH_SHARE = 0.2
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# Runs of letters, counted by their lengths: one string per word, not one per letter.
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
# From a word's first Kazakh letter to its end: one match per Cyrillic word that has one.
_KAZAKH_WORD = re.compile(f"[{KAZAKH_LETTERS}][\u0400-\u04ff]*")


def detect(text: str, previous: str = DEFAULT) -> str:
    """``en``, ``ru`` or ``kk`` for a paragraph; ``previous`` when it has no letters."""
    if _CYRILLIC.search(text) is None:  # most paragraphs of English notes: no counting at all
        return DEFAULT if _LATIN.search(text) else previous
    words = _CYRILLIC_WORD.findall(text)
    if sum(map(len, _LATIN_WORD.findall(text))) >= sum(map(len, words)):
        return DEFAULT
    kazakh = len(_KAZAKH_WORD.findall(text))
    return "kk" if kazakh and kazakh >= KAZAKH_SHARE * len(words) else "ru"


def dominant(languages: list[tuple[str, int]]) -> str:
    """The language with the most characters among (language, characters) pairs."""
    totals: dict[str, int] = {}
    for language, size in languages:
        totals[language] = totals.get(language, 0) + size
    return max(totals, key=totals.__getitem__) if totals else DEFAULT
