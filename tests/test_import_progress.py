"""`qualcode import` on a real terminal: the progress bars are cleared when done and never
overwrite the per-file lines (a pseudo-terminal read through a VT100 emulator, pyte)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pyte
import pytest

COLUMNS, LINES = 100, 30


def run_on_a_terminal(args: list[str], cwd: Path, db: str) -> tuple[int, list[str]]:
    """Run qualcode with stdout and stderr on one pseudo-terminal; the final screen's lines."""
    main, child = pty.openpty()
    env = {**os.environ, "QUALCODE_DB": db, "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen(
        [sys.executable, "-m", "qualcode", *args],
        stdin=child,
        stdout=child,
        stderr=child,
        cwd=cwd,
        env=env,
    )
    os.close(child)
    screen = pyte.Screen(COLUMNS, LINES)
    stream = pyte.ByteStream(screen)
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        stream.feed(data.replace(b"\n", b"\r\n") if b"\r\n" not in data else data)
    os.close(main)
    code = process.wait(timeout=120)
    return code, [line.rstrip() for line in screen.display]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for i, text in enumerate(
        ["I am a programmer. " * 400, "Я программист. " * 400, "Мен кәсіпкермін. " * 400]
    ):
        (tmp_path / f"case{i}.txt").write_text(text, encoding="utf-8")
    return tmp_path


def test_bars_are_cleared_and_every_file_line_stays(folder: Path, sqlite_url: str):
    code, screen = run_on_a_terminal(["init"], folder, sqlite_url)
    assert code == 0
    files = [f"case{i}.txt" for i in range(3)]
    code, screen = run_on_a_terminal(["import", *files], folder, sqlite_url)
    assert code == 0, screen
    shown = [line for line in screen if line]
    assert shown[-3:] == [f"case{i}.txt: imported as source #{i + 1}" for i in range(3)]
    assert not any("━" in line or line.startswith("files") for line in screen)


def test_a_failed_file_and_the_others_lines_all_stay(folder: Path, sqlite_url: str):
    run_on_a_terminal(["init"], folder, sqlite_url)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    code, screen = run_on_a_terminal(
        ["import", "case0.txt", "empty.txt", "case1.txt"], folder, sqlite_url
    )
    assert code == 1
    shown = [line for line in screen if line]
    assert "case0.txt: imported as source #1" in shown
    assert "qualcode: error: empty.txt: the file is empty" in shown
    assert "case1.txt: imported as source #2" in shown
    assert not any("━" in line for line in screen)
