"""The evaluation set of the anonymisation check: texts with marked names, and recall/precision.

Used by tests/test_anonymise_names.py and benchmarks/bench_anonymise.py; the texts and their
conventions are described in tests/data/anonymise/README.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EVAL_DIR = Path(__file__).parent / "data" / "anonymise"
_MARK = re.compile(r"\[\[(.+?)\|(\w+)\]\]", re.S)

Finder = Callable[[str, str], list[tuple[int, int]]]


@dataclass
class EvalText:
    name: str
    language: str
    text: str
    names: list[tuple[int, int, str]]  # start, end, kind


def load(split: str) -> list[EvalText]:
    """The texts of ``split`` ('dev' or 'heldout') with their marks removed."""
    texts = []
    for path in sorted((EVAL_DIR / split).glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        pieces: list[str] = []
        names: list[tuple[int, int, str]] = []
        pos = length = 0
        for m in _MARK.finditer(raw):
            pieces.append(raw[pos : m.start()])
            length += m.start() - pos
            names.append((length, length + len(m.group(1)), m.group(2)))
            pieces.append(m.group(1))
            length += len(m.group(1))
            pos = m.end()
        pieces.append(raw[pos:])
        language = path.suffixes[-2].lstrip(".")
        texts.append(EvalText(path.name, language, "".join(pieces), names))
    return texts


def script(word: str) -> str:
    return "cyrillic" if any("\u0400" <= ch <= "\u04ff" for ch in word) else "latin"


@dataclass
class Score:
    found: int = 0
    total: int = 0

    @property
    def ratio(self) -> float:
        return self.found / self.total if self.total else 1.0


@dataclass
class Result:
    recall: dict[str, Score]  # by "all", "language", "language/kind", "script"
    precision: dict[str, Score]
    missed: list[str]
    false: list[str]


def evaluate(texts: list[EvalText], finder: Finder) -> Result:
    """Recall of name occurrences (found = wholly covered by person findings) and precision of
    the person findings (right = overlapping a marked name), per language, kind and script."""
    recall: dict[str, Score] = defaultdict(Score)
    precision: dict[str, Score] = defaultdict(Score)
    missed: list[str] = []
    false: list[str] = []
    for t in texts:
        spans = finder(t.text, t.language)
        covered = set()
        for s, e in spans:
            covered.update(range(s, e))
        for s, e, kind in t.names:
            hit = all(i in covered for i in range(s, e))
            for key in ("all", t.language, f"{t.language}/{kind}", script(t.text[s:e])):
                recall[key].total += 1
                recall[key].found += hit
            if not hit:
                missed.append(f"{t.name}: {t.text[s:e]}")
        for s, e in spans:
            right = any(s < ge and gs < e for gs, ge, _ in t.names)
            for key in ("all", t.language, script(t.text[s:e])):
                precision[key].total += 1
                precision[key].found += right
            if not right:
                false.append(f"{t.name}: {t.text[s:e]}")
    return Result(dict(recall), dict(precision), missed, false)
