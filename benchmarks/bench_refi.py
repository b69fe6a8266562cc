"""REFI-QDA speed and memory: export and import of a large .qdpx (prints figures; not a test).

Builds a project in SQLite with bulk inserts (default: 1,000 sources, 500,000 codings by two
coders on 250,000 excerpts), exports it with qualcode's own exporter, then runs
``import_project`` into a fresh SQLite project in a child process, several times, and prints the
wall and CPU time and the child's peak memory (``resource.getrusage(...).ru_maxrss``): min and
median over the runs, because the shared machine is noisy. A second, small run (10,000 codings)
shows the everyday case.

Usage: python benchmarks/bench_refi.py [--sources N] [--codings N] [--repeat N] [--keep DIR]
       python benchmarks/bench_refi.py --import-only FILE.qdpx [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
    from sqlalchemy import insert, select

    from qualcode import open_project
    from qualcode.models import Code, Coder, Coding, Excerpt, Source, new_guid, utcnow

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
                "source_id": sid,
                "code_id": rng.choice(codes),
                "coder_id": coder,
                "created_at": now,
            }
            for eid, sid in s.execute(select(Excerpt.id, Excerpt.source_id))
            for coder in coders
        ]
        for i in range(0, len(codings_rows), 100_000):
            s.execute(insert(Coding), codings_rows[i : i + 100_000])
    project.close()


def child_import(qdpx: Path, db: Path) -> None:
    """Run in a fresh process: import ``qdpx`` into a new project at ``db``; print JSON figures."""
    import resource

    from sqlalchemy import func, select

    from qualcode import open_project
    from qualcode.formats import refi
    from qualcode.models import Coding

    for old in db.parent.glob(f"{db.name}*"):
        old.unlink()
    fresh = open_project(db)
    t0, c0 = time.perf_counter(), time.process_time()
    summary = refi.import_project(fresh, qdpx)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    with fresh.session(write=False) as s:
        stored = s.scalar(select(func.count()).select_from(Coding))
    fresh.close()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    figures = {
        "wall": wall,
        "cpu": cpu,
        "peak_mb": peak_kib / 1024,
        "codings": stored,
        "warnings": len(summary.warnings),
    }
    print(json.dumps(figures))


def measure(qdpx: Path, workdir: Path, repeat: int) -> list[dict[str, float]]:
    """``repeat`` imports of ``qdpx``, each in its own process (so peak memory is its own)."""
    runs = []
    for n in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(qdpx), str(workdir / f"fresh-{n}.db")],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return runs


def report(label: str, runs: list[dict[str, float]]) -> None:
    def fig(key: str, fmt: str) -> str:
        values = [r[key] for r in runs]
        return f"min {min(values):{fmt}} median {statistics.median(values):{fmt}}"

    codings = int(runs[0]["codings"])
    best = min(r["wall"] for r in runs)
    print(
        f"{label} | {codings:>9,} codings | import wall {fig('wall', '6.1f')} s | "
        f"CPU {fig('cpu', '6.1f')} s | peak {fig('peak_mb', '6.0f')} MB | "
        f"{codings / best:,.0f} codings/s (best) | warnings {int(runs[0]['warnings'])} | "
        f"{len(runs)} runs"
    )


def run(workdir: Path, sources: int, codings: int, repeat: int) -> None:
    from qualcode import open_project
    from qualcode.formats import refi

    src = workdir / f"source-{codings}.db"
    t0 = time.perf_counter()
    build(src, sources, codings)
    built = time.perf_counter() - t0
    project = open_project(src)
    t0 = time.perf_counter()
    qdpx = refi.export_project(project, workdir / f"bench-{codings}.qdpx")
    exported = time.perf_counter() - t0
    project.close()
    print(
        f"{sources:>6,} sources: build {built:6.1f} s | export {exported:6.1f} s "
        f"({qdpx.stat().st_size / 1e6:,.1f} MB .qdpx)"
    )
    report(f"{sources:>6,} sources", measure(qdpx, workdir, repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1_000)
    parser.add_argument("--codings", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3, help="imports per size (min, median)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    parser.add_argument("--import-only", type=Path, help="only time imports of this .qdpx")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_import(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.import_only:
            report(args.import_only.name, measure(args.import_only, workdir, args.repeat))
            return
        run(workdir, 20, 10_000, args.repeat)
        run(workdir, args.sources, args.codings, args.repeat)


if __name__ == "__main__":
    main()
