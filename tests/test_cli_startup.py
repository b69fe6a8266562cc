"""Light commands stay light: `qualcode --help` and the count reports load no heavy library.

Each command runs in a fresh interpreter (the way a user runs it) and reports, at exit, which
heavy modules it imported; any of them fails the test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.report_projects import build_report_project

HEAVY = ("spacy", "pandas", "numpy", "textual", "sqlalchemy", "alembic", "matplotlib", "docx")
# `code` prints one line: not even rich (the reports' tables use it) may load
WATCHED = (*HEAVY, "rich")
PROBE = f"""
import atexit, json, sys
@atexit.register
def _report():
    heavy = [m for m in {WATCHED!r} if m in sys.modules]
    sys.stderr.write("\\nHEAVY=" + json.dumps(heavy) + "\\n")
sys.argv = ["qualcode", *json.loads(sys.argv[1])]
from qualcode.cli import main
main()
"""


def heavy_modules(*args: str) -> tuple[list[str], subprocess.CompletedProcess]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(args))], capture_output=True, text=True
    )
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("HEAVY=")][-1]
    return json.loads(line.removeprefix("HEAVY=")), done


def test_help_lists_the_commands_without_heavy_imports():
    heavy, done = heavy_modules("--help")
    assert set(heavy) <= {"rich"}
    for command in ("init", "import", "code", "report", "participants", "db"):
        assert f"  {command} " in done.stdout


@pytest.fixture(scope="module")
def sqlite_project(tmp_path_factory) -> Path:
    from qualcode import open_project

    path = tmp_path_factory.mktemp("light") / "project.db"
    with open_project(path) as project:
        build_report_project(project)
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["report", "codes"],
        ["report", "themes"],
        ["report", "themes", "--counts", "reported", "--format", "csv"],
        ["report", "participants", "--format", "json"],
        ["report", "sources", "--format", "md"],
        ["report", "matrix", "--presence"],
        ["report", "cooccurrence", "--format", "csv"],
    ],
)
def test_count_reports_load_no_heavy_library(sqlite_project, args):
    heavy, done = heavy_modules(*args, "--db", str(sqlite_project))
    assert done.returncode == 0, done.stderr
    # co-occurrence counts its pairs with numpy (qualcode.overlaps): the one it needs
    allowed = {"rich", "numpy"} if "cooccurrence" in args else {"rich"}
    assert set(heavy) <= allowed, f"qualcode {' '.join(args)} imported {heavy}"
    assert "Total" in done.stdout or "Expert A" in done.stdout or "Labour" in done.stdout


def test_a_filtered_report_takes_the_full_path_and_still_answers(sqlite_project):
    heavy, done = heavy_modules(
        "report", "codes", "--coders", "Bob", "--format", "csv", "--db", str(sqlite_project)
    )
    assert done.returncode == 0, done.stderr
    assert "sqlalchemy" in heavy and "pandas" not in heavy
    assert done.stdout.splitlines()[0] == "code,themes,count,participants,status"


def test_code_loads_no_heavy_library_not_even_rich(sqlite_project, tmp_path):
    db = tmp_path / "coded.db"
    shutil.copy(sqlite_project, db)
    heavy, done = heavy_modules(
        "code", "A notes:0-16", "Еңбек көші", "--coder", "Әлия", "--db", str(db)
    )
    assert done.returncode == 0, done.stderr
    assert heavy == [], f"qualcode code imported {heavy}"
    assert done.stdout.startswith("coded A notes:0-16 [0-16] with 'Еңбек көші' by Әлия (coding #")
