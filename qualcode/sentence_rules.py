"""Sentence boundaries for English, Russian and Kazakh text, by rule, offline and fast.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (and runs of them), with any closing quotes and
brackets after it, where the next word starts with a capital letter or a digit (after any opening
quotes, brackets or dashes), and not when the full stop belongs to

* initials: one letter and a full stop, alone or in a row ("G.N. Nyussupova", "Г.Н. Нүсіпова",
  "Деловарова Л.Ф.", "Алматы қ.");
* a dotted abbreviation of short parts ("e.g.", "i.e.", "Ph.D.", "и.о.", "д.г.д.", "м.а.",
  "ғ.к."), except those that usually close a list and so may end a sentence ("etc.", "т.д.",
  "т.п.", "т.б.", "т.с.с."): before a capital these end it;
* a word in ``ABBREVIATIONS`` or the project's own list ("Dr.", "Str.", "et al.", "проф.", "ул.",
  "канд.", "көш.");
* a sentence that has no letters yet (a list number: "1. Introduction").

A full stop directly between two lower-case letters and a capital ("grew.Now") ends a sentence
too. All three languages' abbreviations apply in every paragraph: they are written in different
scripts, so one language's abbreviation is never another's sentence-final word, and a document
that mixes the three needs no ``--language``. The quotes and brackets around a sentence stay with
it: an opening quote after a full stop starts the next sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

Span = tuple[int, int]

ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "en": (
        *("al", "approx", "art", "assoc", "ave", "blvd", "cf", "ch", "co", "corp", "dept"),
        *("dr", "ed", "eds", "eq", "est", "fig", "figs", "gen", "gov", "hon", "hwy", "jr"),
        *("lt", "mr", "mrs", "ms", "mt", "nos", "prof", "pp", "rd", "rep", "rev", "sen"),
        *("sgt", "sr", "st", "str", "univ", "viz", "vol", "vols", "vs"),
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
    ),
    "ru": (
        *("акад", "англ", "букв", "вып", "гг", "гл", "доц", "докт", "др", "зам", "зав", "изд"),
        *("им", "ист", "канд", "каз", "кв", "коп", "мкр", "млн", "млрд", "напр", "нач", "обл"),
        *("пед", "пер", "пл", "пос", "пр", "просп", "проф", "рис", "руб", "рус", "ред", "сб"),
        *("см", "совр", "ср", "ст", "стр", "табл", "техн", "тыс", "ул", "филол", "экон"),
        *("юрид", "биол", "геогр", "мед", "полит", "соц", "физ", "хим", "матем", "филос"),
        *("тел", "эл", "наб", "корп", "пгт", "р-н", "д-р"),
    ),
    "kk": (
        *("ауд", "аудан", "даңғ", "көш", "обл", "облысы", "проф", "доц", "акад", "ғыл", "жж"),
        *("бб", "құр", "мыс", "ред", "шақ", "тәж", "заң", "әл", "т-б"),
    ),
}
# Usually the last word of an enumeration: a capital after them starts a new sentence.
LIST_ENDINGS = frozenset({"etc", "т.д", "т.п", "т.б", "т.с.с", "т.с", "и.т.д"})
# "No." and "Nr." only with their capital: "no." ends many English sentences.
EXACT = frozenset({"No", "Nr", "Inc", "Ltd"})

_CLOSERS = "\"'”’»)]}"
_OPENERS = "\"'«“„‘([{—–-"
_CANDIDATE = re.compile(
    rf"[.!?…]+[{re.escape(_CLOSERS)}]*(?:\s+|(?<=[^\W\d_]{{2}}[.!?])(?=[^\W\d_]))"
)
_DOTTED = re.compile(r"^(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}$|^[^\W\d_]$")
_LETTER = re.compile(r"[^\W\d_]")


@cache
def _known(extra: frozenset[str]) -> frozenset[str]:
    words = {w.casefold() for words in ABBREVIATIONS.values() for w in words}
    return frozenset(words | {w.strip().rstrip(".").casefold() for w in extra if w.strip()})


def normalise_abbreviation(word: str) -> str:
    """How a project's own abbreviation is kept: without its final full stop, case-folded."""
    return word.strip().rstrip(".").casefold()


def _is_abbreviation(token: str, known: frozenset[str]) -> bool:
    token = token.lstrip(_OPENERS)
    if not token:
        return False
    folded = token.casefold()
    if folded in LIST_ENDINGS:
        return False
    return token in EXACT or folded in known or _DOTTED.match(token) is not None


def split(text: str, paragraphs: Iterable[Span], abbreviations: Iterable[str] = ()) -> list[Span]:
    """Sentence spans inside each paragraph (never across one), trimmed of white space."""
    known = _known(frozenset(abbreviations))
    spans: list[Span] = []
    for p_start, p_end in paragraphs:
        start = p_start
        for match in _CANDIDATE.finditer(text, p_start, p_end):
            after = match.end()
            if after >= p_end:
                break
            nxt = after
            while nxt < p_end and text[nxt] in _OPENERS:
                nxt += 1
            if nxt >= p_end or not (text[nxt].isupper() or text[nxt].isdigit()):
                continue
            punct_end = match.start()
            while punct_end < p_end and text[punct_end] in ".!?…":
                punct_end += 1
            glued = not text[match.end() - 1].isspace()
            if glued and not text[match.start() - 1].islower():
                continue
            if punct_end - match.start() == 1 and text[match.start()] == ".":
                word_start = match.start()
                while word_start > start and not text[word_start - 1].isspace():
                    word_start -= 1
                if not glued and _is_abbreviation(text[word_start : match.start()], known):
                    continue
            if _LETTER.search(text, start, match.start()) is None:
                continue
            end = match.end()
            while end > start and text[end - 1].isspace():
                end -= 1
            spans.append((start, end))
            start = after
        _add_trimmed(text, start, p_end, spans)
    return spans


def _add_trimmed(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
