"""Every benchmark figure the issues ask for, in one command, with the machine that measured it.

Usage: python benchmarks/run_all.py [--timeout 900] [--only NAME ...] [--skip NAME ...]

Prints the machine's description (CPU model, cores, memory, load, Python, SQLite, PostgreSQL,
SQLAlchemy, qualcode commit), the start-up time of `qualcode --help`, then runs each benchmark
script as its own process with a time limit, printing its output as it comes: bench_import.py
(import speed), bench_reports.py (report times against raw SQL), bench_tui.py (TUI open),
bench_refi.py (REFI import/export), bench_writes.py (bulk coding, export, concurrency, backup),
and any other benchmarks/bench_*.py. A script that is missing, fails or runs out of time is
named in the summary at the end; the others still run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

FIRST = ["bench_import.py", "bench_reports.py", "bench_tui.py", "bench_refi.py", "bench_writes.py"]
HEAVY = ("spacy", "pandas", "textual", "sqlalchemy", "docx", "lxml", "matplotlib")


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _first_line(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "?"


def machine() -> list[tuple[str, str]]:
    """What the figures were measured on."""
    cpuinfo = _read("/proc/cpuinfo")
    model = next(
        (ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")),
        platform.processor() or platform.machine(),
    )
    meminfo = _read("/proc/meminfo").splitlines()
    mem_kb = next((int(ln.split()[1]) for ln in meminfo if ln.startswith("MemTotal")), 0)
    try:
        from tests.pgserver import find_pg_bin

        pg_bin = find_pg_bin()
    except Exception:  # the tests folder is not shipped with an installed qualcode
        pg_bin = None
    postgres = _first_line([str(pg_bin / "postgres"), "--version"]) if pg_bin else "not found"
    import sqlalchemy

    import qualcode

    commit = _first_line(["git", "-C", str(ROOT), "log", "-1", "--format=%h %cI"])
    return [
        ("CPU", model),
        ("cores", f"{os.cpu_count()} logical"),
        ("memory", f"{mem_kb / 1024 / 1024:.1f} GiB" if mem_kb else "?"),
        ("load average", " ".join(f"{x:.2f}" for x in os.getloadavg())),
        ("OS", platform.platform()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", postgres),
        ("SQLAlchemy", sqlalchemy.__version__),
        ("qualcode", f"{qualcode.__version__} ({commit})"),
    ]


def _timed(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of a command."""
    walls, cpus = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _pid, _status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def startup(repeat: int = 7) -> None:
    """`qualcode --help`: target <= 0.2 s (issue 20), and none of the heavy modules imported."""
    module = [sys.executable, "-c", "from qualcode.cli import main; main()", "--help"]
    script = shutil.which("qualcode")
    timings = [("python -c 'from qualcode.cli import main'", _timed(module, repeat))]
    if script:
        timings.insert(0, (f"console script {script}", _timed([script, "--help"], repeat)))
    probe = (
        "import sys; from qualcode.cli import main\n"
        "sys.argv = ['qualcode', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    heavy = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    bare, _ = _timed([sys.executable, "-c", "pass"], repeat)
    for label, (wall, cpu) in timings:
        print(f"  qualcode --help via {label}: median {wall:.3f} s wall, {cpu:.3f} s cpu")
    print(f"  (target <= 0.2 s; python -c pass alone: {bare:.3f} s)")
    print(f"  heavy modules imported by --help: {heavy or 'none'}", flush=True)


def run_script(path: Path, timeout: float) -> tuple[str, float]:
    """Run one benchmark script, streaming its output; its status and wall time."""
    start = time.perf_counter()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = start + timeout
    status = "ok"
    try:
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise subprocess.TimeoutExpired(proc.args, timeout)
            if sel.select(timeout=min(left, 1.0)):
                line = proc.stdout.readline()
                if not line:
                    break
                print(f"    {line.rstrip()}", flush=True)
        proc.wait(max(1.0, deadline - time.perf_counter()))
        if proc.returncode != 0:
            status = f"failed (exit {proc.returncode})"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)  # the script and anything it started (servers)
        proc.wait()
        status = f"timed out after {timeout:.0f} s"
    return status, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=900, help="seconds per script")
    parser.add_argument("--only", nargs="*", default=[], help="run only these scripts")
    parser.add_argument("--skip", nargs="*", default=[], help="do not run these scripts")
    args = parser.parse_args()

    print("machine")
    for key, value in machine():
        print(f"  {key:<13} {value}")
    print("\nstart-up", flush=True)
    startup()

    found = sorted(p.name for p in HERE.glob("bench_*.py"))
    order = [name for name in FIRST if name not in found] + [n for n in FIRST if n in found]
    order += [name for name in found if name not in FIRST]

    def wanted(name: str) -> bool:
        stem = name.removesuffix(".py")
        keys = {name, stem, stem.removeprefix("bench_")}
        return (not args.only or bool(keys & set(args.only))) and not keys & set(args.skip)

    summary = []
    for name in order:
        if not wanted(name):
            continue
        path = HERE / name
        if not path.exists():
            summary.append((name, "missing", 0.0))
            continue
        print(f"\n{name}", flush=True)
        status, seconds = run_script(path, args.timeout)
        summary.append((name, status, seconds))
    print("\nsummary")
    for name, status, seconds in summary:
        print(f"  {name:<22} {status:<28} {seconds:7.1f} s")
    print(f"  (load average at the end: {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
