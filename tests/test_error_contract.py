"""One error contract: database, disk and driver errors reach the user as one line with a hint.

Each kind is caused for real: a full database (SQLite's max_page_count, a file-size limit on a
real process), a full disk (/dev/full), a project locked by another connection, a string over the
database's limit, a stopped PostgreSQL server, a missing psycopg, a self-referencing YAML
codebook. Each ends in exactly one line on stderr, exit code 1, and the project unchanged.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select

from qualcode import open_project
from qualcode.models import Participant, Setting, Source
from tests.conftest import Cli
from tests.pgserver import PgServer, find_pg_bin

KAZAKH_TEXT = "Көші-қон туралы сұхбат. Жастар қалаға көшеді. " * 400  # about 19 kB
RUSSIAN_TEXT = "Интервью о миграции. Молодёжь уезжает в города. " * 400


def one_line(result, *needles: str) -> str:
    """The run failed with one line ``qualcode: error: ...`` holding every needle."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("qualcode: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def count(db: str, model) -> int:
    with open_project(db) as project, project.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def sqlite_connect_hook():
    """Run ``hook(dbapi_connection)`` on every new SQLite connection of any engine (real limits
    of the real SQLite library, set the way an administrator's build would set them)."""
    hooks = []

    def install(hook) -> None:
        def on_connect(dbapi_connection, _record) -> None:
            if isinstance(dbapi_connection, sqlite3.Connection):
                hook(dbapi_connection)

        event.listen(Engine, "connect", on_connect)
        hooks.append(on_connect)

    yield install
    for hook in hooks:
        event.remove(Engine, "connect", hook)


def test_a_full_database_is_one_line_with_the_disk_hint(sqlite_url, tmp_path, sqlite_connect_hook):
    open_project(sqlite_url).close()
    notes = tmp_path / "сұхбат.txt"
    notes.write_text(KAZAKH_TEXT, encoding="utf-8")
    pages = sqlite3.connect(sqlite_url).execute("PRAGMA page_count").fetchone()[0]
    sqlite_connect_hook(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages + 1}"))
    result = Cli(sqlite_url, tmp_path)("import", notes)
    one_line(result, "the disk is full", "free some disk space", "nothing was changed")
    assert count(sqlite_url, Source) == 0


def test_a_full_disk_on_export_is_one_line(project, db_url, tmp_path):
    cli = Cli(db_url, tmp_path)
    for fmt in ("csv", "xlsx"):
        result = cli("report", "codes", "-f", fmt, "-o", "/dev/full")
        one_line(result, "/dev/full: No space left on device", "free some disk space")


def test_a_string_over_sqlites_limit_is_one_line(sqlite_url, tmp_path, sqlite_connect_hook):
    open_project(sqlite_url).close()
    notes = tmp_path / "интервью.txt"
    notes.write_text(RUSSIAN_TEXT, encoding="utf-8")
    sqlite_connect_hook(lambda conn: conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 5000))
    result = Cli(sqlite_url, tmp_path)("import", notes)
    one_line(result, "string too big", "nothing was changed")
    assert count(sqlite_url, Source) == 0


def test_a_value_too_long_for_postgresql_is_one_line(pg_server, tmp_path):
    db = pg_server.create_database("qc_too_long")
    open_project(db).close()
    people = tmp_path / "participants.csv"
    people.write_text("pseudonym,organisation\nЭксперт А,НПО\n" + "Қ" * 300 + ",ҮЕҰ\n")
    result = Cli(db, tmp_path)("participants", "import", people)
    one_line(result, "string too big", "value too long")
    assert count(db, Participant) == 0


def hold_lock(db: str):
    """Another process's write transaction on the project, open until closed."""
    if "://" not in db:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO settings (key, value) VALUES ('held', 'yes')")
        return conn
    import psycopg

    conn = psycopg.connect(db.replace("+psycopg", ""))
    conn.execute("LOCK TABLE settings, codes IN ACCESS EXCLUSIVE MODE")
    return conn


