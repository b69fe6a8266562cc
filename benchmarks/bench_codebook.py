"""Codebook files and the demo: prints figures (not a test).

  - import of the thesis codebook (192 codes, 8 themes) and of a generated one (2,000 codes,
    50 themes) into a fresh SQLite project, then the YAML export and the appendix table;
  - `qualcode demo --no-tui` as a whole process.

Run: python benchmarks/bench_codebook.py [POSTGRES_URL_OF_AN_EMPTY_DATABASE]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THESIS = ROOT / "codebooks" / "thesis-appendix-b.yaml"


def generated(path: Path, codes: int = 2000, themes: int = 50) -> Path:
    from qualcode.codebook_sync import Codebook, CodeEntry, ThemeEntry
    from qualcode.formats.codebook_files import dump_yaml

    book = Codebook(
        themes=[
            ThemeEntry(f"Theme {t}", None if t < 10 else f"Theme {t % 10}") for t in range(themes)
        ],
        codes=[
            CodeEntry(
                name=f"Code {c}",
                themes=[f"Theme {c % themes}"],
                count=c % 13,
                participant=f"Expert {c % 9}",
                quote=f"A quoted passage number {c} that is about as long as the thesis's quotes.",
            )
            for c in range(codes)
        ],
    )
    path.write_text(dump_yaml(book), encoding="utf-8")
    return path


def timed(label: str, work) -> object:
    start = time.perf_counter()
    result = work()
    print(f"{label:<48} {time.perf_counter() - start:7.2f} s")
    return result


def run(db: str, file: Path) -> None:
    from qualcode.formats import appendix, codebook_files, open_project

    with open_project(db) as project:
        timed(f"import {file.name}", lambda: codebook_files.import_codebook(project, file))
        timed("export yaml", lambda: codebook_files.export_codebook(project, "yaml"))
        timed("appendix md", lambda: appendix.render(project, "md"))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big = generated(folder / "big.yaml")
        run(str(folder / "thesis.db"), THESIS)
        run(str(folder / "big.db"), big)
        if len(sys.argv) > 1:
            run(sys.argv[1], THESIS)
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from qualcode.cli import main; main()",
                "demo",
                "--no-tui",
                "--db",
                str(folder / "d.db"),
            ],
            check=True,
            capture_output=True,
        )
        print(
            f"{'qualcode demo --no-tui (whole process)':<48} {time.perf_counter() - start:7.2f} s"
        )


if __name__ == "__main__":
    main()
