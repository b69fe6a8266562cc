"""`init` of a new SQLite project replays the schema compiled ahead (qualcode/data/
schema_sqlite.json) instead of running Alembic: the file it makes must be the file the migrations
make, in every detail, and the script must follow the migrations (a new revision makes it stale).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from qualcode import open_project, schema_script
from qualcode.db import SCHEMA_HEAD, head_revision
from tests.conftest import Cli
from tests.test_cli_startup import heavy_modules

PRAGMAS = (
    "user_version",
    "application_id",
    "journal_mode",
    "auto_vacuum",
    "page_size",
    "encoding",
)  # not freelist_count: the migrations' re-created tables leave free pages behind


def normalised(sql: str | None) -> str | None:
    """The stored SQL with its table constraints in one order (Alembic's batch mode varies it)
    and runs of white space as one space."""
    return None if sql is None else re.sub(r"\s+", " ", schema_script.canonical(sql)).strip()


def index_key(conn: sqlite3.Connection, name: str) -> str:
    """An index by name, except SQLite's own for UNIQUE constraints: numbered in the order of
    the constraints, so named here by their columns."""
    if not name.startswith("sqlite_autoindex_"):
        return name
    columns = [r[2] for r in conn.execute(f'PRAGMA index_info("{name}")')]
    return f"sqlite_autoindex({','.join(columns)})"


def foreign_keys(conn: sqlite3.Connection, table: str) -> list[tuple[Any, ...]]:
    """A table's foreign keys, each as its rows without SQLite's id (which numbers them in the
    order of the constraints: a composite key's rows stay together)."""
    keys: dict[int, list[tuple[Any, ...]]] = {}
    for row in conn.execute(f'PRAGMA foreign_key_list("{table}")'):
        keys.setdefault(row[0], []).append(tuple(row[1:]))
    return sorted(tuple(rows) for rows in keys.values())


def full_schema(path: Path) -> dict[str, Any]:
    """Everything SQLite knows of a file's schema and contents, in a comparable form: the
    stored CREATE statements, each table's columns (types, defaults, not-null, keys, hidden),
    indexes (unique, origin, partial, their columns and collations), foreign keys (actions
    included), triggers, file-level pragmas, and every row of every table."""
    conn = sqlite3.connect(path)
    try:
        master = sorted(
            (kind, index_key(conn, name) if kind == "index" else name, table, normalised(sql))
            for kind, name, table, sql in conn.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master"
            )
        )
        tables = [r[1] for r in master if r[0] == "table"]
        out: dict[str, Any] = {"master": master}
        out["pragmas"] = {p: conn.execute(f"PRAGMA {p}").fetchall() for p in PRAGMAS}
        for table in tables:
            indexes = conn.execute(f'PRAGMA index_list("{table}")').fetchall()
            out[table] = {
                "columns": conn.execute(f'PRAGMA table_xinfo("{table}")').fetchall(),
                "indexes": sorted(
                    (
                        (index_key(conn, row[1]), *row[2:]),
                        conn.execute(f'PRAGMA index_xinfo("{row[1]}")').fetchall(),
                    )
                    for row in indexes
                ),
                "foreign_keys": foreign_keys(conn, table),
                "rows": sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr),
            }
        return out
    finally:
        conn.close()


def test_the_script_is_current_with_the_migrations():
    """Fails when a migration was added or changed: rerun the generator and commit its file."""
    assert schema_script.compile_script() == schema_script.load_script(), (
        "qualcode/data/schema_sqlite.json is stale: run `python -m qualcode.schema_script`"
    )
    assert schema_script.load_script()["revision"] == SCHEMA_HEAD == head_revision()


def test_light_init_makes_the_file_the_migrations_make(tmp_path: Path):
    light, migrated = tmp_path / "light.db", tmp_path / "migrated.db"
    assert schema_script.create_sqlite(str(light)) == SCHEMA_HEAD
    open_project(migrated, create=True).close()
    light_schema, migrated_schema = full_schema(light), full_schema(migrated)
    assert light_schema["master"], "nothing was created"
    assert light_schema["alembic_version"]["rows"] == [(SCHEMA_HEAD,)]
    assert light_schema["pragmas"]["journal_mode"] == [("wal",)]
    for key in migrated_schema:
        assert light_schema[key] == migrated_schema[key], key
    assert light_schema == migrated_schema
    assert sorted(p.name for p in tmp_path.iterdir()) == ["light.db", "migrated.db"]


def test_a_light_project_works_on_both_paths(tmp_path: Path):
    """Opened through SQLAlchemy it needs no migration (no copy made); Russian and Kazakh names
    go in and come out, and the database's constraints hold."""
    from qualcode import codebook, lookup

    path = tmp_path / "жоба.db"
    assert schema_script.create_sqlite(str(path)) == SCHEMA_HEAD
    with open_project(path, create=False) as project:
        project.transaction(lambda s: codebook.create_code(s, "Көші-қон"))
        project.transaction(lambda s: codebook.create_theme(s, "Миграция"))
        with pytest.raises(Exception, match="exists"):
            project.transaction(lambda s: codebook.create_code(s, "КӨШІ-ҚОН"))
        with project.session(write=False) as s:
            assert lookup.get_code(s, "көші-қон").name == "Көші-қон"
    assert not list(tmp_path.glob("*.before-*"))


def test_init_on_sqlite_loads_neither_alembic_nor_sqlalchemy(tmp_path: Path):
    target = tmp_path / "new.db"
    heavy, done = heavy_modules("init", "--db", str(target))
    assert done.returncode == 0, done.stderr
    assert heavy == [], f"qualcode init imported {heavy}"
    assert f"project ready: {target} (schema {SCHEMA_HEAD})" in done.stdout
    # a second init finds the project made and leaves it as it is
    before = full_schema(target)
    heavy, done = heavy_modules("init", "--db", str(target))
    assert done.returncode == 0 and heavy == [] and f"schema {SCHEMA_HEAD}" in done.stdout
    assert full_schema(target) == before


def test_init_refuses_foreign_files_and_leaves_them(tmp_path: Path):
    cli = Cli(str(tmp_path / "unused.db"), tmp_path)
    notes = tmp_path / "заметки.db"
    notes.write_text("Сарапшы А: көші-қон туралы жазба", encoding="utf-8")
    result = cli("init", "--db", str(notes))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"qualcode: error: {notes}: not a SQLite database, so not a qualcode project"
    )
    assert notes.read_text(encoding="utf-8") == "Сарапшы А: көші-қон туралы жазба"

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    result = cli("init", "--db", str(other))
    assert result.exit_code == 1
    assert "holds tables but is not a qualcode project" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with sqlite3.connect(other) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert names == ["notes"]


def test_init_of_an_older_project_upgrades_it_through_alembic(tmp_path: Path):
    """The script only makes new files: an older project is migrated with the checks."""
    from qualcode.migrate import upgrade

    path = tmp_path / "old.db"
    project = open_project(path, migrate=False)
    upgrade(project, "0001")
    project.close()
    result = Cli(str(path), tmp_path)("init")
    assert result.exit_code == 0, result.stderr
    assert f"schema {SCHEMA_HEAD}" in result.stdout
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (SCHEMA_HEAD,)
        ]


def test_init_on_postgresql_still_runs_the_migrations(db_url: str, tmp_path: Path):
    if "://" not in db_url:
        pytest.skip("the SQLite side is the light path, tested above")
    assert schema_script.create_sqlite(db_url) is None
    result = Cli(db_url, tmp_path)("init")
    assert result.exit_code == 0, result.stderr
    assert f"schema {SCHEMA_HEAD}" in result.stdout
