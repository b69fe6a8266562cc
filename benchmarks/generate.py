"""Generate a realistic large qualcode project for benchmarks (prints what it made and how fast).

Usage:
  python benchmarks/generate.py TARGET [--sources 500] [--words 2000] [--excerpts 20000]
         [--codings 50000] [--codes 300] [--themes 40] [--coders 3] [--seed 1]

TARGET is a SQLite path or a postgresql+psycopg:// URL (an empty database). The project looks like
a real study: interview notes (one participant each) and a few documents, paragraphs and sentences
segmented, excerpts on sentence boundaries (one to three sentences), codes grouped in themes and
sub-themes, and several coders who agree on most excerpts but not all. Rows go in with bulk inserts
(Core ``executemany``), so a project of 100,000 codings takes seconds, not minutes.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


@dataclass(frozen=True)
class Sizes:
    sources: int = 500
    words: int = 2_000  # per source
    excerpts: int = 20_000
    codings: int = 50_000
    codes: int = 300
    themes: int = 40
    coders: int = 3


def vocabulary(rng: random.Random, size: int = 8_000) -> tuple[list[str], list[float]]:
    """Made-up words with a Zipf distribution (as cumulative weights), as in real prose."""
    letters = "abcdefghijklmnoprstuvyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(size)]
    return words, list(itertools.accumulate(1 / (rank + 1) for rank in range(size)))


def notes(rng: random.Random, vocab, weights, words: int) -> str:
    """Interview notes: paragraphs of 2-6 sentences of 6-30 words."""
    paragraphs, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(2, 6)):
            n = rng.randint(6, 30)
            tokens = rng.choices(vocab, cum_weights=weights, k=n)
            tokens[0] = tokens[0].capitalize()
            sentences.append(" ".join(tokens) + rng.choice("....?!"))
            count += n
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def segments_of(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Paragraph and sentence ranges (the generator's own text has a simple shape)."""
    paragraphs, sentences = [], []
    pos = 0
    for block in text.split("\n\n"):
        start, end = pos, pos + len(block.rstrip("\n"))
        if end > start:
            paragraphs.append((start, end))
            s = start
            for piece in SENTENCE_END.split(block.rstrip("\n")):
                sentences.append((s, s + len(piece)))
                s += len(piece) + 1
        pos += len(block) + 2
    return paragraphs, sentences


