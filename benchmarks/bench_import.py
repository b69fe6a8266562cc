"""Import + segmentation speed (language detection and sentence rules), in words/s.

Usage: python benchmarks/bench_import.py [--words 2000000] [--db PATH_OR_URL] [--runs 5]

The text is synthetic but not repetitive: a Zipf-distributed vocabulary of 20,000 made-up words,
sentences of 6-35 words with commas, paragraphs of 2-8 sentences, so spaCy's tokenizer cache
behaves as on real notes. Figures: segmentation alone, and a whole `import_file` (read, decode,
checksum, segment, store source and segments) into a fresh project. Wall-clock and CPU-time
rates are both printed: on a shared machine the CPU figure is the one that does not depend on what
else runs. Segmentation is also measured on a mixed corpus: the benchmark corpus's generator
(benchmarks/generate.py) with English, Russian and Kazakh alphabets paragraph by paragraph, and the
initials and abbreviations of academic text; each segmentation figure is the min and median of
``--runs`` runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path


def make_text(words: int, seed: int = 4) -> str:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 11))) for _ in range(20_000)]
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    paragraphs: list[str] = []
    count = 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(2, 8)):
            n = rng.randint(6, 35)
            tokens = rng.choices(vocab, weights, k=n)
            tokens[0] = tokens[0].capitalize()
            if n > 12:
                tokens[n // 2] += ","
            sentences.append(" ".join(tokens) + rng.choice(".....?!"))
            count += n
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


KAZAKH = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщыіэюя"
RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщыэюя"
EXTRAS = {
    "en": ["e.g.", "i.e.", "et al.", "Dr.", "G.N.", "Str."],
    "ru": ["и.о.", "канд.", "юрид.", "г.", "ул.", "проф.", "Л.Ф."],
    "kk": ["д.г.д.,", "м.а.,", "т.б.", "т.с.с.", "қ.,", "Г.Н."],
}


def mixed_text(words: int, seed: int = 6) -> str:
    """The benchmark corpus's notes (generate.notes) in English, Russian and Kazakh paragraphs."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from generate import notes, vocabulary

    rng = random.Random(seed)
    vocab, weights = vocabulary(rng)
    alphabets = {"en": None, "ru": RUSSIAN, "kk": KAZAKH}
    tables = {
        lang: str.maketrans("abcdefghijklmnoprstuvyz", "".join(rng.sample(letters, 23)))
        for lang, letters in alphabets.items()
        if letters
    }
    paragraphs = notes(rng, vocab, weights, words).split("\n\n")
    out = []
    for i, paragraph in enumerate(paragraphs):
        lang = ("en", "ru", "kk")[i % 3]
        tokens = paragraph.split(" ")
        for _ in range(2):
            tokens.insert(rng.randrange(1, len(tokens)), rng.choice(EXTRAS[lang]))
        text = " ".join(tokens)
        out.append(text.translate(tables[lang]) if lang in tables else text)
    return "\n\n".join(out) + "\n"


def _segment(name: str, text: str, runs: int) -> None:
    from qualcode import segments

    words = len(text.split())
    rates, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        found = segments.find(text)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rates.append(words / wall)
        cpus.append(words / cpu)
    languages = {lang: found.languages.count(lang) for lang in sorted(set(found.languages))}
    print(
        f"segmentation with language detection, {name}: {words:,} words, "
        f"{len(found.paragraphs):,} paragraphs {languages}, {len(found.sentences):,} sentences: "
        f"min {min(rates):,.0f}, median {statistics.median(rates):,.0f} words/s "
        f"(median {statistics.median(cpus):,.0f} words per CPU second)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2_000_000)
    parser.add_argument("--db", help="project to import into (default: a temporary SQLite file)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from qualcode import open_project
    from qualcode.formats.files import import_file

    _segment("English", make_text(args.words), args.runs)
    _segment("mixed en/ru/kk", mixed_text(args.words), args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notes.txt"
        text = make_text(args.words, seed=5)
        words = len(text.split())
        path.write_text(text, encoding="utf-8")
        project = open_project(args.db or Path(tmp) / "bench.db")
        wall, cpu = time.perf_counter(), time.process_time()
        import_file(project, path)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        project.close()
    size = len(text.encode()) / 1e6
    print(
        f"import + segmentation ({project.engine.dialect.name}): {size:.1f} MB in {wall:.2f} s "
        f"= {words / wall:,.0f} words/s ({words / cpu:,.0f} words per CPU second of this "
        "process; a database server's own work is in the wall time only)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
