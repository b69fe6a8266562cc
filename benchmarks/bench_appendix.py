"""The appendix and its examples on a large generated project: prints figures (not a test).

Builds (once per run) a project with benchmarks/generate.py: 500 interviews of 2,000 words,
20,000 excerpts, 50,000 codings, 300 codes in 40 themes; then times, in this process, five runs of:

  - the default-rule examples of every code (code_examples.examples);
  - the appendix table with --counts codings (appendix.table);
  - the appendix written as docx and as xlsx;
  - one code's example (what the TUI's codebook screen asks on each highlight).

Run: python benchmarks/bench_appendix.py [SQLITE_PATH_TO_KEEP]
Timings on a shared machine are noisy: min and median are printed.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import Sizes, generate

RUNS = 5


def timed(label: str, work) -> None:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    print(f"{label:<44} min {min(times):6.3f} s   median {statistics.median(times):6.3f} s")


def main() -> None:
    from qualcode import code_examples, open_project
    from qualcode.formats import appendix
    from qualcode.models import Code

    with tempfile.TemporaryDirectory() as tmp:
        db = sys.argv[1] if len(sys.argv) > 1 else str(Path(tmp) / "big.db")
        if not Path(db).exists():
            start = time.perf_counter()
            print(generate(db, Sizes()))
            print(f"generated in {time.perf_counter() - start:.1f} s")
        with open_project(db) as project:
            with project.session(write=False) as session:
                code = session.query(Code).filter_by(status="active").first()
                code_id = code.id

            def examples() -> None:
                with project.session(write=False) as session:
                    code_examples.examples(session)

            def one() -> None:
                with project.session(write=False) as session:
                    code_examples.example_of(session, session.get(Code, code_id))

            timed("examples of every code (default rule)", examples)
            timed("appendix.table --counts codings", lambda: appendix.table(project))
            timed("appendix docx", lambda: appendix.render(project, "docx", Path(tmp) / "a.docx"))
            timed("appendix xlsx", lambda: appendix.render(project, "xlsx", Path(tmp) / "a.xlsx"))
            timed("one code's example (TUI details pane)", one)


if __name__ == "__main__":
    main()