def generate(target: str, sizes: Sizes = Sizes(), seed: int = 1) -> dict[str, int]:
    """Fill an empty project at ``target``; returns the rows per table."""
    from sqlalchemy import insert

    from qualcode import open_project
    from qualcode.integrity import counts
    from qualcode.models import (
        Code,
        Coder,
        CodeTheme,
        Coding,
        Excerpt,
        Participant,
        Segment,
        Source,
        Theme,
        new_guid,
        utcnow,
    )

    rng = random.Random(seed)
    vocab, weights = vocabulary(rng)
    now = utcnow()
    project = open_project(target)
    if any(counts(project).values()):
        raise SystemExit(f"{target}: not an empty project")
    interviews = max(1, int(sizes.sources * 0.9))
    participants = [
        {"id": i + 1, "guid": new_guid(), "pseudonym": f"Participant {i + 1:04d}",
         "organisation": rng.choice(["Ministry", "NGO", "University", "Company", "Agency"]),
         "role": rng.choice(["Official", "Researcher", "Manager", "Expert"]),
         "location": rng.choice(["Astana", "Almaty", "Shymkent"]), "mode": "in person",
         "position": i + 1, "created_at": now}
        for i in range(interviews)
    ]  # fmt: skip
    sources, paragraphs, sentences = [], [], []
    sentence_spans: list[list[tuple[int, int]]] = []
    for i in range(sizes.sources):
        text = notes(rng, vocab, weights, sizes.words)
        interview = i < interviews
        sources.append(
            {"id": i + 1, "guid": new_guid(), "title": f"Interview {i + 1:04d}" if interview
             else f"Document {i + 1:04d}", "kind": "interview" if interview else "document",
             "language": "en", "participant_id": i + 1 if interview else None,
             "imported_from": None, "checksum": None, "text": text, "created_at": now,
             "updated_at": now}
        )  # fmt: skip
        paras, sents = segments_of(text)
        paragraphs += [
            {"source_id": i + 1, "kind": "paragraph", "start": a, "end": b} for a, b in paras
        ]
        sentences += [
            {"source_id": i + 1, "kind": "sentence", "start": a, "end": b} for a, b in sents
        ]
        sentence_spans.append(sents)

    spans: set[tuple[int, int, int]] = set()
    while len(spans) < sizes.excerpts:
        s = rng.randrange(sizes.sources)
        sents = sentence_spans[s]
        first = rng.randrange(len(sents))
        last = min(len(sents) - 1, first + rng.choice((0, 0, 0, 1, 2)))
        spans.add((s + 1, sents[first][0], sents[last][1]))
    excerpts = [
        {"id": n + 1, "guid": new_guid(), "source_id": s, "start": a, "end": b, "created_at": now}
        for n, (s, a, b) in enumerate(sorted(spans))
    ]

    themes = []
    for t in range(sizes.themes):
        parent = rng.randrange(t) + 1 if t >= max(1, sizes.themes // 4) else None
        themes.append(
            {"id": t + 1, "guid": new_guid(), "name": f"Theme {t + 1:03d} {vocab[t]}",
             "description": None, "parent_id": parent, "position": t + 1, "created_at": now}
        )  # fmt: skip
    codes = [
        {"id": c + 1, "guid": new_guid(), "name": f"{vocab[c + 50].capitalize()} {c + 1:04d}",
         "definition": " ".join(rng.choices(vocab, cum_weights=weights, k=12)), "status": "active",
         "reconstructed": False, "position": c + 1, "created_at": now}
        for c in range(sizes.codes)
    ]  # fmt: skip
    links = {(c + 1, rng.randrange(sizes.themes) + 1) for c in range(sizes.codes)}
    links |= {(rng.randrange(sizes.codes) + 1, rng.randrange(sizes.themes) + 1)
              for _ in range(sizes.codes // 5)}  # fmt: skip
    code_themes = [{"code_id": c, "theme_id": t, "position": n} for n, (c, t) in enumerate(links)]
    coders = [
        {"id": k + 1, "guid": new_guid(), "name": f"Coder {chr(65 + k % 26)}{k // 26 or ''}",
         "initials": chr(65 + k % 26), "created_at": now}
        for k in range(sizes.coders)
    ]  # fmt: skip

    # Codings: every excerpt gets a code from its first coder; most other coders agree on it,
    # and the rest are extra codes on random excerpts.
    code_weights = list(itertools.accumulate(1 / (r + 1) ** 0.8 for r in range(sizes.codes)))
    code_ids = range(1, sizes.codes + 1)
    triples: set[tuple[int, int, int]] = set()
    for e in range(1, len(excerpts) + 1):
        if len(triples) >= sizes.codings:
            break
        code = rng.choices(code_ids, cum_weights=code_weights)[0]
        for k in range(1, sizes.coders + 1):
            if k == 1 or rng.random() < 0.8:
                triples.add((e, code, k))
    while len(triples) < sizes.codings:
        triples.add(
            (
                rng.randrange(len(excerpts)) + 1,
                rng.choices(code_ids, cum_weights=code_weights)[0],
                rng.randrange(sizes.coders) + 1,
            )
        )
    codings = [
        {
            "guid": new_guid(),
            "excerpt_id": e,
            "source_id": excerpts[e - 1]["source_id"],
            "code_id": c,
            "coder_id": k,
            "created_at": now,
        }
        for e, c, k in sorted(triples)[: sizes.codings]
    ]

    with project.session() as session:
        for model, rows in (
            (Participant, participants),
            (Source, sources),
            (Segment, paragraphs + sentences),
            (Excerpt, excerpts),
            (Theme, [dict(t, parent_id=None) for t in themes]),
            (Code, codes),
            (CodeTheme, code_themes),
            (Coder, coders),
            (Coding, codings),
        ):
            for first in range(0, len(rows), 20_000):
                session.execute(insert(model.__table__), rows[first : first + 20_000])
        from sqlalchemy import update

        parents = [{"tid": t["id"], "pid": t["parent_id"]} for t in themes if t["parent_id"]]
        if parents:
            from sqlalchemy import bindparam

            session.execute(
                update(Theme.__table__)
                .where(Theme.__table__.c.id == bindparam("tid"))
                .values(parent_id=bindparam("pid")),
                parents,
            )
    if not project.is_sqlite:  # ids were given explicitly: move the sequences past them
        with project.engine.begin() as conn:
            for table in ("participants", "sources", "excerpts", "themes", "codes", "coders"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
    made = counts(project)
    project.close()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="SQLite path or postgresql+psycopg:// URL (empty)")
    for field, default in asdict(Sizes()).items():
        parser.add_argument(f"--{field}", type=int, default=default)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = Sizes(**{f: getattr(args, f) for f in asdict(Sizes())})
    start = time.perf_counter()
    made = generate(args.target, sizes, args.seed)
    words = sizes.sources * sizes.words
    print(
        f"generated {args.target} in {time.perf_counter() - start:.1f} s: ~{words:,} words; "
        + ", ".join(f"{n:,} {t}" for t, n in made.items() if n)
    )


if __name__ == "__main__":
    main()
