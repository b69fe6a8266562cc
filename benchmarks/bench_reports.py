"""Report speed on generated projects: prints figures (not a test).

Big project: 1,000 sources, 200,000 excerpts, 500,000 codings, 500 codes, 40 themes.
  - `qualcode report themes` as a whole process (target < 1 s) and its peak memory (< 300 MB);
  - the report's own SQL against a hand-written GROUP BY on the same file (target within 3x).
Small project: 200 interviews, 10,000 codings, 100 codes.
  - every count report as a whole process (target < 0.3 s) and the full code x code
    co-occurrence (target < 1 s), with the in-process query times beside them.

The SQLite files are generated once with bulk inserts and cached under /tmp/qualcode-bench
(delete the folder to regenerate). Run: python benchmarks/bench_reports.py [--quick]
"""

from __future__ import annotations

import random
import re
import sqlite3
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

CACHE = Path("/tmp/qualcode-bench")
BIG = {"sources": 1000, "excerpts": 200_000, "codings": 500_000, "codes": 500, "themes": 40}
SMALL = {"sources": 200, "excerpts": 5_000, "codings": 10_000, "codes": 100, "themes": 12}
CODERS = ("Ann", "Bob", "Cy")
SPAN = 50  # characters per excerpt slot in the generated texts


def generate(path: Path, size: dict[str, int], seed: int = 7) -> None:
    """A project of the given size, written with bulk inserts (one statement per table chunk)."""
    from sqlalchemy import insert

    from qualcode import open_project
    from qualcode.models import (
        Code,
        Coder,
        CodeTheme,
        Coding,
        Excerpt,
        Participant,
        Source,
        Theme,
    )

    rng = random.Random(seed)
    path.unlink(missing_ok=True)
    project = open_project(path)
    per_source = size["excerpts"] // size["sources"]
    mains = size["themes"] // 4
    with project.session() as s:
        n_people = size["sources"] // 2 if size["sources"] > 200 else size["sources"]
        s.execute(
            insert(Participant),
            [{"pseudonym": f"Expert {i}", "position": i} for i in range(n_people)],
        )
        s.execute(insert(Coder), [{"name": c, "initials": c[0]} for c in CODERS])
        words = ["migration", "labour", "visa", "border", "policy", "quota", "permit"]
        s.execute(
            insert(Source),
            [
                {
                    "title": f"Interview {i}",
                    "kind": "interview",
                    "participant_id": i % n_people + 1,
                    "text": " ".join(rng.choice(words) for _ in range(per_source * SPAN // 7 + 20)),
                }
                for i in range(size["sources"])
            ],
        )
        s.execute(
            insert(Theme),
            [
                {
                    "name": f"Theme {t}",
                    "position": t,
                    "parent_id": None if t < mains else t % mains + 1,
                }
                for t in range(size["themes"])
            ],
        )
        codes = []
        for c in range(size["codes"]):
            status = "excluded" if c % 50 == 49 else "merged" if c % 50 == 48 else "active"
            codes.append(
                {
                    "name": f"Code {c}",
                    "position": c,
                    "status": status,
                    "merged_into_id": 1 if status == "merged" else None,
                    "reported_count": rng.randint(1, 9),
                }
            )
        s.execute(insert(Code), codes)
        s.execute(
            insert(CodeTheme),
            [
                {"code_id": c + 1, "theme_id": c % size["themes"] + 1, "position": c}
                for c in range(size["codes"])
            ],
        )
        excerpts = []
        for src in range(size["sources"]):
            for k in range(per_source):
                start = k * SPAN + rng.randint(0, 10)
                # every fifth excerpt is longer, so that spans overlap their neighbours
                end = start + (SPAN * 2 if k % 5 == 0 else SPAN - 10)
                excerpts.append({"source_id": src + 1, "start": start, "end": end})
        for chunk in range(0, len(excerpts), 50_000):
            s.execute(insert(Excerpt), excerpts[chunk : chunk + 50_000])
        usable = [i + 1 for i, c in enumerate(codes) if c["status"] != "merged"]
        rows, seen = [], set()
        while len(rows) < size["codings"]:
            key = (
                rng.randrange(1, len(excerpts) + 1),
                rng.choice(usable),
                rng.randrange(1, len(CODERS) + 1),
            )
            if key not in seen:
                seen.add(key)
                source_id = excerpts[key[0] - 1]["source_id"]
                rows.append(
                    {
                        "excerpt_id": key[0],
                        "source_id": source_id,
                        "code_id": key[1],
                        "coder_id": key[2],
                    }
                )
        for chunk in range(0, len(rows), 50_000):
            s.execute(insert(Coding), rows[chunk : chunk + 50_000])
    project.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ANALYZE")


def cached(name: str, size: dict[str, int]) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{name}.db"
    if path.exists():
        with sqlite3.connect(path) as conn:
            if conn.execute("SELECT count(*) FROM codings").fetchone()[0] == size["codings"]:
                return path
    start = time.perf_counter()
    generate(path, size)
    print(f"generated {path} in {time.perf_counter() - start:.1f} s", flush=True)
    return path


QUALCODE = [sys.executable, str(Path(sysconfig.get_path("scripts")) / "qualcode")]


def whole_process(
    args: list[str], runs: int, env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """(median wall s, median CPU s, peak RSS MB) of `qualcode ARGS` as a child process, from
    /usr/bin/time -v. CPU (user + sys) is the figure to trust on a busy machine."""
    walls, cpus, peaks = [], [], []
    command = ["/usr/bin/time", "-v", *QUALCODE, *args, "--format", "csv"]
    subprocess.run(command, capture_output=True, check=True, env=env)  # warm the file cache
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
        walls.append(time.perf_counter() - start)
        user = float(re.search(r"User time \(seconds\): ([\d.]+)", done.stderr)[1])
        system = float(re.search(r"System time \(seconds\): ([\d.]+)", done.stderr)[1])
        cpus.append(user + system)
        peaks.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1]))
    return statistics.median(walls), statistics.median(cpus), max(peaks) / 1024


