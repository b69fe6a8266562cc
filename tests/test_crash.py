"""Crash safety: `kill -9` in the middle of an import or of coding loses nothing committed.

A real `qualcode` process is killed (SIGKILL: no cleanup, no atexit) while it writes. Afterwards
the project opens, `qualcode db check` passes, everything the process reported as done is there,
and the piece of work it was in the middle of is absent, not half there.
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from qualcode import open_project
from qualcode.formats.files import BATCH_FILES
from qualcode.models import Coding, Event, Segment, Source

QUALCODE = [sys.executable, "-c", "from qualcode.cli import main; main()"]
FILES = 300
WORDS = [
    "the",
    "ministry",
    "said",
    "remittances",
    "paid",
    "for",
    "houses",
    "while",
    "skilled",
    "people",
    "left",
]


def spawn(args: list[str], db_url: str, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "QUALCODE_DB": db_url}
    return subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def kill_after(proc: subprocess.Popen, lines: int, marker: str) -> list[str]:
    """Read the process's output until ``lines`` lines contain ``marker``, then SIGKILL it."""
    seen: list[str] = []
    while len(seen) < lines:
        line = proc.stdout.readline()
        if not line:
            pytest.fail(f"the process ended early: {proc.stderr.read()[-2000:]}")
        if marker in line:
            seen.append(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    seen += [line for line in proc.stdout.read().splitlines() if marker in line]  # flushed
    assert proc.returncode == -signal.SIGKILL
    return seen


def db_check(cli) -> None:
    result = cli("db", "check")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert ": ok (" in result.stdout


def notes_text(i: int) -> str:
    """A realistic page of notes, different for every file (so the checksums differ)."""
    paragraphs = []
    for p in range(40):
        words = [WORDS[(i * 7 + p * 3 + w) % len(WORDS)] for w in range(60)]
        paragraphs.append(f"File {i} paragraph {p}. " + " ".join(words).capitalize() + ".")
    return "\n\n".join(paragraphs) + "\n"


@pytest.mark.slow
def test_killing_a_many_file_import_keeps_every_finished_file(cli, db_url, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    files = []
    for i in range(FILES):
        path = folder / f"interview-{i:03d}.txt"
        path.write_text(notes_text(i), encoding="utf-8")
        files.append(path)
    proc = spawn([*QUALCODE, "import", *map(str, files)], db_url, tmp_path)
    reported = kill_after(proc, 15, "imported as source")
    done = {Path(line.split(":")[0]).stem for line in reported}

    db_check(cli)
    with open_project(db_url) as project, project.session(write=False) as session:
        stored = dict(session.execute(select(Source.title, Source.text)).all())
        segmented = set(
            session.scalars(
                select(Source.title).join(Segment, Segment.source_id == Source.id).distinct()
            )
        )
    assert done <= stored.keys(), "a file reported as imported is missing"
    # files are stored a batch per transaction and reported once it is committed: at most the
    # batch committed just before the kill can be there unreported
    assert len(stored) - len(done) <= BATCH_FILES
    assert len(stored) < FILES, "the import finished before the kill: make it longer"
    for title, body in stored.items():
        number = int(title.split("-")[1])
        assert body == notes_text(number), f"{title} is only half there"
    if segmented:  # segments are stored in the file's batch's transaction, whole or not at all
        assert segmented == set(stored)

    again = cli("import", *files)  # the user re-runs the same command: the rest goes in
    assert again.exit_code == 1  # the files already there are refused by name...
    assert f"{len(stored)} of {FILES} files not imported" in again.stderr
    with open_project(db_url) as project, project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Source)) == FILES
    db_check(cli)


CODING_LOOP = """
import sys
from qualcode import coding, open_project
project = open_project(sys.argv[1])
for i in range(100_000):
    ref = f"notes:{i % 900}-{i % 900 + 1 + i // 900}"  # a new range every time
    project.transaction(lambda s: coding.code_range(s, ref, f"Code {i % 30}", "Ann"))
    print(f"coded {i}", flush=True)
"""


@pytest.mark.slow
def test_killing_a_coding_session_keeps_every_committed_coding(cli, db_url, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(notes_text(0)[:1000], encoding="utf-8")
    assert cli("import", notes).exit_code == 0
    proc = spawn([sys.executable, "-c", CODING_LOOP, db_url], db_url, tmp_path)
    reported = kill_after(proc, 150, "coded ")

    db_check(cli)
    with open_project(db_url) as project, project.session(write=False) as session:
        codings = set(session.scalars(select(Coding.guid)))
        logged = [
            p["guid"]
            for p in session.scalars(select(Event.payload).where(Event.action == "coding.apply"))
        ]
    assert len(codings) in (len(reported), len(reported) + 1)
    assert sorted(logged) == sorted(codings), "a coding without its event, or the reverse"


@pytest.mark.slow
def test_killing_a_bulk_coding_writes_all_or_nothing(cli, db_url, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(notes_text(0), encoding="utf-8")
    assert cli("import", notes).exit_code == 0
    rows = 60_000
    path = tmp_path / "codings.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["source", "start", "end", "code", "coder"])
        for i in range(rows):
            writer.writerow(["notes", i % 5000, 5000 + i % 7, f"Code {i % 50}", f"C{i % 3}"])
    with open_project(db_url) as project, project.session(write=False) as session:
        events_before = session.scalar(select(func.count()).select_from(Event))
    proc = spawn([*QUALCODE, "code", "--from", str(path)], db_url, tmp_path)
    time.sleep(1.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    db_check(cli)
    with open_project(db_url) as project, project.session(write=False) as session:
        count = session.scalar(select(func.count()).select_from(Coding))
        events = session.scalar(select(func.count()).select_from(Event))
    finished = proc.returncode == 0
    assert count == (
        len({(i % 5000, i % 7, i % 50, i % 3) for i in range(rows)}) if finished else 0
    )
    assert (events > events_before) == finished


def test_db_check_names_each_problem_and_fails(cli, project, db_url, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(notes_text(1)[:300], encoding="utf-8")
    assert cli("import", notes).exit_code == 0
    assert cli("code", "notes:0-120", "Brain drain", "--coder", "Ann").exit_code == 0
    db_check(cli)
    orphan = (
        "INSERT INTO codings (guid, excerpt_id, source_id, code_id, coder_id, created_at) "
        "VALUES ('orphan', 1, 1, 999, 1, '2024-01-01')"
    )
    if project.is_sqlite:  # a plain connection: foreign keys are off unless switched on
        with sqlite3.connect(project.sqlite_path) as conn:
            conn.execute(orphan)
    with project.engine.begin() as conn:
        conn.execute(text("UPDATE sources SET text = 'cut short'"))  # excerpt 0-120 now past it
        if not project.is_sqlite:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")  # no FK checks
            conn.exec_driver_sql(orphan)
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "excerpts: 1 end past their source's text" in result.stdout
    assert "codings: 1 rows whose code_id points to a missing codes row" in result.stdout
    if project.is_sqlite:
        assert "foreign_key_check: codings row" in result.stdout
    assert result.stderr.strip().endswith("problems found (listed above)")
