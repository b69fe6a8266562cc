"""REFI-QDA speed: export and import of a large .qdpx (prints figures; not a test).

Builds a project in SQLite with bulk inserts (default: 1,000 sources, 500,000 codings by two
coders on 250,000 excerpts), exports it with qualcode's own exporter, then times
``import_project`` into a fresh SQLite project. A second, small run (10,000 codings) shows the
everyday case. Usage: python benchmarks/bench_refi.py [--sources N] [--codings N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from qualcode import open_project
from qualcode.formats import refi
from qualcode.models import Code, Coder, Coding, Excerpt, Source, new_guid, utcnow

WORDS = [
    "migration",
    "labour",
    "remittance",
    "border",
    "visa",
    "family",
    "network",
    "policy",
    "transit",
    "return",
]


def build(path: Path, sources: int, codings: int) -> None:
    """A project of ``sources`` texts with ``codings`` codings (2 coders per excerpt)."""
    rng = random.Random(7)
    for old in path.parent.glob(f"{path.name}*"):
        old.unlink()
    project = open_project(path)
    now = utcnow()
    per_source = max(1, codings // sources // 2)
    with project.session() as s:
        s.execute(insert(Coder), [{"guid": new_guid(), "name": n} for n in ("Ann", "Bob")])
        s.execute(
            insert(Code),
            [{"guid": new_guid(), "name": f"code {i}", "position": i} for i in range(200)],
        )
        coders = s.scalars(select(Coder.id)).all()
        codes = s.scalars(select(Code.id)).all()
        texts = []
        for n in range(sources):
            words = [rng.choice(WORDS) for _ in range(per_source * 3 + 10)]
            texts.append(
                {
                    "guid": new_guid(),
                    "title": f"Interview {n:05d}",
                    "text": " ".join(words) + " ☃",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        s.execute(insert(Source), texts)
        rows = []
        for sid, text in s.execute(select(Source.id, Source.text)):
            step = len(text) // (per_source + 1)
            rows += [
                {
                    "guid": new_guid(),
                    "source_id": sid,
                    "start": i * step,
                    "end": i * step + step // 2 + 1,
                    "created_at": now,
                }
                for i in range(per_source)
            ]
        s.execute(insert(Excerpt), rows)
        codings_rows = [
            {
                "guid": new_guid(),
                "excerpt_id": eid,
                "code_id": rng.choice(codes),
                "coder_id": coder,
                "created_at": now,
            }
            for eid in s.scalars(select(Excerpt.id))
            for coder in coders
        ]
        for i in range(0, len(codings_rows), 100_000):
            s.execute(insert(Coding), codings_rows[i : i + 100_000])
    project.close()


def run(workdir: Path, sources: int, codings: int) -> None:
    src = workdir / f"source-{codings}.db"
    t0 = time.perf_counter()
    build(src, sources, codings)
    built = time.perf_counter() - t0
    project = open_project(src)
    t0 = time.perf_counter()
    qdpx = refi.export_project(project, workdir / f"bench-{codings}.qdpx")
    exported = time.perf_counter() - t0
    project.close()
    for old in workdir.glob(f"fresh-{codings}.db*"):
        old.unlink()
    fresh = open_project(workdir / f"fresh-{codings}.db")
    t0, c0 = time.perf_counter(), time.process_time()
    summary = refi.import_project(fresh, qdpx)
    imported, cpu = time.perf_counter() - t0, time.process_time() - c0
    with fresh.session(write=False) as s:
        stored = s.scalar(select(func.count()).select_from(Coding))
    fresh.close()
    print(
        f"{sources:>6,} sources {stored:>9,} codings | build {built:6.1f} s | "
        f"export {exported:6.1f} s ({qdpx.stat().st_size / 1e6:,.1f} MB .qdpx) | "
        f"import {imported:6.1f} s (CPU {cpu:.1f} s; {stored / imported:,.0f} codings/s) | "
        f"warnings {len(summary.warnings)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1_000)
    parser.add_argument("--codings", type=int, default=500_000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        run(workdir, 20, 10_000)
        run(workdir, args.sources, args.codings)


if __name__ == "__main__":
    main()
