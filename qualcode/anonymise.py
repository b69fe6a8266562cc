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
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from qualcode import events, lookup
from qualcode.errors import InputError
from qualcode.models import Event, Excerpt, Segment, Source

KINDS = ("person", "email", "phone", "url", "iin", "address")

_UP = "А-ЯЁӘҒҚҢӨҰҮҺІ"  # Russian and Kazakh capitals
_CAP = rf"[{_UP}][\w-]+"
_LATIN_STREET = r"(?i:str\.|st\.|street|ave\.|avenue|hwy\.|highway|rd\.|road|blvd\.|boulevard|lane)"
_RU_STREET = (
    r"(?i:ул\.|улица|пр\.|пр-т|проспект|мкр\.?|микрорайон|пер\.|переулок|бул\.|бульвар"
    r"|ш\.|шоссе|пл\.|площадь)"
)
_HOUSE = r"\d+[a-zA-Zа-яА-Я]?(?:/\d+)?(?!\d)"

PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "url": re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?]"),
    "phone": re.compile(
        r"(?<![\w+])(?:\+7|8)[\s-]?\(?\d{3}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}(?!\d)"
        r"|(?<![\w+])\+\d{1,3}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d){6,10}(?!\d)"
    ),
    "iin": re.compile(r"(?<![\d+])\d{12}(?!\d)"),
    "address": re.compile(
        rf"\b(?:[A-Z][\w'-]+\s){{1,3}}{_LATIN_STREET}\s*,?\s*{_HOUSE}"
        rf"|\b\d+[A-Za-z]?,?\s(?:[A-Z][\w'-]+\s){{1,3}}(?i:street|avenue|road|highway|boulevard)\b"
        rf"|{_RU_STREET}\s*{_CAP}(?:\s{_CAP}){{0,2}},?\s*(?:д\.\s*)?{_HOUSE}"
        rf"|{_CAP}\s(?i:көшесі|даңғылы|ауданы)\s*,?\s*{_HOUSE}"
    ),
}
# Rules for names when no trained NER is at hand: an honorific, or a Russian/Kazakh patronymic.
PERSON_RULES = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor)\.?\s+[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?"
    rf"|(?:г-н|г-жа|господин|госпожа)\s+{_CAP}"
    rf"|(?:{_CAP}\s+){{1,2}}[{_UP}]\w+(?:ович|евич|овна|евна|ична|инична|ұлы|улы|қызы|кызы)\b(?:\s+{_CAP})?"
    rf"|{_CAP}\s+(?:{_CAP}\s+)?(?:ұлы|улы|қызы|кызы)\b"
    rf"|\b[{_UP}]\.\s?(?:[{_UP}]\.\s?)?{_CAP}"
    rf"|{_CAP}\s[{_UP}]\.\s?(?:[{_UP}]\.)?"
)


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
    names: set[str] = set()
    for line in lines:
        name = line.split("#", 1)[0].strip()
        if name:
            names.add(name)
            names.update(part for part in name.split() if len(part) >= 3)
    return sorted(names)


def _alternation(words: Iterable[str], flags: int = 0) -> re.Pattern[str] | None:
    ordered = sorted(set(words), key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)", flags)


def scan(
    text: str, names: Iterable[str] = (), language: str = "en", model: str | None = None
) -> list[tuple[int, int, str]]:
    """(start, end, kind) of everything suspicious in ``text``, overlaps resolved to the longest."""
    from qualcode import nlp

    found: list[tuple[int, int, str]] = []
    for kind, pattern in PATTERNS.items():
        found.extend((m.start(), m.end(), kind) for m in pattern.finditer(text))
    if model:
        found.extend((s, e, "person") for s, e in nlp.person_names(text, language, model))
    else:
        found.extend((m.start(), m.end(), "person") for m in PERSON_RULES.finditer(text))
    known = _alternation(names, re.IGNORECASE)
    if known is not None:
        found.extend((m.start(), m.end(), "person") for m in known.finditer(text))
    found.sort(key=lambda f: (f[0], -f[1]))
    kept: list[tuple[int, int, str]] = []
    for item in found:
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    return kept


