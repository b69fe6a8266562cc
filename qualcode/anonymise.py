"""Anonymisation: finding what may identify someone, and replacing real names by pseudonyms.

``check`` lists person names (a trained spaCy NER when one is installed or named; otherwise rules:
honorifics and Russian/Kazakh patronymics), names from a private names file, e-mail addresses,
phone numbers (+7 / 8 formats and international ones), URLs, 12-digit Kazakh IIN/BIN numbers and
street addresses. It is a screen, not a proof: false positives are cheap, misses are not.

``apply`` replaces each real name of a map file by its pseudonym in every source and moves the
offsets of excerpts, segments and logged codings so that every coding still covers the same words.
The real names never reach the event log; only the map file's name and the counts do.
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from qualcode import events, lookup, person_names
from qualcode.errors import InputError
from qualcode.formats.inert import from_csv_cell
from qualcode.models import Event, Excerpt, ParticipantAttribute, Segment, Source

KINDS = ("person", "email", "phone", "url", "orcid", "iin", "address")
# What each kind becomes in a review file; persons get "Person N" instead.
LABELS = {
    "email": "[e-mail]",
    "phone": "[phone]",
    "url": "[URL]",
    "orcid": "[ORCID]",
    "iin": "[IIN]",
    "address": "[address]",
}
# Kinds that win an overlap: a name inside an e-mail or a URL is replaced with the whole of it.
_WHOLE = ("email", "orcid", "url", "phone", "iin", "address", "person")

_UP = "А-ЯЁӘҒҚҢӨҰҮҺІ"  # Russian and Kazakh capitals
_CAP = rf"[{_UP}][\w-]+"
_LATIN_STREET = r"(?i:str\.|st\.|street|ave\.|avenue|hwy\.|highway|rd\.|road|blvd\.|boulevard|lane)"
_RU_STREET = (
    r"(?i:ул\.|улица|пр\.|пр-т|проспект|мкр\.?|микрорайон|пер\.|переулок|бул\.|бульвар"
    r"|ш\.|шоссе|пл\.|площадь)"
)
_HOUSE = r"\d+[a-zA-Zа-яА-Я]?(?:/\d+)?(?!\d)"
_ORCID = r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]"
_TLD = r"(?:kz|ru|uz|kg|com|org|net|edu|gov|int|io|info|de|uk|eu)"

PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "orcid": re.compile(
        rf"(?:https?://)?(?:www\.)?orcid\.org/{_ORCID}(?![\w-])|(?<![\w-]){_ORCID}(?![\w-])"
    ),
    "url": re.compile(
        r"\b(?:https?://|www\.)[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?]"
        rf"|\b(?:[a-z0-9-]+\.)+{_TLD}/[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?]"
    ),
    "phone": re.compile(
        r"(?<![\w+])(?:\+7|8)[\s-]?\(?\d{3}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}(?!\d)"
        r"|(?<![\w+])\+\d{1,3}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d){6,10}(?!\d)"
    ),
    "iin": re.compile(r"(?<![\d+])\d{12}(?!\d)"),
    "address": re.compile(
        rf"\b(?:[A-Z][\w'-]+\s){{1,3}}{_LATIN_STREET}\s*,?\s*{_HOUSE}"
        rf"|\b\d+[A-Za-z]?,?\s(?:[A-Z][\w'-]+\s){{1,3}}{_LATIN_STREET}"
        rf"|{_RU_STREET}\s*{_CAP}(?:\s{_CAP}){{0,2}},?\s*(?:д\.\s*)?{_HOUSE}"
        rf"|{_CAP}\s(?i:көшесі|даңғылы|ауданы)\s*,?\s*{_HOUSE}"
    ),
}


@dataclass(frozen=True)
class Finding:
    """Something in a source that may identify a person."""

    source_id: int
    source: str
    start: int
    end: int
    text: str
    kind: str


def read_names(path: Path) -> list[str]:
    """Real names, one per line ('#' starts a comment); a multi-word name also adds its parts."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    return with_parts(line.split("#", 1)[0] for line in lines)