def test_a_project_locked_too_long_is_one_line_naming_the_other_process(
    project, db_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("QUALCODE_BUSY_TIMEOUT", "0.3")
    holder = hold_lock(db_url)
    try:
        result = Cli(db_url, tmp_path)("team", "mode", "reconcile", "--coder", "Айгерім")
        one_line(result, "locked", "another process holds the project", "QUALCODE_BUSY_TIMEOUT")
    finally:
        holder.rollback()
        holder.close()
    with project.session(write=False) as session:
        assert session.get(Setting, "team.mode") is None, "the mode was not changed"


def test_a_locked_project_in_the_workbench_is_a_notification_not_a_crash(
    project, db_url, monkeypatch
):
    from qualcode.tui.app import QualcodeApp

    monkeypatch.setenv("QUALCODE_BUSY_TIMEOUT", "0.2")
    app = QualcodeApp(db_url, "Айгерім")
    seen: list[str] = []

    async def run() -> None:
        async with app.run_test() as pilot:
            await pilot.pause()
            holder = hold_lock(db_url)
            try:
                app.notify = lambda message, **_: seen.append(message)  # type: ignore[method-assign]
                assert await app.act(app.workbench.create_code, "Көші-қон") is None
            finally:
                holder.rollback()
                holder.close()

    asyncio.run(run())
    assert len(seen) == 1 and "another process holds the project" in seen[0]
    assert "\n" not in seen[0]


def test_a_stopped_postgresql_server_is_one_line(tmp_path):
    if find_pg_bin() is None:
        pytest.skip("PostgreSQL binaries not found")
    server = PgServer().start()
    try:
        db = server.create_database("qc_gone")
        open_project(db).close()
    finally:
        server.stop()
    result = Cli(db, tmp_path)("report", "codes")
    one_line(result, "cannot open the database", "check that the PostgreSQL server is running")


def test_a_missing_psycopg_asks_for_the_postgres_extra(tmp_path):
    url = "postgresql://аня:s3cret-пароль@127.0.0.1:1/thesis"
    code = (
        "import sys; sys.modules['psycopg'] = None; "
        f"sys.argv = ['qualcode', 'report', 'codes', '--db', {url!r}]; "
        "from qualcode.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "pip install 'qualcode[postgres]'" in lines[0]
    assert "s3cret" not in done.stderr and "***" in lines[0]


@pytest.mark.parametrize(
    "yaml_text",
    [
        "themes: &t\n  - name: Көші-қон\n    themes: *t\n",
        "codes: &c\n  - name: Миграция\n    themes: *c\n",
    ],
    ids=["theme-contains-itself", "code-list-in-itself"],
)
def test_a_self_referencing_yaml_codebook_is_one_line(cli, tmp_path, yaml_text):
    path = tmp_path / "loop.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    one_line(cli("codebook", "import", path), str(path))


def test_a_bug_still_shows_its_traceback():
    """The contract covers what a user can act on; a programming error is not hidden."""
    from sqlalchemy.orm.exc import DetachedInstanceError

    from qualcode.errors import describe

    assert describe(KeyError("x")) is None
    assert describe(DetachedInstanceError("Instance <Code> is not bound")) is None
    assert describe(sqlite3.OperationalError("database is locked"), "a.db").startswith("a.db: ")


def test_passwords_are_masked_in_described_errors():
    from qualcode.errors import describe, mask_secrets

    url = "postgresql+psycopg://ann:pa55@db.example/thesis"
    assert mask_secrets(url) == "postgresql+psycopg://ann:***@db.example/thesis"
    assert "pa55" not in mask_secrets("dbname=thesis password=pa55 host=x")
    line = describe(OSError(28, "No space left on device", "/tmp/x.csv"), url)
    assert line is not None and "free some disk space" in line
    assert "pa55" not in (describe(sqlite3.OperationalError(f"bad {url}"), url) or "")


def test_the_busy_timeout_must_be_a_number(project, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_BUSY_TIMEOUT", "soon")
    one_line(Cli(db_url, tmp_path)("participants", "list"), "QUALCODE_BUSY_TIMEOUT='soon'")


def test_a_database_error_outside_an_action_ends_the_workbench_with_one_line(
    sqlite_url, monkeypatch
):
    """A screen that cannot read the project (another process took it in exclusive locking
    mode) ends the app with the CLI's one line instead of Textual's traceback."""
    from qualcode.tui.app import QualcodeApp

    open_project(sqlite_url).close()
    monkeypatch.setenv("QUALCODE_BUSY_TIMEOUT", "0.2")
    app = QualcodeApp(sqlite_url, "Айгерім")
    holder = sqlite3.connect(sqlite_url, isolation_level=None)

    async def run() -> None:
        async with app.run_test() as pilot:
            await pilot.pause()
            app.project.engine.dispose()  # new connections from here on meet the lock
            holder.execute("PRAGMA locking_mode = EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("INSERT INTO settings (key, value) VALUES ('held', 'да')")
            app.switch_mode("codebook")
            for _ in range(50):  # the app ends itself; Pilot's pause would wait for a screen
                if app.error_line is not None:
                    break
                await asyncio.sleep(0.1)

    try:
        asyncio.run(run())
    finally:
        holder.rollback()
        holder.close()
    assert app.error_line is not None
    assert "another process holds the project" in app.error_line
    assert app.return_code == 1


def test_a_file_size_limit_hit_while_writing_the_project_is_one_line(sqlite_url, tmp_path):
    """The operating system refuses to grow the project's files (RLIMIT_FSIZE, as a full disk
    or a quota would) in a real qualcode process."""
    import resource
    import signal

    open_project(sqlite_url).close()
    notes = tmp_path / "интервью.txt"
    notes.write_text("Көші-қон туралы сұхбат. Молодёжь уезжает.\n" * 40000, encoding="utf-8")
    limit = Path(sqlite_url).stat().st_size + 65536

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "qualcode", "import", str(notes), "--db", sqlite_url],
        capture_output=True,
        text=True,
        preexec_fn=limited,
        timeout=300,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qualcode: error: "), done.stderr
    assert "free some disk space" in lines[0]
    assert count(sqlite_url, Source) == 0
