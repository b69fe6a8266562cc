"""Schema upgrades that cannot lose data silently.

A migration that drops and re-creates a table (Alembic's batch mode, the only way SQLite can alter
most columns) would, with foreign keys on, cascade the drop into every child row: all excerpts and
codings gone, and nothing would notice. So on SQLite the migration's connection runs with
``PRAGMA foreign_keys=OFF`` (set before the transaction begins: SQLite ignores it inside one), and
after the scripts ran, still inside their transaction, ``PRAGMA foreign_key_check`` must find no
dangling reference. On both backends the row count of every table is compared before and after; a
difference, a dangling reference or any failure rolls the transaction back (DDL is transactional
on SQLite and PostgreSQL), and a SQLite file is restored from its ``NAME.before-REV`` copy, so the
project is left exactly as it was.

A migration that is meant to change row counts (merging duplicates, dropping a table) says so in
its module: ``row_count_changes = {"table", ...}``. See docs/migrations.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, func, inspect, select, table
from sqlalchemy.exc import DBAPIError

from qualcode.db import Project, _alembic_config, current_revision, sqlite_backup
from qualcode.errors import ProjectError, describe

VERSION_TABLE = "alembic_version"


class MigrationCheckFailed(Exception):
    """The migration ran but left the data different from what it declared."""


def row_counts(conn: Connection) -> dict[str, int]:
    """Rows per table (Alembic's own bookkeeping table aside)."""
    names = [n for n in inspect(conn).get_table_names() if n != VERSION_TABLE]
    return {n: conn.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names}


def count_differences(
    before: dict[str, int], after: dict[str, int], allowed: set[str]
) -> list[str]:
    """Tables whose rows changed in number (or that vanished holding rows) without leave."""
    problems = []
    for name, count in sorted(before.items()):
        if name in allowed:
            continue
        if name not in after:
            if count:
                problems.append(f"table {name} with {count} rows was dropped")
        elif after[name] != count:
            problems.append(f"{name} went from {count} to {after[name]} rows")
    return problems


def foreign_key_violations(conn: Connection) -> list[str]:
    """Dangling references on SQLite (PostgreSQL enforces them as the migration runs)."""
    if conn.dialect.name != "sqlite":
        return []
    rows = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    dangling: dict[tuple[str, str], int] = {}
    for child, _rowid, parent, _fk in rows:
        dangling[(child, parent)] = dangling.get((child, parent), 0) + 1
    return [f"{n} rows of {c} point to missing {p}" for (c, p), n in sorted(dangling.items())]


# The triggers of migration 0004 that keep coded_spans on SQLite. A batch migration that rebuilds
# codings or excerpts drops them with the old table and must create them again; upgrade refuses
# a result without them (tests/test_coded_spans.py holds this list to the head schema).
CODED_SPANS_TRIGGERS = (
    "trg_codings_span_delete",
    "trg_codings_span_insert",
    "trg_codings_span_update",
    "trg_excerpts_span_delete",
    "trg_excerpts_span_move",
)


def missing_triggers(conn: Connection) -> list[str]:
    """On SQLite with a coded_spans table, the triggers that keep it and are not there."""
    if conn.dialect.name != "sqlite":
        return []
    names = {name for (name,) in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    if "coded_spans" not in names:
        return []
    gone = [t for t in CODED_SPANS_TRIGGERS if t not in names]
    return [f"the triggers that keep coded_spans are gone: {', '.join(gone)}"] if gone else []


def allowed_changes(scripts: Path | None, current: str | None, target: str) -> set[str]:
    """Tables the revisions about to run declare they change the row count of."""
    from alembic.script import ScriptDirectory

    directory = ScriptDirectory.from_config(_alembic_config(scripts=scripts))
    allowed: set[str] = set()
    for script in directory.iterate_revisions(target, current or "base"):
        allowed |= set(getattr(script.module, "row_count_changes", ()))
    return allowed


@contextlib.contextmanager
def migration_connection(project: Project) -> Iterator[Connection]:
    """A connection to migrate on: on SQLite, foreign keys off until it returns to the pool."""
    with project.engine.connect() as conn:
        conn = conn.execution_options(qualcode_write=True)  # BEGIN IMMEDIATE: one writer
        if not project.is_sqlite:
            yield conn
            return
        raw = conn.connection.driver_connection
        assert raw is not None  # a live pooled connection
        raw.execute("PRAGMA foreign_keys = OFF")  # outside any transaction, or SQLite ignores it
        if raw.execute("PRAGMA foreign_keys").fetchone()[0] != 0:  # pragma: no cover - defensive
            raise ProjectError("cannot turn foreign keys off for the migration")
        try:
            yield conn
        finally:
            try:
                raw.execute("PRAGMA foreign_keys = ON")
            except Exception:  # pragma: no cover - a broken connection never returns to the pool
                conn.invalidate()


def upgrade(
    project: Project, revision: str = "head", *, scripts: Path | None = None, label: str = ""
) -> None:
    """Run the migrations up to ``revision`` checked as above, or leave the project untouched."""
    from alembic import command

    label = label or repr(project)
    current = current_revision(project)
    path = project.sqlite_path
    copy = None
    if path is not None and current is not None:
        copy = path.with_name(f"{path.name}.before-{current}")
        sqlite_backup(path, copy)
    allowed = allowed_changes(scripts, current, revision) if current is not None else set()
    try:
        with migration_connection(project) as conn, conn.begin():
            before = row_counts(conn)
            command.upgrade(_alembic_config(conn, scripts=scripts), revision)
            problems = foreign_key_violations(conn)
            problems += count_differences(before, row_counts(conn), allowed)
            problems += missing_triggers(conn)
            if problems:
                raise MigrationCheckFailed("; ".join(problems))
    except (MigrationCheckFailed, DBAPIError) as exc:
        _restore(project, copy)
        kept = f" (a copy is in {copy.name})" if copy is not None else ""
        raise ProjectError(
            f"{label}: the schema upgrade from {current or 'empty'} to {revision} was undone, "
            f"the project is as it was{kept}: {describe(exc) or exc}"
        ) from None
    except BaseException:
        _restore(project, copy)
        raise


def _restore(project: Project, copy: Path | None) -> None:
    """Put the SQLite file back from its copy (belt and braces: the rollback already did)."""
    path = project.sqlite_path
    if copy is None or path is None:
        return
    project.engine.dispose()
    with contextlib.suppress(Exception):  # a full disk may refuse this too; the rollback held
        sqlite_backup(copy, path)
