"""Speed of writes at study size: bulk coding from CSV, whole-project export, many coders at once.

Usage: python benchmarks/bench_writes.py [--codings 10000] [--no-pg] [--pg-url URL]
       [--sources 200] [--words 2000] [--skip-concurrency]

For each backend (a SQLite file; a PostgreSQL server: a throwaway one started like the tests do,
or --pg-url pointing at an EMPTY database) it generates a project with benchmarks/generate.py,
then times real `qualcode` processes (wall time, including Python start-up, and peak memory):
  - `qualcode code --from FILE.csv` with N codings (half on existing excerpts, some new codes)
    target: 10,000 in < 2 s (tools in use today take ~110 s);
  - whole-project export: `qualcode refi export FILE.qdpx`, target < 2 s at that size; and the
    codebook (`codebook export --format yaml`) and `report codes` for comparison;
  - `qualcode db check`, `qualcode backup`, `qualcode restore` into an empty project;
  - 8 processes x 1,000 codings at once (the concurrency test's workers), without a target.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

QUALCODE = [sys.executable, "-c", "from qualcode.cli import main; main()"]


def run(args: list[str], db: str, cwd: Path) -> tuple[float, float, float]:
    """Run `qualcode ARGS` on ``db``: wall seconds, CPU seconds (user + system: what a busy
    machine does not inflate) and peak resident memory (MB) of that process."""
    env = {**os.environ, "QUALCODE_DB": db}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*QUALCODE, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"qualcode {' '.join(args)} failed: {proc.stderr.read()[-1000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def figure(label: str, seconds: float, cpu: float | None = None, peak: float | None = None,
           target: str = "") -> None:  # fmt: skip
    cpu_text = f" (cpu {cpu:5.2f} s)" if cpu is not None else " " * 15
    memory = f"  peak {peak:4.0f} MB" if peak is not None else ""
    print(f"  {label:<46} {seconds:6.2f} s{cpu_text}{memory}  {target}".rstrip(), flush=True)


def codings_csv(db: str, path: Path, n: int, seed: int = 7) -> None:
    """N codings on sentence ranges: half on excerpts already coded, 10 new codes, 3 coders."""
    from sqlalchemy import select

    from qualcode import open_project
    from qualcode.models import Code, Excerpt, Segment, Source

    rng = random.Random(seed)
    with open_project(db) as project, project.session(write=False) as session:
        titles = dict(session.execute(select(Source.id, Source.title)).all())
        sentences = session.execute(
            select(Segment.source_id, Segment.start, Segment.end).where(Segment.kind == "sentence")
        ).all()
        excerpts = session.execute(select(Excerpt.source_id, Excerpt.start, Excerpt.end)).all()
        codes = session.scalars(select(Code.name)).all()
    codes = [*codes, *(f"New code {i}" for i in range(10))]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["source", "start", "end", "code", "coder"])
        for i in range(n):
            source_id, start, end = rng.choice(excerpts if i % 2 else sentences)
            coder = f"Coder {'ABC'[i % 3]}"
            writer.writerow([titles[source_id], start, end, rng.choice(codes), coder])


def concurrency(db: str) -> float:
    """8 processes x 1,000 codings at once (the workers of tests/test_concurrency.py)."""
    from qualcode import open_project
    from qualcode.models import Source
    from tests import test_concurrency as tc

    with open_project(db) as project, project.session() as session:
        session.add(Source(title="notes", text=tc.TEXT))
    ctx = multiprocessing.get_context("spawn")
    barrier, errors = ctx.Barrier(tc.PROCESSES + 1), ctx.Queue()  # + this process
    procs = [
        ctx.Process(target=tc.worker, args=(db, i, barrier, errors)) for i in range(tc.PROCESSES)
    ]
    for proc in procs:
        proc.start()
    barrier.wait(120)  # the clock starts when every process is ready (not at spawn start-up)
    start = time.perf_counter()
    for proc in procs:
        proc.join()
    if any(p.exitcode for p in procs):
        raise SystemExit(f"a coding process failed: {errors.get() if not errors.empty() else ''}")
    return time.perf_counter() - start


def bench(label: str, db: str, fresh: str, args: argparse.Namespace, work: Path) -> None:
    from generate import Sizes, generate

    print(f"\n{label}", flush=True)
    sizes = Sizes(
        sources=args.sources,
        words=args.words,
        excerpts=args.codings // 2,
        codings=args.codings,
        codes=150,
        themes=20,
        coders=3,
    )
    start = time.perf_counter()
    made = generate(db, sizes)
    figure(
        f"generate: {made['sources']} sources, {made['codings']:,} codings, "
        f"{made['segments']:,} segments",
        time.perf_counter() - start,
    )
    csv_path = work / "codings.csv"
    codings_csv(db, csv_path, args.codings)
    apply = ["code", "--from", str(csv_path)]
    figure(f"code --from CSV: {args.codings:,} codings", *run(apply, db, work), "target < 2 s")
    figure("  the same file again (all there already)", *run(apply, db, work))
    for name, cmd, target in (
        ("refi export project.qdpx (whole project)", ["refi", "export", "p.qdpx"], "target < 2 s"),
        ("codebook export --format yaml", ["codebook", "export", "--format", "yaml"], ""),
        ("report codes --format csv", ["report", "codes", "--format", "csv"], ""),
        ("team reconcile --format csv", ["team", "reconcile", "--format", "csv"], ""),
        ("db check", ["db", "check"], ""),
        ("backup", ["backup", "--overwrite", str(work / "p.backup")], ""),
    ):
        try:
            figure(name, *run(cmd, db, work), target)
        except SystemExit as exc:
            print(f"  {name:<46} failed: {str(exc)[:200]}")
    figure("restore into an empty project", *run(["restore", str(work / "p.backup")], fresh, work))
    if not args.skip_concurrency:
        figure("8 processes x 1,000 codings at once", concurrency(fresh.replace("r2", "r3")))
    print(f"  (load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=10_000)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--words", type=int, default=2_000)
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--pg-url", help="an EMPTY PostgreSQL database to use")
    parser.add_argument("--skip-concurrency", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="qualcode-bench-") as tmp:
        work = Path(tmp)
        bench(
            "SQLite file",
            str(work / "bench.db"),
            str(work / "r2.db"),
            args,
            work,
        )
        if args.no_pg:
            return
        if args.pg_url:
            print("\n(--pg-url: restore and concurrency figures need spare databases; skipped)")
            args.skip_concurrency = True
            bench("PostgreSQL (given URL)", args.pg_url, args.pg_url + "_r2", args, work)
            return
        from tests.pgserver import PgServer, find_pg_bin

        if find_pg_bin() is None:
            print("\nPostgreSQL binaries not found: server figures skipped")
            return
        server = PgServer().start()
        try:
            db = server.create_database("bench")
            server.create_database("bench_r2")
            server.create_database("bench_r3")
            label = "PostgreSQL server (local, fsync off as in the tests)"
            bench(label, db, server.url("bench_r2"), args, work)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
