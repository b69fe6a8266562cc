"""`qualcode code TARGET CODE` on SQLite takes the light path (sqlite3, SQL compiled ahead) and
leaves exactly what the ORM path leaves.

The same commands run on two copies of one real project file: one through the light path, one
with the light path turned off (the ORM path). Every table is dumped and compared (GUIDs and
times, which differ by nature, are replaced by their order of first appearance), and the printed
lines must be identical, with English, Russian and Kazakh names. Errors fall back to the ORM path
and leave the project untouched; an undo after a light coding gives the database back exactly.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qualcode import codebook, coding, coding_light, coding_plans, events, lookup
from qualcode.db import open_project
from qualcode.models import Participant
from qualcode.sources import SourceOptions, import_text

TEXTS = {
    "Interview A": "Expert A said that migrants return home. They find work there.\n\n"
    "The second paragraph is short. It has two sentences.",
    "Интервью Б": "Мигранты возвращаются домой после работы. Так сказал эксперт.\n\n"
    "Второй абзац. В нём два предложения.",
    "Сұхбат В": "Interviewer: Көші-қон саясаты қалай өзгерді?\n"
    "Әлия: Көші-қон саясаты өзгерді, дейді сарапшы.\n"
    "Interviewer: Неге?\n"
    "Әлия: Еңбек нарығы қиын.",
}
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d{6})?")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with three sources (segmented, one a transcript with turns), codes, coders."""
    path = tmp_path_factory.mktemp("light") / "project.db"
    with open_project(path) as project:
        with project.session() as session:
            session.add(Participant(pseudonym="Әлия", position=1))
        for title, text in TEXTS.items():
            options = SourceOptions(participant="Әлия" if title == "Сұхбат В" else None)
            import_text(project, text, title=title, options=options)
        with project.session() as session:
            ann = lookup.coder(session, "Ann", remember=True)
            for name in ("Brain drain", "Еңбек көші", "Возвращение", "Old code"):
                codebook.create_code(session, name, coder=ann)
            codebook.exclude_code(session, lookup.get_code(session, "Old code"), "merged away")
            coding.code_range(session, "Interview A:0-20", "Brain drain", "Ann")
    return path


@pytest.fixture
def pair(built: Path, tmp_path: Path) -> tuple[Path, Path]:
    light, orm = tmp_path / "light.db", tmp_path / "orm.db"
    shutil.copy(built, light)
    shutil.copy(built, orm)
    return light, orm


def run(db: Path, *args: str, light: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list]:
    """`qualcode code ARGS --db DB` in-process; ``light=False`` turns the light path off. Returns
    the result and what the light path returned (None: it left the work to the ORM path)."""
    from qualcode.cli import app

    seen: list[Any] = []
    real = coding_light.code_light

    def spy(*a: Any, **kw: Any) -> Any:
        done = real(*a, **kw) if light else None
        seen.append(done)
        return done

    with monkeypatch.context() as patch:
        patch.setattr(coding_light, "code_light", spy)
        result = CliRunner().invoke(app, ["code", *args, "--db", str(db)], catch_exceptions=False)
    return result, seen


def dump(db: Path) -> str:
    """Every row of every table, GUIDs and times replaced by their order of first appearance."""
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        lines = []
        for table in sorted(tables):
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                lines.append(f"{table}: {row!r}")
    finally:
        conn.close()
    text = "\n".join(lines)
    for pattern, label in ((GUID, "G"), (TIME, "T")):
        text = pattern.sub(_numbered(label), text)
    return text


def _numbered(label: str) -> Callable[[re.Match[str]], str]:
    """Each value as the n-th one seen, with its shape (digits and hex letters as x): the format must match."""
    seen: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        shape = re.sub(r"[0-9a-f]", "x", match[0])
        return seen.setdefault(match[0], f"<{label}{len(seen)} {shape}>")

    return name


COMMANDS = [
    ["Interview A:p1", "Brain drain", "--coder", "Ann"],
    ["интервью б:p2.s1", "Новый код", "--coder", "Әлия Нұрланқызы"],
    ["Сұхбат в:t2", "ЕҢБЕК КӨШІ"],  # the last coder, a folded code name
    ["Сұхбат В:s1", "Жаңа код", "--memo", "Саясат туралы"],
    ["#1", "Возвращение", "--coder", "ann"],  # an excerpt; the coder by folded name
    ["1:21-40", "Brain drain", "--no-create", "--coder", "Bob"],  # a source by id, a range
    ["Interview A:p1", "Brain drain", "--coder", "Ann"],  # already there: a no-op
    ["Interview A:p2.s2", "brain DRAIN"],
]


def test_the_compiled_sql_is_current():
    assert coding_plans.compile_plans() == coding_plans.load_plans(), (
        "qualcode/data/coding_sql.json is stale: run `python -m qualcode.coding_plans`"
    )


