"""Import + segmentation speed of plain text on the blank spaCy pipeline (prints figures).

Usage: python benchmarks/bench_import.py [--words 2000000] [--db PATH_OR_URL]

The text is synthetic but not repetitive: a Zipf-distributed vocabulary of 20,000 made-up words,
sentences of 6-35 words with commas, paragraphs of 2-8 sentences, so spaCy's tokenizer cache
behaves as on real notes. Figures: segmentation alone, and a whole `import_file` (read, decode,
checksum, segment, store source and segments) into a fresh project. Wall-clock and CPU-time
rates are both printed: on a shared machine the CPU figure is the one that does not depend on what
else runs.
"""

from __future__ import annotations

import argparse
import os
import random
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2_000_000)
    parser.add_argument("--db", help="project to import into (default: a temporary SQLite file)")
    args = parser.parse_args()

    from qualcode import nlp, open_project, segments
    from qualcode.formats.files import import_file

    text = make_text(args.words)
    words = len(text.split())
    nlp.pipeline("en")  # loading spaCy is not part of the figure
    wall, cpu = time.perf_counter(), time.process_time()
    found = segments.find(text)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"segmentation: {words:,} words, {len(found.paragraphs):,} paragraphs, "
        f"{len(found.sentences):,} sentences in {wall:.2f} s = {words / wall:,.0f} words/s "
        f"({words / cpu:,.0f} words per CPU second)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notes.txt"
        text = make_text(args.words, seed=5)  # other words: spaCy's token cache starts cold
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
