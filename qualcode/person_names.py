"""Person names found by rules, in English, Russian and Kazakh, Latin and Cyrillic script.

No trained model is needed. The text is cut into words; a word is a *seed* of a name when
  - it has the shape of a surname or patronymic (-ов/-ова/-ев/-ин/-ский/-енко/-ұлы/-қызы,
    -ov/-ova/-yev/-bayev/-bekov/-uly/-kyzy/-ovich ..., also with Russian or Kazakh case endings),
  - it is a first name of the hand-written lists (any usual Latin spelling) or a given name,
    surname or patronymic of the Russian dictionary of pymorphy3,
  - it stands beside initials ("G.N. Nyussupova", "Delovarova L.F.", "Smith, J."),
  - a cue stands beside it: a title or role before ("Prof.", "programmer Andrey",
    "респондент"), a verb of saying after ("Andrey said", "Айгерім деді"), a footnote mark
    ("Issina³"), "et al.", or a separate "ұлы"/"қызы"/"uly"/"kyzy".
Capitalised words joined to a seed by a single space (or initials by their full stop) make one
name ("Corresponding Author: Nurlan Baigabylov" gives "Nurlan Baigabylov"). A run followed by an
institution word ("Nazarbayev University", "Satpayev Str.") is not a person. A word found as
part of a name anywhere in the text is a name wherever else it appears capitalised ("Andrey").
Footnote marks (¹²³) never count as letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from qualcode import name_lists as lists

# A letter: \w without digits, the underscore, and super/subscript digits (¹²³⁴...).
LETTER = r"[^\W\d_\u00b2\u00b3\u00b9\u2070-\u209f]"
NOT_LETTER_BEFORE = rf"(?<!{LETTER})"
NOT_LETTER_AFTER = rf"(?!{LETTER})"
_WORD = re.compile(rf"{LETTER}+(?:['’\-]{LETTER}+)*")
_FOOTNOTE = re.compile(r"[\u00b2\u00b3\u00b9\u2070-\u2079*]+")
_FOOTNOTE_MARK = re.compile(r"[\u00b2\u00b3\u00b9\u2070-\u2079]")  # not "*": Markdown italics
_DIGRAPH_INITIALS = {"Zh", "Sh", "Ch", "Kh", "Ts", "Yu", "Ya", "Ye", "Yo", "Dzh"}
_SPACE = re.compile(r"[ \u00a0]{1,2}")
_WRAP = re.compile(r"[ \u00a0]?\n[ \u00a0]*")
_INITIAL_GAP = re.compile(r"\.[ \u00a0]?")
_SENTENCE_END = set(".!?\n")
_KK_CASE = (
    "тың|тің|дың|дің|ның|нің|қа|ке|ға|ге|на|не|ты|ті|ды|ді|ны|ні|та|те|да|де|нда|нде|тан|тен"
    "|дан|ден|нан|нен|пен|бен|мен|ға|ке|а|е|н"
)
_CYR_SURNAME = re.compile(
    rf"(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ой|е|ых|ому|ого|ой)?$"
    rf"|(?:ов|ев|ин|ова|ева|ина)(?:{_KK_CASE})$"
    r"|(?:ск|цк)(?:ий|ая|ого|ому|ой|им|ую)$|енко$"
)
_CYR_PATRONYMIC = re.compile(
    r"(?:ович|евич|ич|овн|евн|ичн|иничн)(?:а|у|ем|е|ом|ы|ой)?$|(?:ұлы|улы|қызы|кызы)$"
)
_LAT_SURNAME = re.compile(
    r"(?:ov|ova|ev|eva|yev|yeva|iev|ieva|yov|yova|enko|sky|skiy|skii|skaya|ska|bayev|bayeva"
    r"|baev|baeva|bekov|bekova|uly|kyzy|qyzy|uulu|zade|shvili|dze|ovs|ova's|ov's)$"
)
_LAT_PATRONYMIC = re.compile(r"(?:ovich|evich|ovna|evna|ichna)$")
_WEAK_SURNAME = re.compile(r"(?:in|ina|yn|yna|bay|bai|ich|uk|yuk|chuk|yan|ian)$")
_SEPARATE_PATRONYMIC = {"ұлы", "улы", "қызы", "кызы", "uly", "kyzy", "qyzy", "uulu"}
_ET_AL = re.compile(r"[ \u00a0]+et\.? al\b")
_INITIAL = r"(?:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]|Zh|Sh|Ch|Kh|Yu|Ya|Ye)\."
_REFERENCE_INITIAL = re.compile(rf",[ \u00a0]?{_INITIAL}(?:[ \u00a0]?{_INITIAL}){{0,2}}")


@dataclass
class _Token:
    start: int
    end: int
    text: str
    low: str
    capital: bool
    initial: bool
    sentence_start: bool
    seed: bool = False
    weak: bool = False
    stop: bool = False


@cache
def _morph() -> Any:  # pymorphy3.MorphAnalyzer | None
    try:
        import pymorphy3
    except ImportError:  # an optional speed-up of recall; the rules work without it
        return None
    return pymorphy3.MorphAnalyzer()


def _cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


@cache
def _dictionary_class(word: str) -> str | None:
    """'name' when pymorphy3's Russian dictionary knows the word as a given name, surname or
    patronymic; 'common' when it knows it only as some other word (or a place); else None."""
    morph = _morph()
    if morph is None:
        return None
    if not morph.word_is_known(word):
        return None  # its guesses for unknown (e.g. Kazakh) words are no evidence
    parses = morph.parse(word)
    name_score = sum(p.score for p in parses if {"Name", "Surn", "Patr"} & p.tag.grammemes)
    place_score = sum(p.score for p in parses if {"Geox", "Orgn"} & p.tag.grammemes)
    if name_score >= 0.15 and name_score > place_score:  # "Астану" is the city, not "Астан"
        return "name"
    return "common"


def _common_russian(token: _Token) -> bool:
    """A word of the Russian dictionary (not a name) opening a sentence ("Авторы", "Причина")."""
    return (
        token.sentence_start
        and _cyrillic(token.low)
        and _dictionary_class(token.text.capitalize()) == "common"
    )


_KK_ENDINGS = tuple(sorted(set(_KK_CASE.split("|")), key=len, reverse=True))


@cache
def _stems(low: str) -> tuple[str, ...]:
    """The word and the word without a Kazakh case ending or an English possessive."""
    stems = [low]
    for ending in ("'s", "’s"):
        if low.endswith(ending):
            stems.append(low[: -len(ending)])
    if _cyrillic(low):
        stems += [low[: -len(e)] for e in _KK_ENDINGS if low.endswith(e) and len(low) - len(e) >= 3]
    return tuple(stems)


def base_form(word: str) -> str:
    """A name without case endings, to tell whether two mentions are one person ("Андрею",
    "Андрей"; "Айгерімнің", "Айгерім"; "Nurlan's", "Nurlan")."""
    low = word.lower()
    if _cyrillic(low) and (morph := _morph()) is not None and morph.word_is_known(low):
        for parse in morph.parse(low):
            if {"Name", "Surn", "Patr"} & parse.tag.grammemes:
                return str(parse.normal_form)
    for stem in _stems(low):
        if stem != low and (is_first_name(stem) or _CYR_SURNAME.search(stem)):
            return stem
    return low.rstrip("'’")


def is_first_name(low: str) -> bool:
    """A first name of the lists, also inflected or with a Kazakh honorific ("Kenzhebek-ata")."""
    names = lists.FIRST_NAMES_CYRILLIC if _cyrillic(low) else lists.first_names_latin()
    if any(stem in names for stem in _stems(low)):
        return True
    head, _, tail = low.partition("-")
    return bool(tail) and tail in lists.HONORIFIC_SUFFIXES and head in names


def _name_shaped(token: _Token) -> bool:
    """A surname, patronymic or first name by its form or the word lists."""
    low = token.low
    if _cyrillic(low):
        if is_first_name(low):
            return True
        known = _dictionary_class(token.text.capitalize())
        if known == "name":
            return True
        if known == "common" and token.sentence_start:
            return False
        return bool(_CYR_SURNAME.search(low) or _CYR_PATRONYMIC.search(low)) and len(low) >= 5
    if is_first_name(low):
        return True
    return bool(_LAT_SURNAME.search(low) or _LAT_PATRONYMIC.search(low)) and len(low) >= 5


def _tokens(text: str, lower_case: set[str]) -> list[_Token]:
    """The words of the text; ``lower_case`` holds the words the whole text has in lower case."""
    tokens: list[_Token] = []
    for m in _WORD.finditer(text):
        word = m.group()
        capital = word[0].isupper()
        if not capital:  # a lower-case word only matters as a cue or a break between names
            tokens.append(_Token(m.start(), m.end(), word, word.lower(), False, False, False))
            continue
        before = text[max(0, m.start() - 12) : m.start()].rstrip(" \t\u00a0\"'«“(")
        before = _FOOTNOTE.sub("", before[-3:]) if before else ""
        sentence_start = not before or before[-1] in _SENTENCE_END
        if not before and m.start() > 12:  # a long run of spaces: look further back
            before = text[max(0, m.start() - 400) : m.start()].rstrip()[-3:]
            sentence_start = not before or before[-1] in _SENTENCE_END
        initial = text.startswith(".", m.end()) and (len(word) == 1 or word in _DIGRAPH_INITIALS)
        tokens.append(_Token(m.start(), m.end(), word, word.lower(), True, initial, sentence_start))
    for k, token in enumerate(tokens):
        if token.initial or not token.capital:
            continue  # only capitalised words can be names
        before_initial = k + 1 < len(tokens) and tokens[k + 1].initial
        token.stop = (
            len(token.text) < 2
            or any(stem in lists.NOT_NAMES for stem in _stems(token.low))
            or token.low.rstrip(".") in lists.INSTITUTION_AFTER
            or token.low in lists.CUES_BEFORE
            or (
                (token.low in lower_case or (_common_russian(token) and not before_initial))
                and not _name_shaped(token)
            )
        )
    return tokens


def _joined(text: str, a: _Token, b: _Token) -> bool:
    """Whether ``b`` continues the name that ``a`` is part of."""
    if not (b.capital and not b.stop) and b.low not in _SEPARATE_PATRONYMIC:
        return False
    if a.initial:
        return bool(_INITIAL_GAP.fullmatch(text, a.end, b.start))
    gap = _FOOTNOTE.sub("", text[a.end : b.start])
    if _SPACE.fullmatch(gap):
        return True
    # a name broken by a hard line wrap ("Gulnara\nBekmukhambetova"): only onto a surname or
    # first name, so an author line does not run into the affiliation below it
    return bool(_WRAP.fullmatch(gap)) and b.capital and _name_shaped(b)


def _cue_gap(cue: _Token, gap: str) -> bool:
    """Whether a cue word stands right before a name: a full stop may part them only after a
    title or an abbreviated role ("Prof. Andrey", "проф. Иванов"); after a role written out it
    ends a sentence ("I am a programmer. Visas were slow")."""
    if re.fullmatch(r"\s+", gap):
        return True
    abbreviated = cue.capital or cue.low in lists.TITLES or len(cue.low) <= 4
    return abbreviated and bool(re.fullmatch(r"\.\s+", gap))


def _mark_seeds(text: str, tokens: list[_Token], known: set[str]) -> None:
    for i, token in enumerate(tokens):
        if not token.capital or token.stop or token.initial:
            continue
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        low = token.low
        ambiguous = low in lists.AMBIGUOUS_FIRST and token.sentence_start
        if not ambiguous and (any(s in known for s in _stems(low)) or _name_shaped(token)):
            token.seed = True
        elif not _cyrillic(low) and _WEAK_SURNAME.search(low) and len(low) >= 5:
            token.weak = True
        gap_before = text[prev.end : token.start] if prev else ""
        if (
            prev
            and prev.low in lists.CUES_BEFORE
            and _cue_gap(prev, gap_before)
            # a role word is written in lower case; capitalised mid-sentence it is part of a
            # name ("NGO Kandas Support"), unless it is a title ("Prof.", "Minister")
            and (not prev.capital or prev.sentence_start or prev.low in lists.TITLES)
        ):
            token.seed = True
        gap_after = text[token.end : nxt.start] if nxt else ""
        if (
            nxt
            and nxt.low in lists.CUES_AFTER
            and _SPACE.fullmatch(gap_after)
            and not low.endswith("ing")  # "Having said that"
        ):
            token.seed = True
        if nxt and nxt.low in _SEPARATE_PATRONYMIC and _SPACE.fullmatch(gap_after):
            token.seed = True
        if _FOOTNOTE_MARK.match(text, token.end) and len(low) >= 3:
            token.seed = True
        if _ET_AL.match(text, token.end) or _REFERENCE_INITIAL.match(text, token.end):
            token.seed = True


def _institution_follows(text: str, tokens: list[_Token], after: int) -> bool:
    """An institution word within the next three words of the same phrase ("Nazarbayev
    University", "Gumilyov Eurasian National University")."""
    for k in range(after, min(after + 3, len(tokens))):
        token = tokens[k]
        gap = _FOOTNOTE.sub("", text[tokens[k - 1].end : token.start]) if k else " "
        if not (_SPACE.fullmatch(gap) or tokens[k - 1].initial or gap.startswith(".")):
            return False
        if token.low.rstrip(".") in lists.INSTITUTION_AFTER:
            return True
        if not token.capital:
            return False
    return False


def _runs(text: str, tokens: list[_Token]) -> list[tuple[int, int]]:
    """(first, last) token indexes of the names: runs of joined words holding a seed."""
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.capital or (token.stop and not token.initial):
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and _joined(text, tokens[j], tokens[j + 1]):
            if tokens[j].initial and not tokens[j + 1].initial and not tokens[i].initial:
                break  # "Нұрғалиева Ә.К. Ауыл жастарының...": the title of a reference follows
            j += 1
        run = tokens[i : j + 1]
        words = [t for t in run if not t.initial]
        has_initials = len(words) < len(run)
        named = any(t.seed for t in run) or (has_initials and words)
        weak_pair = len(words) >= 2 and any(t.weak for t in words)
        prev = tokens[i - 1] if i else None
        named_after = (  # "университет имени Абая", but not "по имени Гульсара"
            prev is not None
            and prev.low in lists.INSTITUTION_BEFORE
            and not (i >= 2 and tokens[i - 2].low == "по")
        )
        institution = _institution_follows(text, tokens, j + 1) or named_after
        if institution and has_initials:  # "Ахметов Д. Абай даңғылы": the street is not his
            last_initial = max(k for k in range(i, j + 1) if tokens[k].initial)
            if any(not t.initial for t in tokens[i:last_initial]):
                j, institution = last_initial, False
        if words and (named or weak_pair) and not institution:
            found.append((i, j))
        i = j + 1
    return found


# Long texts are read in pieces of about this many characters, cut at blank lines, so that the
# words of a 50 MB file are never all held at once.
CHUNK_CHARS = 200_000
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def _chunks(text: str) -> list[tuple[int, int]]:
    chunks: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > CHUNK_CHARS:
        cut = _BLANK_LINE.search(text, start + CHUNK_CHARS)
        if cut is None:
            break
        chunks.append((start, cut.end()))
        start = cut.end()
    chunks.append((start, len(text)))
    return chunks


_AND = {"and", "и", "және", "or", "или", "with"}


def _coordinated(text: str, tokens: list[_Token], runs: list[tuple[int, int]]) -> list[int]:
    """A full name joined to a name by "and" or a comma is a name too ("Natalie Koch and
    Sebastien Peyrouse"): the indexes of its words. Two or three capitalised words only."""
    found: list[int] = []
    for _, last in runs:
        k = last + 1
        if (
            k < len(tokens)
            and tokens[k].low in _AND
            and _SPACE.fullmatch(text, tokens[last].end, tokens[k].start)
        ):
            k += 1
        elif not re.fullmatch(
            r",[ \u00a0]", text[tokens[last].end : tokens[k].start] if k < len(tokens) else ""
        ):
            continue
        words = [k]
        while (
            words[-1] + 1 < len(tokens)
            and len(words) < 4
            and _joined(text, tokens[words[-1]], tokens[words[-1] + 1])
        ):
            words.append(words[-1] + 1)
        named = [tokens[w] for w in words]
        if (
            2 <= len(named) <= 3
            and all(t.capital and not t.stop and not t.initial for t in named)
            and not _institution_follows(text, tokens, words[-1] + 1)
        ):
            found += words
    return found


def _find_in(
    text: str, known: set[str], lower_case: set[str]
) -> tuple[list[tuple[int, int]], set[str]]:
    """Names in one piece of text, and the words of the names found."""
    tokens = _tokens(text, lower_case)
    _mark_seeds(text, tokens, known)
    runs = _runs(text, tokens)
    # A word seen in a name is a name wherever else it stands capitalised ("Andrey" again);
    # a full name after "and" is a name. Each round may find more; three rounds at most.
    seen = set(known)
    for _ in range(3):
        words = {
            t.low
            for first, last in runs
            for t in tokens[first : last + 1]
            if not t.initial and len(t.low) >= 3
        }
        joined = [k for k in _coordinated(text, tokens, runs) if not tokens[k].seed]
        if not (words - seen or joined):
            break
        seen |= words
        _mark_seeds(text, tokens, seen)
        for k in joined:
            tokens[k].seed = True
        runs = _runs(text, tokens)
    spans: list[tuple[int, int]] = []
    run_starts = {tokens[first].start for first, _ in runs}
    for first, last in runs:
        end = tokens[last].end
        if tokens[last].initial:
            end += 1  # the full stop of "Delovarova L.F."
        elif (m := _REFERENCE_INITIAL.match(text, end)) and (
            # "Laruelle, M.", but in "Baigabylov, G.N. Nyussupova" the initials are the next name's
            end + len(m.group()) - len(m.group().lstrip(", \u00a0")) not in run_starts
        ):
            end = m.end()
        spans.append((tokens[first].start, end))
    return spans, seen


def find(text: str, known: Iterable[str] = ()) -> list[tuple[int, int]]:
    """(start, end) of each person name in ``text``; a trailing initial keeps its full stop.

    ``known`` words (lower case) are names wherever they stand capitalised.
    """
    known_words = {w.lower() for w in known}
    # words the text has in lower case: their capitalised forms are ordinary words
    lower_case = {w.lower() for w in _WORD.findall(text) if not w[0].isupper()}
    chunks = _chunks(text)
    found = [_find_in(text[s:e], known_words, lower_case) for s, e in chunks]
    seen = set().union(*(words for _, words in found))
    if len(chunks) > 1 and seen - known_words:  # names of one piece are names in the others
        found = [_find_in(text[s:e], known_words | seen, lower_case) for s, e in chunks]
    return [
        (c + s, c + e) for (c, _), (spans, _) in zip(chunks, found, strict=True) for s, e in spans
    ]