def test_light_and_orm_paths_write_the_same_rows_and_print_the_same(pair, monkeypatch):
    light, orm = pair
    old_times = set(TIME.findall(dump_raw(light)))
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for args in COMMANDS:
        fast, seen = run(light, *args, light=True, monkeypatch=monkeypatch)
        slow, _ = run(orm, *args, light=False, monkeypatch=monkeypatch)
        assert seen[0] is not None, f"the light path left {args} to the ORM path"
        assert (fast.exit_code, fast.stdout, fast.stderr) == (
            slow.exit_code,
            slow.stdout,
            slow.stderr,
        )
        assert fast.exit_code == 0, fast.stderr
        assert dump(light) == dump(orm), f"after {args}"
    conn = sqlite3.connect(light)
    stored = conn.execute("SELECT name, name_key, initials FROM coders ORDER BY id").fetchall()
    times = [r[0] for r in conn.execute("SELECT created_at FROM codings")]
    conn.close()
    assert ("Әлия Нұрланқызы", "әлия нұрланқызы", "ӘН") in stored
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", t) for t in times)
    ended = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    written = set(TIME.findall(dump_raw(light))) - old_times
    assert len(written) > 10  # rows' times and the payloads' ISO copies
    assert all(started <= dt.datetime.fromisoformat(t) <= ended for t in written)


@pytest.mark.parametrize(
    "args",
    [
        ["Nowhere:p1", "Brain drain"],  # unknown source
        ["Интервью Б:p1", "Несуществующий", "--no-create"],  # unknown code
        ["Интервью Б:q1", "Brain drain"],  # unreadable address
        ["Сұхбат В:p9", "Еңбек көші"],  # no such paragraph
        ["Сұхбат В:p1.s7", "Еңбек көші"],  # no such sentence in it
        ["Interview A:5-9999", "Brain drain"],  # past the end of the text
        ["#999", "Brain drain"],  # no such excerpt
        ["Interview A:p1", "Old code"],  # an excluded code
        ["Interview A:p1", "  "],  # an empty code name
    ],
)
def test_errors_are_the_same_and_leave_the_project_untouched(pair, monkeypatch, args):
    light, orm = pair
    before = dump(light)
    fast, seen = run(light, *args, light=True, monkeypatch=monkeypatch)
    slow, _ = run(orm, *args, light=False, monkeypatch=monkeypatch)
    assert seen == [None]  # the light path wrote nothing and let the ORM path say it
    assert fast.exit_code == slow.exit_code != 0
    assert fast.stderr == slow.stderr
    assert fast.stderr.startswith("qualcode: error: ") and fast.stderr.count("\n") == 1
    assert dump(light) == before == dump(orm)


def test_undo_after_a_light_coding_restores_the_database_exactly(pair):
    light, _orm = pair
    before = dump_raw(light)
    done = coding_light.code_light(str(light), "Интервью Б:p1.s2", "Көші-қон", "Ann")
    assert done is not None
    assert dump_raw(light) != before
    with open_project(light) as project, project.session() as session:
        undone = [events.undo(session), events.undo(session)]
    assert [e.action for e in undone if e is not None] == ["coding.apply", "code.create"]
    after = dump_raw(light, skip="events")
    assert after == dump_raw_text(before, skip="events")


def dump_raw(db: Path, skip: str = "") -> str:
    """Every row of every table as stored, GUIDs and times included (for exact comparisons)."""
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            f"{table}: {row!r}"
            for table in sorted(tables)
            if table != skip
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        )
    finally:
        conn.close()


def dump_raw_text(text: str, skip: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith(f"{skip}: "))


def test_other_projects_take_the_orm_path(pair, tmp_path, monkeypatch):
    light, _orm = pair
    assert coding_light.code_light("postgresql://u@localhost/x", "A:p1", "B") is None
    assert coding_light.code_light(str(tmp_path / "missing.db"), "A:p1", "B") is None
    assert not (tmp_path / "missing.db").exists()
    before = dump_raw(light)
    stale = coding_plans.load_plans() | {"revision": "0001"}
    monkeypatch.setattr(coding_plans, "load_plans", lambda: stale)
    assert coding_light.code_light(str(light), "Interview A:p1", "Brain drain", "Ann") is None
    assert dump_raw(light) == before


def test_a_locked_project_gives_the_same_error_on_both_paths(pair, monkeypatch):
    light, orm = pair
    monkeypatch.setenv("QUALCODE_BUSY_TIMEOUT", "0.2")
    lines = []
    for db, fast in ((light, True), (orm, False)):
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process's write transaction
        try:
            result, _seen = run(db, "Interview A:p1", "Қате", light=fast, monkeypatch=monkeypatch)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert result.exit_code == 1
        lines.append(result.stderr.replace(str(db), "PROJECT"))
    assert lines[0] == lines[1]
    assert "the project is locked and stayed locked too long" in lines[0]
    assert lines[0].count("\n") == 1
