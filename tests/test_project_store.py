"""Opening, creating and refusing projects, on SQLite files and a PostgreSQL server."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from qualcode import open_project
from qualcode.db import current_revision, head_revision
from qualcode.errors import ProjectError
from qualcode.models import Code, Coder, Coding, Excerpt, Source


def test_opening_a_new_project_creates_the_schema_at_head(project):
    assert current_revision(project) == head_revision()
    tables = set(inspect(project.engine).get_table_names())
    assert {
        "participants",
        "sources",
        "excerpts",
        "codes",
        "themes",
        "code_themes",
        "coders",
        "codings",
        "memos",
        "events",
        "segments",
        "participant_attributes",
    } <= tables


def test_the_head_constant_matches_the_migration_scripts():
    from qualcode.db import SCHEMA_HEAD

    assert head_revision() == SCHEMA_HEAD


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(sqlite_url):
    project = open_project(sqlite_url)
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    project.close()


def test_database_refuses_a_coding_of_a_missing_code(project):
    with pytest.raises(IntegrityError), project.session() as session:
        session.add(Source(title="notes", text="some words"))
        session.flush()
        session.add(Excerpt(source_id=1, start=0, end=4))
        session.add(Coder(name="Ann"))
        session.flush()
        session.add(Coding(excerpt_id=1, code_id=999, coder_id=1))
        session.flush()
    with project.session(write=False) as session:
        assert session.scalar(select(Source)) is None  # rolled back whole


def test_code_names_are_unique_whatever_their_case(project):
    with pytest.raises(IntegrityError), project.session() as session:
        session.add(Code(name="Brain drain"))
        session.flush()
        session.add(Code(name="BRAIN DRAIN"))
        session.flush()


@pytest.mark.parametrize(
    "bad",
    [
        "INSERT INTO sources (guid, title, kind, language, text, created_at, updated_at) "
        "VALUES ('g1', 't', 'novel', 'en', 'x', '2024-01-01', '2024-01-01')",
        "INSERT INTO codes (guid, name, status, reconstructed, position, created_at) "
        "VALUES ('g2', 'c', 'merged', false, 0, '2024-01-01')",
    ],
    ids=["unknown-source-kind", "merged-without-target"],
)
def test_check_constraints_live_in_the_database(project, bad):
    with pytest.raises(IntegrityError), project.engine.begin() as conn:
        conn.execute(text(bad))


def test_excerpt_ranges_must_be_forward(project):
    with pytest.raises(IntegrityError), project.session() as session:
        session.add(Source(title="notes", text="some words"))
        session.flush()
        session.add(Excerpt(source_id=1, start=5, end=5))
        session.flush()


def test_missing_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ProjectError, match="does not exist"):
        open_project(tmp_path / "nowhere" / "project.db")
    assert not (tmp_path / "nowhere").exists()


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(ProjectError, match="cannot open the database"):
        open_project("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database")
    with pytest.raises(ProjectError, match="not a SQLite database"):
        open_project(path)
    assert path.read_text() == "these are my notes, not a database"


def test_a_file_that_is_not_sqlite_is_named_as_the_user_typed_it(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("заметки.md").write_text("Сарапшы А: көші-қон туралы", encoding="utf-8")
    with pytest.raises(ProjectError) as refused:
        open_project("заметки.md", create=False)
    assert str(refused.value).startswith("заметки.md: not a SQLite database")


def test_a_foreign_sqlite_database_is_refused_untouched(tmp_path: Path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="not a qualcode project"):
        open_project(path)
    assert path.read_bytes() == before
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert names == {"recipes"}


def test_a_project_from_a_newer_qualcode_is_refused(db_url):
    project = open_project(db_url)
    with project.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    project.close()
    with pytest.raises(ProjectError, match="newer qualcode"):
        open_project(db_url)
    again = open_project(db_url, migrate=False)
    assert current_revision(again) == "9999_future"
    again.close()


def test_opening_twice_keeps_the_data(db_url):
    with open_project(db_url) as project, project.session() as session:
        session.add(Code(name="Digitalisation"))
    with open_project(db_url) as project, project.session(write=False) as session:
        assert session.scalars(select(Code.name)).all() == ["Digitalisation"]
