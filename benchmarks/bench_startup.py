"""How long `qualcode --help` takes as a whole process, and that it loads no heavy library.

Prints the median of several runs (target: at most 0.2 s on the 2-core machine, issue 20) and
the heavy modules, if any, that `--help` imported.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

HEAVY = ("spacy", "pandas", "textual", "sqlalchemy", "matplotlib", "numpy")
RUNS = 15


def main() -> None:
    command = [sys.executable, "-c", "from qualcode.cli import main; main()", "--help"]
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    probe = (
        "import sys; sys.argv=['qualcode','--help']\n"
        "from qualcode.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stderr.strip()
    bare = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - start)
    print(
        f"qualcode --help: median {statistics.median(times):.3f} s, "
        f"best {min(times):.3f} s over {RUNS} runs (target <= 0.2 s, issue 20)"
    )
    print(f"python -c pass: median {statistics.median(bare):.3f} s (the interpreter alone)")
    print(f"heavy modules imported by --help: {loaded}")


if __name__ == "__main__":
    main()