def with_parts(names: Iterable[str]) -> list[str]:
    """The names and, of a multi-word name, each word of three letters or more."""
    found: set[str] = set()
    for name in (n.strip() for n in names):
        if name:
            found.add(name)
            found.update(part for part in name.split() if len(part) >= 3)
    return sorted(found)


def _alternation(words: Iterable[str], flags: int = 0) -> re.Pattern[str] | None:
    """Whole words in any case; footnote marks and punctuation next to a word never block it."""
    ordered = sorted(set(words), key=len, reverse=True)
    if not ordered:
        return None
    alternatives = "|".join(map(re.escape, ordered))
    return re.compile(
        rf"{person_names.NOT_LETTER_BEFORE}(?:{alternatives}){person_names.NOT_LETTER_AFTER}", flags
    )


def _resolve(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlaps resolved: e-mails, ORCID iDs and URLs first, whole; then the longest."""
    found.sort(key=lambda f: (_WHOLE.index(f[2]), f[0], -f[1]))
    kept: list[tuple[int, int, str]] = []  # sorted by start, never overlapping
    for item in found:
        k = bisect.bisect_left(kept, item[:1])  # the first kept item starting at or after it
        if (k == len(kept) or item[1] <= kept[k][0]) and (k == 0 or kept[k - 1][1] <= item[0]):
            kept.insert(k, item)
    return kept


def scan(
    text: str,
    names: Iterable[str] = (),
    language: str = "en",
    model: str | None = None,
    seen: Iterable[str] = (),
) -> list[tuple[int, int, str]]:
    """(start, end, kind) of everything suspicious in ``text``, overlaps resolved.

    Person names come from the rules of ``person_names`` (no model needed), the ``names`` the
    project knows (any case), the words ``seen`` in names elsewhere (capitalised), and, when
    ``model`` names a trained spaCy pipeline, its NER as well.
    """
    names = list(names)
    found: list[tuple[int, int, str]] = []
    for kind, pattern in PATTERNS.items():
        found.extend((m.start(), m.end(), kind) for m in pattern.finditer(text))
    known = _name_words(names) | {w.lower() for w in seen}
    found.extend((s, e, "person") for s, e in person_names.find(text, known))
    if model:
        from qualcode import nlp

        found.extend((s, e, "person") for s, e in nlp.person_names(text, language, model))
    listed = _alternation(names, re.IGNORECASE)
    if listed is not None:
        found.extend((m.start(), m.end(), "person") for m in listed.finditer(text))
    return _resolve(found)


def _name_words(names: Iterable[str]) -> set[str]:
    return {word.lower() for name in names for word in name.split() if len(word) >= 3}


# Participant attributes whose values are real names the project already holds.
NAME_ATTRIBUTES = frozenset({"real name", "full name", "имя", "фио", "аты", "аты-жөні"})


def known_names(session: Session) -> list[str]:
    """Real names the project holds: participant attributes such as "name" or "ФИО"."""
    rows = session.scalars(select(ParticipantAttribute))
    return with_parts(a.value for a in rows if a.name.lower() in NAME_ATTRIBUTES and a.value)


def check(
    session: Session,
    refs: Iterable[str] = (),
    names_file: Path | None = None,
    model: str | None = None,
) -> list[Finding]:
    """Findings in the named sources (all when none are named), in source and offset order.

    Without ``model``, an installed trained pipeline for the source's language adds its NER.
    """
    from qualcode import nlp

    names = (read_names(names_file) if names_file else []) + known_names(session)
    refs = list(refs)
    if refs:
        sources = [lookup.get_source(session, ref) for ref in refs]
    else:
        sources = list(session.scalars(select(Source).order_by(Source.id)))
    found = {
        source.id: scan(
            source.text, names, source.language, model or nlp.installed_ner(source.language)
        )
        for source in sources
    }
    # A name found in one source is a name in the others too ("programmer Andrey" in one
    # interview, plain "Andrey" in the next): look again with the words of every name found.
    seen = {
        word
        for source in sources
        for start, end, kind in found[source.id]
        if kind == "person"
        for word in _person_words(source.text[start:end])
        if len(word) >= 3
    }
    if len(sources) > 1 and seen:
        for source in sources:
            use = model or nlp.installed_ner(source.language)
            found[source.id] = scan(source.text, names, source.language, use, seen)
    return [
        Finding(source.id, source.title, start, end, source.text[start:end], kind)
        for source in sources
        for start, end, kind in found[source.id]
    ]


# --- pseudonyms for a review file ------------------------------------------------------------


def _person_words(text: str) -> frozenset[str]:
    """The words of a name that tell one person from another: no initials, no case endings."""
    words = set()
    for m in re.finditer(rf"{person_names.LETTER}+(?:['’-]{person_names.LETTER}+)*", text):
        word = m.group()
        if len(word) > 1 and text[m.end() : m.end() + 1] != ".":
            words.add(person_names.base_form(word))
    return frozenset(words)


def replacements(findings: list[Finding], taken: Iterable[str] = ()) -> list[str]:
    """A replacement for each finding: "Person N" for names, the same N for the same person
    (a first name or surname alone joins the one full name that holds it), "[e-mail]",
    "[phone]"... for the rest. Numbers start after any "Person N" already in ``taken`` texts."""
    start = max((int(n) for t in taken for n in re.findall(r"\bPerson (\d+)\b", t)), default=0)
    keys = [_person_words(f.text) if f.kind == "person" else frozenset() for f in findings]
    groups = [k for k in dict.fromkeys(keys) if k]
    largest = [k for k in groups if not any(k < other for other in groups)]
    numbers: dict[frozenset[str], int] = {}
    out: list[str] = []
    for finding, key in zip(findings, keys, strict=True):
        if finding.kind != "person":
            out.append(LABELS[finding.kind])
            continue
        holders = [big for big in largest if key <= big]
        group = holders[0] if len(holders) == 1 else key
        if group not in numbers:
            numbers[group] = start + len(numbers) + 1
        out.append(f"Person {numbers[group]}")
    return out


REVIEW_COLUMNS = ["source", "offset", "text", "kind", "replacement"]


def review_rows(session: Session, findings: list[Finding]) -> list[list[object]]:
    """Rows of a review file: source, offset, text, kind and a suggested replacement."""
    rows = found_rows(session, findings)
    return [
        [r.source, r.offset, r.text, f.kind, r.replacement]
        for f, r in zip(findings, rows, strict=True)
    ]


# --- apply a map of real names to pseudonyms -------------------------------------------------


@dataclass(frozen=True)
class MapRow:
    """One row of a map: ``text`` becomes ``replacement`` at ``offset`` of ``source``, or, when
    those are empty, wherever it stands as a whole word (any case)."""

    row: int
    text: str
    replacement: str
    source: str | None = None
    offset: int | None = None

    @property
    def end(self) -> int:
        return (self.offset or 0) + len(self.text)

    def __str__(self) -> str:
        place = f" at {self.source}:{self.offset}" if self.source is not None else ""
        return f"row {self.row} {self.text!r}{place}"


_TEXT_COLUMNS = ("text", "real")
_REPLACEMENT_COLUMNS = ("replacement", "pseudonym")


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(f"{path}: row {reader.line_num}: malformed CSV ({exc})") from None
    return [(n, row) for n, row in rows if any(c.strip() for c in row)]


def read_map(path: Path) -> list[MapRow]:
    """Rows of a review file (``source,offset,text,kind,replacement``, as ``check --format csv``
    writes it) or of a hand-written ``real,pseudonym`` map (header optional).

    Refused, with the row and column, before anything is replaced: a malformed CSV, an empty
    replacement, two rows for the same place or overlapping places, a name mapped twice.
    """
    rows = _csv_rows(path)
    if not rows:
        raise InputError(f"{path}: no names to replace")
    header = [c.strip().lower() for c in rows[0][1]]
    columns = {"text": 0, "replacement": 1}
    width = 2
    if set(header) & {*_TEXT_COLUMNS, *_REPLACEMENT_COLUMNS}:
        text_col = next((header.index(c) for c in _TEXT_COLUMNS if c in header), None)
        repl_col = next((header.index(c) for c in _REPLACEMENT_COLUMNS if c in header), None)
        if text_col is None or repl_col is None:
            raise InputError(f"{path}: row 1: want a 'text' and a 'replacement' column")
        columns = {"text": text_col, "replacement": repl_col}
        columns |= {c: header.index(c) for c in ("source", "offset") if c in header}
        width = len(header)
        rows = rows[1:]
    out: list[MapRow] = []
    for number, row in rows:
        if len(row) != width:
            raise InputError(f"{path}: row {number}: want {width} cells, found {len(row)}")
        cell = {name: from_csv_cell(row[i].strip()) for name, i in columns.items()}
        for name in ("text", "replacement"):
            if not cell[name]:
                raise InputError(f"{path}: row {number}, column {name}: empty {name}")
        source = cell.get("source") or None
        offset: int | None = None
        if cell.get("offset"):
            try:
                offset = int(cell["offset"])
            except ValueError:
                raise InputError(
                    f"{path}: row {number}, column offset: {cell['offset']!r} is not a number"
                ) from None
            if offset < 0 or source is None:
                raise InputError(f"{path}: row {number}, column offset: needs a source, >= 0")
        out.append(MapRow(number, cell["text"], cell["replacement"], source, offset))
    if not out:
        raise InputError(f"{path}: no names to replace")
    _refuse_clashes(path, out)
    return out


def _refuse_clashes(path: Path, rows: list[MapRow]) -> None:
    """Two rows for one place, overlapping places, a name mapped twice."""
    located = sorted((r for r in rows if r.offset is not None), key=lambda r: (r.source, r.offset))
    for a, b in itertools.pairwise(located):
        if a.source == b.source and (b.offset or 0) < a.end:
            what = "is the same place as" if a.offset == b.offset else "overlaps"
            first, second = sorted((a, b), key=lambda r: r.row)
            raise InputError(
                f"{path}: row {second.row}, column offset: {what} row {first.row} "
                f"({second.source}:{second.offset})"
            )
    anywhere: dict[str, MapRow] = {}
    for row in rows:
        if row.offset is None:
            if row.text.lower() in anywhere:
                raise InputError(
                    f"{path}: row {row.row}, column text: {row.text!r} is mapped twice "
                    f"(row {anywhere[row.text.lower()].row})"
                )
            anywhere[row.text.lower()] = row
    for row in anywhere.values():
        if row.replacement.lower() in anywhere:
            raise InputError(
                f"{path}: row {row.row}, column replacement: pseudonym {row.replacement!r} is "
                "also a real name in the map"
            )


@dataclass
class OffsetMap:
    """Old offsets to new ones after replacing spans of a text.

    A boundary inside a replaced span moves to the replacement's start (for a start) or end (for
    an end), so a range that covered part of a name covers the whole pseudonym.
    """

    old_starts: list[int] = field(default_factory=list)
    old_ends: list[int] = field(default_factory=list)
    new_starts: list[int] = field(default_factory=list)
    new_ends: list[int] = field(default_factory=list)

    def _shift(self, k: int) -> int:
        return self.new_ends[k - 1] - self.old_ends[k - 1] if k else 0

    def start(self, pos: int) -> int:
        k = bisect.bisect_right(self.old_ends, pos)  # replacements wholly before pos
        if k < len(self.old_starts) and self.old_starts[k] < pos:
            return self.new_starts[k]
        return pos + self._shift(k)

    def end(self, pos: int) -> int:
        k = bisect.bisect_right(self.old_ends, pos)
        if k < len(self.old_starts) and self.old_starts[k] < pos:
            return self.new_ends[k]
        return pos + self._shift(k)


def replace_spans(text: str, spans: list[tuple[int, int, str]]) -> tuple[str, OffsetMap]:
    """The text with each (start, end, replacement) span replaced (spans sorted, apart)."""
    offsets = OffsetMap()
    pieces: list[str] = []
    pos = new_len = 0
    for start, end, replacement in spans:
        pieces.append(text[pos:start])
        new_len += start - pos
        offsets.old_starts.append(start)
        offsets.old_ends.append(end)
        offsets.new_starts.append(new_len)
        pieces.append(replacement)
        new_len += len(replacement)
        offsets.new_ends.append(new_len)
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces), offsets


def _protected(text: str) -> list[tuple[int, int]]:
    """E-mails, ORCID iDs and URLs: a name inside one is never replaced alone."""
    return [m.span() for k in ("email", "orcid", "url") for m in PATTERNS[k].finditer(text)]


def _spans(
    text: str, located: list[MapRow], anywhere: list[MapRow], used: dict[int, int]
) -> list[tuple[int, int, str]]:
    """The replacements of the map rows in one text; ``used`` counts them by row number."""
    spans: list[tuple[int, int, str]] = []
    for row in located:
        if row.offset is not None and text[row.offset : row.end] == row.text:
            spans.append((row.offset, row.end, row.replacement))
            used[row.row] += 1
    taken = [(s, e) for s, e, _ in spans] + _protected(text)
    by_text = {row.text.lower(): row for row in anywhere}
    pattern = _alternation(by_text, re.IGNORECASE)
    for m in pattern.finditer(text) if pattern else ():
        if all(m.end() <= s or m.start() >= e for s, e in taken):
            row = by_text[m.group().lower()]
            spans.append((m.start(), m.end(), row.replacement))
            used[row.row] += 1
    return sorted(spans)


def replace_names(text: str, mapping: dict[str, str]) -> tuple[str, OffsetMap, int]:
    """The text with every real name of ``mapping`` (whole words, any case) replaced, the offset
    map, and the number of replacements."""
    rows = [MapRow(i, real, fake) for i, (real, fake) in enumerate(mapping.items(), start=1)]
    spans = _spans(text, [], rows, defaultdict(int))
    new_text, offsets = replace_spans(text, spans)
    return new_text, offsets, len(spans)


def _move(
    session: Session,
    model: type[Excerpt] | type[Segment],
    source: Source,
    offsets: OffsetMap,
    far: int,
) -> int:
    """Move the rows of ``model`` (Excerpt or Segment) of a source through ``offsets``.

    All rows first jump beyond both texts, then land on their new places, so no row ever meets
    the unique constraint on its way. Segments that would collapse onto one place are dropped
    (they are derived); excerpts that would are refused, as codings would be lost.
    """
    is_excerpt = model is Excerpt
    columns = [model.id, model.start, model.end, Segment.kind if not is_excerpt else model.id]
    rows: list[Any] = list(
        session.execute(select(*columns).where(model.source_id == source.id)).all()
    )
    moved: list[dict[str, int]] = []
    dropped: list[int] = []
    seen: set[tuple[Any, ...]] = set()
    for row_id, start, end, kind in rows:
        new = {"id": row_id, "start": offsets.start(start), "end": offsets.end(end)}
        key = (new["start"], new["end"]) if is_excerpt else (kind, new["start"])
        if key in seen or new["end"] <= new["start"]:
            if is_excerpt:
                raise InputError(
                    f"source {source.title!r}: two excerpts would cover the same words "
                    f"({new['start']}-{new['end']}) after replacing names"
                )
            dropped.append(row_id)
            continue
        seen.add(key)
        moved.append(new)
    if dropped:
        session.execute(delete(model).where(model.id.in_(dropped)))
    if not moved:
        return 0
    session.execute(
        update(model)
        .where(model.source_id == source.id)
        .values(start=model.start + far, end=model.end + far)
        .execution_options(synchronize_session=False)
    )
    session.execute(update(model).execution_options(synchronize_session=False), moved)
    return len(moved)


def _move_logged(session: Session, source_id: int, offsets: OffsetMap) -> None:
    """Logged codings keep ranges for undo/redo: they must follow the text too."""
    for event in session.scalars(select(Event).where(Event.action.like("coding.%"))):
        p = event.payload or {}
        if p.get("source_id") == source_id and "start" in p and "end" in p:
            event.payload = {**p, "start": offsets.start(p["start"]), "end": offsets.end(p["end"])}


@dataclass
class ApplySummary:
    replacements: dict[str, int] = field(default_factory=dict)
    excerpts_moved: int = 0
    unused: list[MapRow] = field(default_factory=list)

    def __str__(self) -> str:
        changed = {t: n for t, n in self.replacements.items() if n}
        parts = ", ".join(f"{title}: {n}" for title, n in changed.items()) or "nothing to replace"
        return (
            f"{sum(changed.values())} replacements in {len(changed)} sources ({parts}); "
            f"{self.excerpts_moved} excerpts kept on their words"
        )


def apply_rows(
    session: Session, rows: list[MapRow], label: str, allow_unused: bool = False
) -> ApplySummary:
    """Replace by the map rows in every source, moving all offsets; logged without real names.

    Rows that replaced nothing (a name in no text, a place whose text differs) refuse the whole
    change unless ``allow_unused``: a stale map must not leave a name behind unnoticed.
    """
    sources = session.scalars(select(Source).order_by(Source.id)).all()
    titles = {s.title for s in sources}
    for row in rows:
        if row.source is not None and row.source not in titles:
            raise InputError(f"{label}: row {row.row}, column source: no source {row.source!r}")
    anywhere = [r for r in rows if r.offset is None]
    used: dict[int, int] = defaultdict(int)
    summary = ApplySummary()
    for source in sources:
        located = [r for r in rows if r.source == source.title and r.offset is not None]
        spans = _spans(source.text, located, anywhere, used)
        summary.replacements[source.title] = len(spans)
        if not spans:
            continue
        new_text, offsets = replace_spans(source.text, spans)
        far = len(source.text) + len(new_text) + 1
        summary.excerpts_moved += _move(session, Excerpt, source, offsets, far)
        _move(session, Segment, source, offsets, far)
        _move_logged(session, source.id, offsets)
        source.text = new_text
        session.flush()
    summary.unused = [r for r in rows if not used[r.row]]
    if summary.unused and not allow_unused:
        listed = ", ".join(map(str, summary.unused[:5]))
        more = f" and {len(summary.unused) - 5} more" if len(summary.unused) > 5 else ""
        raise InputError(
            f"{label}: {len(summary.unused)} map rows replaced nothing ({listed}{more}); "
            "nothing changed (--allow-unused applies the rest)"
        )
    if rows and len(summary.unused) == len(rows):  # --allow-unused, but there is no rest
        raise InputError(f"{label}: none of its {len(rows)} map rows replaced anything")
    events.log(
        session,
        "anonymise.apply",
        None,
        file=label,
        names=len(rows),
        replacements={t: n for t, n in summary.replacements.items() if n},
    )
    return summary


def apply_map(session: Session, map_file: Path, allow_unused: bool = False) -> ApplySummary:
    """Apply a map file (a review file or ``real,pseudonym`` rows) to every source."""
    return apply_rows(session, read_map(map_file), map_file.name, allow_unused)


def found_rows(session: Session, findings: list[Finding]) -> list[MapRow]:
    """Map rows replacing each finding at its place by the suggested replacement."""
    taken = session.scalars(select(Source.text)).all()
    suggested = replacements(findings, taken)
    return [
        MapRow(i, f.text, r, f.source, f.start)
        for i, (f, r) in enumerate(zip(findings, suggested, strict=True), start=1)
    ]


def apply_found(
    session: Session, names_file: Path | None = None, model: str | None = None
) -> ApplySummary:
    """What ``check`` finds in every source, replaced at once by the suggested replacements."""
    rows = found_rows(session, check(session, (), names_file, model))
    if not rows:
        return ApplySummary()
    return apply_rows(session, rows, "found")