def check(
    session: Session,
    refs: Iterable[str] = (),
    names_file: Path | None = None,
    model: str | None = None,
) -> list[Finding]:
    """Findings in the named sources (all when none are named), in source and offset order.

    Without ``model``, an installed trained pipeline for the source's language is used if any.
    """
    from qualcode import nlp

    names = read_names(names_file) if names_file else []
    refs = list(refs)
    if refs:
        sources = [lookup.get_source(session, ref) for ref in refs]
    else:
        sources = list(session.scalars(select(Source).order_by(Source.id)))
    findings: list[Finding] = []
    for source in sources:
        use = model or nlp.installed_ner(source.language)
        for start, end, kind in scan(source.text, names, source.language, use):
            findings.append(
                Finding(source.id, source.title, start, end, source.text[start:end], kind)
            )
    return findings


# --- apply a map of real names to pseudonyms -------------------------------------------------


def read_map(path: Path) -> dict[str, str]:
    """``real,pseudonym`` rows (a header row of those words is optional)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    mapping: dict[str, str] = {}
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and [c.lower() for c in cells] == ["real", "pseudonym"]:
            continue
        if len(cells) != 2 or not all(cells):
            raise InputError(f"{path}: row {number}: want two cells, real name and pseudonym")
        real, pseudonym = cells
        if real.lower() in mapping:
            raise InputError(f"{path}: row {number}: {real!r} is mapped twice")
        mapping[real.lower()] = pseudonym
    if not mapping:
        raise InputError(f"{path}: no names to replace")
    reals = set(mapping)
    for pseudonym in mapping.values():
        if pseudonym.lower() in reals:
            raise InputError(f"{path}: pseudonym {pseudonym!r} is also a real name in the map")
    return mapping


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


def replace_names(text: str, mapping: dict[str, str]) -> tuple[str, OffsetMap, int]:
    """The text with every real name (whole words, any case) replaced, the offset map, and the
    number of replacements."""
    pattern = _alternation(mapping, re.IGNORECASE)
    offsets = OffsetMap()
    pieces: list[str] = []
    pos = new_len = 0
    for m in pattern.finditer(text) if pattern else ():
        pieces.append(text[pos : m.start()])
        new_len += m.start() - pos
        pseudonym = mapping[m.group().lower()]
        offsets.old_starts.append(m.start())
        offsets.old_ends.append(m.end())
        offsets.new_starts.append(new_len)
        pieces.append(pseudonym)
        new_len += len(pseudonym)
        offsets.new_ends.append(new_len)
        pos = m.end()
    pieces.append(text[pos:])
    return "".join(pieces), offsets, len(offsets.old_starts)


def _move(session: Session, model, source: Source, offsets: OffsetMap, far: int) -> int:
    """Move the rows of ``model`` (Excerpt or Segment) of a source through ``offsets``.

    All rows first jump beyond both texts, then land on their new places, so no row ever meets
    the unique constraint on its way. Segments that would collapse onto one place are dropped
    (they are derived); excerpts that would are refused, as codings would be lost.
    """
    is_excerpt = model is Excerpt
    columns = [model.id, model.start, model.end, Segment.kind if not is_excerpt else model.id]
    rows = session.execute(select(*columns).where(model.source_id == source.id)).all()
    moved: list[dict[str, int]] = []
    dropped: list[int] = []
    seen: set[tuple] = set()
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

    def __str__(self) -> str:
        changed = {t: n for t, n in self.replacements.items() if n}
        parts = ", ".join(f"{title}: {n}" for title, n in changed.items()) or "nothing to replace"
        return (
            f"{sum(changed.values())} replacements in {len(changed)} sources ({parts}); "
            f"{self.excerpts_moved} excerpts kept on their words"
        )


def apply_map(session: Session, map_file: Path) -> ApplySummary:
    """Replace real names by pseudonyms in every source, moving all offsets; logged."""
    mapping = read_map(map_file)
    summary = ApplySummary()
    for source in session.scalars(select(Source).order_by(Source.id)).all():
        new_text, offsets, count = replace_names(source.text, mapping)
        summary.replacements[source.title] = count
        if not count:
            continue
        far = len(source.text) + len(new_text) + 1
        summary.excerpts_moved += _move(session, Excerpt, source, offsets, far)
        _move(session, Segment, source, offsets, far)
        _move_logged(session, source.id, offsets)
        source.text = new_text
        session.flush()
    events.log(
        session,
        "anonymise.apply",
        None,
        file=map_file.name,
        names=len(mapping),
        replacements={t: n for t, n in summary.replacements.items() if n},
    )
    return summary
