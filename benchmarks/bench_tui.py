"""Workbench speed: prints figures (not a test).

A project with one 50,000-word interview (paragraphs and sentences stored as Segment rows, as an
import makes them), 60 codes and 2,000 codings, then:
  - open: from constructing the app to the source view drawn, headless (target < 0.5 s), with the
    part after the app is up (reading the source, wrapping, highlight runs, first frame) beside it;
  - apply: one code on a new range through the workbench, including the commit (target < 50 ms),
    and the same plus the source view's refresh (re-reading the codings, rebuilding highlights).

Run: python benchmarks/bench_tui.py [--db URL_OR_PATH] [--repeat N]
(default: a fresh SQLite file in a temporary folder; a PostgreSQL URL must name an empty database).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import timeit
from pathlib import Path

WORDS = 50_000
CODINGS = 2_000
CODES = 60
VOCABULARY = [
    "migration",
    "family",
    "work",
    "money",
    "home",
    "school",
    "language",
    "policy",
    "border",
    "visa",
    "law",
    "city",
    "village",
    "return",
    "labour",
    "remittance",
    "teacher",
    "market",
    "registration",
    "document",
    "employer",
    "contract",
    "season",
    "Almaty",
    "Astana",
    "Russia",
    "Kazakh",
    "Russian",
    "children",
    "parents",
    "future",
    "salary",
    "rent",
    "community",
]


def make_text(rng: random.Random) -> str:
    words, paragraphs = 0, []
    while words < WORDS:
        sentences = []
        for _ in range(rng.randint(3, 7)):
            n = rng.randint(8, 24)
            sentence = " ".join(rng.choice(VOCABULARY) for _ in range(n))
            sentences.append(sentence[0].upper() + sentence[1:] + rng.choice(".!?."))
            words += n
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def generate(db: str, seed: int = 5) -> tuple[int, list[int]]:
    """The source's id and the code ids, written with bulk inserts."""
    from sqlalchemy import insert, select

    from qualcode import lookup, open_project, segments
    from qualcode.models import Code, Coding, Excerpt, Participant
    from qualcode.sources import SourceOptions, add_source
    from qualcode.tui.units import Units

    rng = random.Random(seed)
    text = make_text(rng)
    units = Units.of(text)
    with open_project(db) as project, project.session() as s:
        s.add(Participant(pseudonym="Expert A", position=1))
        s.flush()
        source = add_source(
            s, text, title="Long interview", options=SourceOptions(participant="Expert A")
        )
        segments.store(s, source.id, segments.Segmentation(units.paragraphs, units.sentences))
        coder = lookup.coder(s, "Bench")
        s.execute(insert(Code), [{"name": f"Code {i:02d}", "position": i} for i in range(CODES)])
        code_ids = list(s.scalars(select(Code.id).order_by(Code.id)))
        picks = rng.sample(units.sentences, CODINGS // 2)
        spans = sorted({*picks, *((a, min(b + 200, len(text))) for a, b in picks[: CODINGS // 2])})
        s.execute(
            insert(Excerpt), [{"source_id": source.id, "start": a, "end": b} for a, b in spans]
        )
        excerpt_ids = list(s.scalars(select(Excerpt.id).order_by(Excerpt.id)))
        s.execute(
            insert(Coding),
            [
                {
                    "excerpt_id": e,
                    "source_id": source.id,
                    "code_id": rng.choice(code_ids),
                    "coder_id": coder.id,
                }
                for e in excerpt_ids[:CODINGS]
            ],
        )
        return source.id, code_ids


async def open_source(db: str, source_id: int, direct: bool) -> tuple[float, float]:
    """Wall and CPU seconds from constructing the app to the source view drawn: through the
    home screen (``direct=False``, as a user pressing enter), or opened at start (``--source``)."""
    from qualcode.tui.app import QualcodeApp
    from qualcode.tui.screens.source import SourceScreen
    from qualcode.tui.widgets.source_text import SourceText

    started, cpu = time.perf_counter(), time.process_time()
    app = QualcodeApp(db, "Bench", source=source_id if direct else None)
    async with app.run_test(size=(160, 50)) as pilot:
        if not direct:
            await pilot.pause()
            app.open_source(source_id)
        while not isinstance(app.screen, SourceScreen):
            await pilot.pause()
        await pilot.pause()
        text = app.screen.query_one(SourceText)
        assert len(text.spans) == CODINGS and text.virtual_size.height > 1000
        app.screen._compositor.render_update(full=True)  # the first frame, drawn
        return time.perf_counter() - started, time.process_time() - cpu


def apply_codes(db: str, source_id: int, code_ids: list[int], repeat: int) -> tuple[list, list]:
    from qualcode import open_project, views
    from qualcode.tui.widgets.source_text import highlight_runs
    from qualcode.workbench import Workbench

    project = open_project(db)
    bench = Workbench(project, "Bench")
    commit, with_refresh = [], []
    for i in range(repeat):
        start = 13 + 37 * i
        t0 = time.perf_counter()
        bench.apply_codes(source_id, start, start + 25, [code_ids[i % len(code_ids)]])
        t1 = time.perf_counter()
        highlight_runs(bench.read(lambda s: views.spans(s, source_id)))
        t2 = time.perf_counter()
        commit.append(t1 - t0)
        with_refresh.append(t2 - t0)
    project.close()
    return commit, with_refresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="project path or URL (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the open measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(Path(folder) / "bench.db")
        t0 = time.perf_counter()
        source_id, code_ids = generate(db)
        calibration = min(timeit.repeat("sum(range(10**6))", number=1, repeat=5))
        print(f"machine: sum(range(10**6)) takes {calibration * 1000:.0f} ms (~12 ms is typical)")
        print(f"generated {WORDS:,} words, {CODINGS:,} codings in {time.perf_counter() - t0:.1f} s")
        asyncio.run(open_source(db, source_id, True))  # warm imports and caches
        for direct, how in ((True, "qualcode open --source"), (False, "home, then enter")):
            runs = [asyncio.run(open_source(db, source_id, direct)) for _ in range(args.repeat)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(
                f"open source view ({how}): {wall * 1000:.0f} ms from app start to drawn, "
                f"{cpu * 1000:.0f} ms CPU (median of {args.repeat}; target < 500)"
            )
        commit, refresh = apply_codes(db, source_id, code_ids, 50)
        print(
            f"apply a code: {statistics.median(commit) * 1000:.1f} ms median, "
            f"{max(commit) * 1000:.1f} ms max, incl. commit (target < 50); "
            f"with the view's refresh {statistics.median(refresh) * 1000:.1f} ms median"
        )


if __name__ == "__main__":
    main()
