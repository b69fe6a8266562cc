"""Recall and precision of person-name detection without a model, per language, kind and script.

Usage: python benchmarks/bench_anonymise.py [--splits dev heldout ...] [--missed]

Runs `anonymise.scan` (the rules of qualcode/person_names.py, no trained pipeline) over the
evaluation texts of tests/data/anonymise/ (see its README for the marks and the splits) and prints,
per split, the share of marked name occurrences wholly covered by person findings (recall) and the
share of person findings that touch a marked name (precision). Then the speed on the thesis seed
(about 25,000 words), min and median of three runs: timings on the shared machine are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualcode import anonymise  # noqa: E402
from tests import anonymise_eval  # noqa: E402

THESIS = Path("/work/shared/seeds/kazakhstan-migration-thesis.txt")


def persons(text: str, language: str) -> list[tuple[int, int]]:
    return [(s, e) for s, e, k in anonymise.scan(text, language=language) if k == "person"]


def report(split: str, show_missed: bool) -> None:
    texts = anonymise_eval.load(split)
    result = anonymise_eval.evaluate(texts, persons)
    print(f"\n== {split}: {len(texts)} texts ==")
    print(f"{'group':<22}{'recall':>16}{'precision':>18}")
    for key in sorted(result.recall, key=lambda k: (k != "all", "/" in k, k)):
        r = result.recall[key]
        p = result.precision.get(key)
        precision = f"{p.found}/{p.total} {p.ratio:6.1%}" if p else ""
        print(f"{key:<22}{f'{r.found}/{r.total} {r.ratio:6.1%}':>16}{precision:>18}")
    if show_missed:
        for line in result.missed:
            print(f"  missed: {line}")
        for line in result.false:
            print(f"  false:  {line}")


def speed() -> None:
    if not THESIS.exists():
        print("\n(thesis seed not found: no speed figure)")
        return
    text = THESIS.read_text(encoding="utf-8")
    anonymise.scan(text[:2000])  # load the word lists and the dictionary once
    times = []
    for _ in range(3):
        start = time.perf_counter()
        found = anonymise.scan(text)
        times.append(time.perf_counter() - start)
    words = len(text.split())
    names = sum(1 for f in found if f[2] == "person")
    print(
        f"\nthesis seed, {words} words: {len(found)} findings ({names} person names); "
        f"scan min {min(times):.2f} s, median {statistics.median(times):.2f} s "
        f"({words / min(times):,.0f} words/s at best)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    splits = sorted(p.name for p in anonymise_eval.EVAL_DIR.iterdir() if p.is_dir())
    parser.add_argument("--splits", nargs="+", default=splits)
    parser.add_argument("--missed", action="store_true", help="list misses and false findings")
    args = parser.parse_args()
    for split in args.splits:
        report(split, args.missed)
    speed()


if __name__ == "__main__":
    main()