def in_process(fn, runs: int) -> tuple[float, float]:
    """(best wall s, best CPU s) of calling fn in this process, after one warm-up call."""
    fn()
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


# What a person would write: codings per theme and distinct participants (no roll-up of
# sub-themes, no exclusions) ...
HAND_WRITTEN = """
SELECT ct.theme_id, count(*), count(DISTINCT s.participant_id)
FROM codings c
JOIN excerpts e ON e.id = c.excerpt_id
JOIN sources s ON s.id = e.source_id
JOIN code_themes ct ON ct.code_id = c.code_id
GROUP BY ct.theme_id
"""
# ... and the same with SQLite's join order forced to walk excerpts in order (the fastest plan).
HAND_TUNED = """
SELECT ct.theme_id, count(*), count(DISTINCT s.participant_id)
FROM sources s
CROSS JOIN excerpts e ON e.source_id = s.id
CROSS JOIN codings c ON c.excerpt_id = e.id
JOIN code_themes ct ON ct.code_id = c.code_id
GROUP BY ct.theme_id
"""


def main() -> None:
    quick = "--quick" in sys.argv
    runs = 3 if quick else 5
    from qualcode import open_project, reports

    bare = statistics.median(_timed([sys.executable, "-c", "pass"]) for _ in range(runs))
    print(f"python -c pass: {bare:.3f} s")
    for module in ("pandas", "sqlalchemy.orm", "qualcode.reports"):
        t = statistics.median(
            _timed([sys.executable, "-c", f"import {module}"]) for _ in range(runs)
        )
        print(f"python -c 'import {module}': {t:.3f} s")

    with open("/proc/loadavg") as fh:
        print(f"load average: {fh.read().split()[:3]} (figures in wall time suffer on a busy box)")
    big = cached("big", BIG)
    print(f"\nbig project {big} ({BIG})")
    wall, cpu, peak = whole_process(["report", "themes", "--db", str(big)], runs)
    print(
        f"  qualcode report themes, whole process, cold: median wall {wall:.3f} s, "
        f"CPU {cpu:.3f} s, peak RSS {peak:.0f} MB (targets < 1 s, < 300 MB)"
    )
    project = open_project(big)
    ours = in_process(lambda: reports.themes(project), runs)
    conn = sqlite3.connect(big)
    for label, sql in (("hand-written", HAND_WRITTEN), ("hand-tuned", HAND_TUNED)):
        hand = in_process(lambda sql=sql: conn.execute(sql).fetchall(), runs)
        print(
            f"  reports.themes() in process: wall {ours[0]:.3f} s, CPU {ours[1]:.3f} s; "
            f"{label} GROUP BY: wall {hand[0]:.3f} s, CPU {hand[1]:.3f} s; "
            f"ratio (CPU) {ours[1] / hand[1]:.2f}x (target < 3x)"
        )
    project.close()

    small = cached("small", SMALL)
    print(f"\nsmall project {small} ({SMALL})")
    project = open_project(small)
    names = ("codes", "themes", "participants", "sources", "matrix", "cooccurrence")
    for name in names:
        wall, cpu, peak = whole_process(["report", name, "--db", str(small)], runs)
        fn = getattr(reports, name)
        query = in_process(lambda fn=fn: fn(project), runs)
        target = "1 s" if name == "cooccurrence" else "0.3 s"
        print(
            f"  report {name:13s} whole process: cold {wall:.3f} s "
            f"(CPU {cpu:.3f} s, {peak:.0f} MB); "
            f"in process {query[0]:.3f} s (CPU {query[1]:.3f} s) (target < {target})"
        )
    project.close()
    startup = (
        "import time; t = time.perf_counter(); import qualcode.cli; a = time.perf_counter(); "
        "import pandas; b = time.perf_counter(); import qualcode.reports; c = time.perf_counter(); "
        f"from qualcode import open_project; p = open_project({str(small)!r}); "
        "d = time.perf_counter(); "
        "print(f'cli {a - t:.3f} pandas {b - a:.3f} reports+sqlalchemy {c - b:.3f} "
        "open_project (alembic check) {d - c:.3f}')"
    )
    out = subprocess.run([sys.executable, "-c", startup], capture_output=True, text=True)
    print(f"\nwhere a whole-process report spends its time before the query: {out.stdout.strip()}")


def _timed(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
