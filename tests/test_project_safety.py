"""No surprises around the project itself: only init creates one, passwords never shown, files
follow the umask, a restore checks the backup first, a newer project is called 'ahead', and
team status names only people who coded. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from qualcode import open_project
from qualcode.db import current_revision, head_revision
from qualcode.models import Code, Coder
from tests.conftest import Cli
from tests.test_error_contract import one_line

FUTURE = "9999_future"


def tables_of(db: str) -> set[str]:
    if "://" not in db:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    from sqlalchemy import create_engine

    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir() if p.name.startswith(path.name)}


# --- only init creates a project -------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["report", "codes"], ["participants", "list"], ["team", "status"], ["db", "check"]],
    ids=" ".join,
)
def test_an_empty_database_is_refused_with_a_hint_to_init(db_url, tmp_path, command):
    if "://" not in db_url:
        Path(db_url).write_bytes(b"")  # a 0-byte file, as `touch` or a failed copy leaves it
    result = Cli(db_url, tmp_path)(*command)
    one_line(result, "an empty database, not a qualcode project", "run 'qualcode init'")
    assert tables_of(db_url) == set(), "no table was created"
    if "://" not in db_url:
        assert Path(db_url).stat().st_size == 0
        assert beside(Path(db_url)) == {"project.db"}, "no -wal or -shm beside a refused file"
    assert Cli(db_url, tmp_path)("init").exit_code == 0
    assert Cli(db_url, tmp_path)(*command).exit_code == 0


def test_db_current_on_an_empty_database_refuses_too(db_url, tmp_path):
    one_line(Cli(db_url, tmp_path)("db", "current"), "run 'qualcode init'")


# --- secrets ---------------------------------------------------------------------------------


@pytest.fixture
def pg_with_password(pg_server) -> tuple[str, str]:
    """An empty PostgreSQL database reached by a URL with a password (the test server trusts
    every connection, so the password is carried but not needed)."""
    url = pg_server.create_database("qc_secret_" + os.urandom(4).hex())
    return url.replace("postgres@", "postgres:Құпия-s3cret@"), "Құпия-s3cret"


def test_the_password_is_masked_in_init_check_backup_and_errors(pg_with_password, tmp_path):
    url, secret = pg_with_password
    cli = Cli(url, tmp_path)
    outputs = []
    for args in (
        ["report", "codes"],  # refused: empty
        ["init"],
        ["db", "check"],
        ["db", "current"],
        ["backup", tmp_path / "b.dump"],
        ["restore", tmp_path / "missing.dump"],
    ):
        result = cli(*args)
        outputs.append(result.output)
    assert "project ready: postgresql+psycopg://postgres:***@" in outputs[1]
    assert ": ok (" in outputs[2]
    joined = "\n".join(outputs)
    assert secret not in joined
    assert joined.count("***") >= 4


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_and_postgresql_urls_are_accepted(pg_server, tmp_path, scheme):
    url = pg_server.create_database(f"qc_scheme_{scheme}")
    plain = url.replace("postgresql+psycopg://", f"{scheme}://")
    result = Cli(plain, tmp_path)("init")
    assert result.exit_code == 0, result.output
    assert current_revision(open_project(plain)) == head_revision()


# --- files follow the umask ------------------------------------------------------------------


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


def test_project_exports_and_backups_follow_the_umask(umask_027, tmp_path):
    db = tmp_path / "thesis.db"
    cli = Cli(str(db), tmp_path)
    assert cli("init").exit_code == 0
    filled(str(db), "Көші-қон")
    written = [db]
    for name, args in [
        ("codebook.qdc", ["refi", "export"]),
        ("project.qdpx", ["refi", "export"]),
        ("codes.xlsx", ["report", "codes", "-f", "xlsx", "-o"]),
        ("codes.csv", ["report", "codes", "-f", "csv", "-o"]),
        ("codebook.yaml", ["codebook", "export", "-o"]),
        ("backup.db", ["backup"]),
    ]:
        target = tmp_path / name
        result = cli(*args, target)
        assert result.exit_code == 0, result.output
        written.append(target)
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, f"{path.name} ignores the umask"


# --- restore checks the backup first ---------------------------------------------------------


def filled(db: str, *codes: str) -> None:
    with open_project(db) as project, project.session() as session:
        session.add_all(Code(name=name) for name in codes)


def names(db: str) -> list[str]:
    with open_project(db, migrate=False) as project, project.session(write=False) as session:
        return sorted(session.scalars(select(Code.name)))


def set_revision(db: str, revision: str) -> None:
    with open_project(db, migrate=False) as project, project.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def another_location(db_url: str, tmp_path: Path, pg_server) -> str:
    if "://" not in db_url:
        return str(tmp_path / "target.db")
    return pg_server.create_database("qc_target_" + os.urandom(4).hex())


@pytest.fixture
def newer_backup(db_url, tmp_path):
    """A backup made by a newer qualcode (its schema revision unknown here)."""
    from qualcode import backup as backups

    filled(db_url, "Көші-қон")
    set_revision(db_url, FUTURE)
    path = tmp_path / ("newer.db" if "://" not in db_url else "newer.dump")
    with open_project(db_url, migrate=False) as project:
        backups.backup(project, path)
    return path


def test_restore_refuses_a_newer_backup_before_touching_the_project(
    db_url, tmp_path, newer_backup, request
):
    target = another_location(
        db_url, tmp_path, request.getfixturevalue("pg_server") if "://" in db_url else None
    )
    filled(target, "Миграция", "Brain drain")
    result = Cli(target, tmp_path)("restore", "--force", newer_backup)
    one_line(result, str(newer_backup), "made by a newer qualcode", "upgrade qualcode")
    assert names(target) == ["Brain drain", "Миграция"]
    assert current_revision(open_project(target)) == head_revision()
    assert Cli(target, tmp_path)("report", "codes").exit_code == 0, "the project still opens"


def test_restore_refuses_a_damaged_backup(sqlite_url, tmp_path):
    filled(sqlite_url, "Көші-қон")
    backup = tmp_path / "b.db"
    assert Cli(sqlite_url, tmp_path)("backup", backup).exit_code == 0
    data = bytearray(backup.read_bytes())
    data[4096:8192] = b"\x00" * 4096  # a page of the backup zeroed
    backup.write_bytes(bytes(data))
    target = str(tmp_path / "target.db")
    filled(target, "Миграция")
    result = Cli(target, tmp_path)("restore", "--force", backup)
    one_line(result, str(backup))
    assert names(target) == ["Миграция"]


def test_a_project_made_by_a_newer_qualcode_can_still_be_restored_over(db_url, tmp_path):
    filled(db_url, "Көші-қон")
    backup = tmp_path / ("b.db" if "://" not in db_url else "b.dump")
    assert Cli(db_url, tmp_path)("backup", backup).exit_code == 0
    set_revision(db_url, FUTURE)
    cli = Cli(db_url, tmp_path)
    assert "ahead" in cli("db", "current").stdout
    result = cli("restore", "--force", backup)
    assert result.exit_code == 0, result.output
    assert names(db_url) == ["Көші-қон"]
    assert current_revision(open_project(db_url)) == head_revision()


# --- a newer project ---------------------------------------------------------------------------


def test_db_current_says_ahead_and_a_refused_file_gets_no_wal(db_url, tmp_path):
    open_project(db_url).close()
    set_revision(db_url, FUTURE)
    cli = Cli(db_url, tmp_path)
    result = cli("db", "current")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{FUTURE} (ahead: made by a newer qualcode")
    one_line(cli("report", "codes"), "made by a newer qualcode")
    if "://" not in db_url:
        assert beside(Path(db_url)) == {"project.db"}, "no -wal or -shm beside a refused file"


def test_a_foreign_sqlite_file_gets_no_wal_either(tmp_path):
    path = tmp_path / "recipes.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    one_line(Cli(str(path), tmp_path)("report", "codes"), "not a qualcode project")
    assert beside(path) == {"recipes.db"}


# --- team status -------------------------------------------------------------------------------


def test_team_status_shows_no_phantom_coder_named_after_the_login(project, db_url, tmp_path):
    import getpass

    cli = Cli(db_url, tmp_path)
    assert cli("team", "mode", "blind").exit_code == 0  # makes a coder of the login name
    with project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Coder)) == 1
    result = cli("team", "status", "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == []
    assert getpass.getuser() not in result.stdout
