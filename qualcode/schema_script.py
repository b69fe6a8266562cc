"""A new SQLite project's schema compiled ahead from the migrations, so that ``init`` needs
neither Alembic nor SQLAlchemy.

``python -m qualcode.schema_script`` runs every Alembic migration on an empty SQLite file and
writes what they left (each table, index and trigger as SQLite stored its ``CREATE`` statement,
and the revision) to qualcode/data/schema_sqlite.json. ``init`` of a new SQLite project replays
those statements and stamps the revision in one transaction: the same file the migrations make
(tests/test_schema_script.py compares the two in full, and fails when the file is stale).
Anything else (PostgreSQL, a project at an older revision, a script of another revision than this
qualcode's head) takes the Alembic path of qualcode.db.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from qualcode import project_file
from qualcode.errors import ProjectError

SCRIPT = Path(__file__).resolve().parent / "data" / "schema_sqlite.json"
# Tables before the indexes and triggers on them; SQLite makes its own sqlite_* objects.
KIND_ORDER = {"table": 0, "view": 1, "index": 2, "trigger": 3}
# A table constraint in a CREATE TABLE body (a column named "checksum" is not one).
TABLE_CONSTRAINT = re.compile(r"(CONSTRAINT|PRIMARY\s+KEY|UNIQUE|CHECK|FOREIGN\s+KEY)[\s(]", re.I)


def _top_level_items(body: str) -> list[str]:
    """A CREATE TABLE's body split at the commas outside parentheses and quotes."""
    items, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(body):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`[":
            quote = "]" if ch == "[" else ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(body[start:i])
            start = i + 1
    items.append(body[start:])
    return [item.strip() for item in items]


def canonical(sql: str) -> str:
    """A CREATE TABLE with its table constraints sorted (columns keep their order).

    Alembic's batch mode (how SQLite alters a table) re-creates a table with its constraints in
    an order that varies from run to run; the order means nothing to SQLite but would make the
    script differ at every generation. Other statements are returned as they are.
    """
    if not sql.startswith("CREATE TABLE"):
        return sql
    head, body = sql[: sql.index("(")], sql[sql.index("(") + 1 : sql.rindex(")")]
    tail = sql[sql.rindex(")") + 1 :]  # table options: WITHOUT ROWID
    items = _top_level_items(body)
    columns = [i for i in items if not TABLE_CONSTRAINT.match(i)]
    constraints = sorted(i for i in items if TABLE_CONSTRAINT.match(i))
    return head + "(\n\t" + ", \n\t".join(columns + constraints) + "\n)" + tail


def schema_statements(conn: sqlite3.Connection) -> list[str]:
    """The CREATE statements of everything in a SQLite file's schema, in an order that replays."""
    rows = conn.execute(
        "SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "ORDER BY rowid"
    ).fetchall()
    return [canonical(sql) for kind, sql in sorted(rows, key=lambda r: KIND_ORDER[r[0]])]


def compile_script() -> dict[str, Any]:
    """Migrate an empty SQLite file with Alembic and read back its schema (loads Alembic: for
    the generator and the test, never for ``init``)."""
    from qualcode.db import SCHEMA_HEAD, open_project

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "head.db"
        open_project(path, create=True).close()
        conn = sqlite3.connect(path)
        try:
            statements = schema_statements(conn)
            rows = {
                table: conn.execute(f'SELECT * FROM "{table}"').fetchall()
                for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
                if table not in ("alembic_version", "sqlite_sequence")
            }
        finally:
            conn.close()
    if any(rows.values()):  # pragma: no cover - a migration that seeds rows needs them here too
        raise AssertionError(f"the migrations wrote rows the script does not replay: {rows}")
    return {"revision": SCHEMA_HEAD, "statements": statements}


def load_script() -> dict[str, Any]:
    script: dict[str, Any] = json.loads(SCRIPT.read_text(encoding="utf-8"))
    return script


def create_sqlite(db: str) -> str | None:
    """Make the SQLite project ``db`` names from the compiled script and return its revision,
    or return None when the script does not apply (a URL, a project already there at another
    revision): the caller then takes the Alembic path.

    The script carries the revision it was compiled at; tests/test_schema_script.py holds it to
    qualcode.db.SCHEMA_HEAD (not read here: that module loads SQLAlchemy). An existing project
    at that revision is left as it is. The file is checked exactly as opening a
    project checks it (not SQLite, a foreign database: refused before anything is written).
    """
    if "://" in db:
        return None
    label = project_file.display_name(db)
    path = project_file.sqlite_path(db)
    project_file.check_sqlite_file(path, label)
    try:
        tables, revision = project_file.inspect_sqlite(path)
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{label}: cannot read the SQLite file: {exc}") from None
    project_file.check_is_ours(tables, label)
    script = load_script()
    head: str = script["revision"]
    if tables:
        return revision if revision == head else None
    with project_file.write_transaction(path) as conn:  # a second init waits, then finds it
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return None  # another process made it meanwhile: the full path checks it
        for statement in script["statements"]:
            conn.execute(statement)
        conn.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (head,))
    return head


def main() -> None:
    """Write qualcode/data/schema_sqlite.json from the migrations."""
    SCRIPT.write_text(json.dumps(compile_script(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {SCRIPT}")


if __name__ == "__main__":
    main()
