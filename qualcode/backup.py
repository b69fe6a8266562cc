"""`qualcode backup FILE` and `qualcode restore FILE`: a whole project in one file and back.

A SQLite project is copied with SQLite's online backup API, which gives a consistent copy even while
someone is coding. A PostgreSQL project is dumped with ``pg_dump`` (custom format) and restored by
feeding ``pg_restore``'s script to ``psql`` in ONE transaction, after dropping the project's
tables in that same transaction: a restore either completes or leaves the project as it was.

Restore goes into an empty project; over a project that holds rows it needs ``force``. Backups keep
their schema revision, so restoring an older backup and opening it upgrades it as usual.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from qualcode.db import SQLITE_MAGIC, sqlite_backup, sqlite_readonly
from qualcode.errors import InputError, ProjectError

if TYPE_CHECKING:
    from qualcode.db import Project

PG_DUMP_MAGIC = b"PGDMP"


def pg_tool(name: str) -> Path:
    """A PostgreSQL client program: on PATH, else the newest Debian install."""
    found = shutil.which(name)
    if found:
        return Path(found)
    versions = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[-3])
    )
    if not versions:
        raise ProjectError(
            f"{name} not found: install the PostgreSQL client (apt-get install postgresql-client)"
        )
    return Path(versions[-1])


def _libpq(project: Project) -> tuple[str, dict[str, str]]:
    """The server's URL for libpq tools, with the password in the environment, not argv."""
    url = make_url(project.url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(
    cmd: list[str], env: dict[str, str], what: str, **kw: Any
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
        reason = lines[0] if lines else f"exit code {done.returncode}"
        raise ProjectError(f"{what} failed: {reason}")
    return done


def kind_of(path: Path) -> str:
    """'sqlite' or 'pg_dump', from the file's first bytes."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open("rb") as fh:
        head = fh.read(16)
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "pg_dump"
    raise InputError(f"{path}: not a qualcode backup (neither a SQLite file nor a pg_dump file)")


def backup(project: Project, target: Path, *, overwrite: bool = False) -> Path:
    """Write the whole project to ``target`` (written beside it first, then renamed into place)."""
    if target.exists() and not overwrite:
        raise InputError(f"{target}: exists already (choose another name, or --overwrite)")
    if not target.parent.is_dir():
        raise InputError(f"{target}: the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if project.is_sqlite:
            sqlite_backup(_sqlite_path(project), partial)
        else:
            url, env = _libpq(project)
            cmd = [str(pg_tool("pg_dump")), "--format=custom", "--no-owner", "--no-privileges"]
            _run([*cmd, "--file", str(partial), "--dbname", url], env, "pg_dump")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def label(project: Project) -> str:
    """How a user names the project: its file, or its URL without the password."""
    if project.is_sqlite:
        return str(project.sqlite_path)
    return project.engine.url.render_as_string(hide_password=True)


def is_empty(project: Project) -> bool:
    """True for a project with no rows in any table (a fresh ``qualcode init``, or no tables)."""
    from qualcode.migrate import row_counts

    with project.engine.connect() as conn:
        return not any(row_counts(conn).values())


def _sqlite_backup_revision(path: Path) -> str | None:
    """The revision of a SQLite backup, after SQLite's own check of the whole file."""
    conn = sqlite_readonly(path)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        problem = conn.execute("PRAGMA integrity_check").fetchone()[0]
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: cannot read the backup: {exc}") from None
    finally:
        conn.close()
    if "alembic_version" not in tables:
        raise InputError(f"{path}: a SQLite file, but not a qualcode project")
    if problem != "ok":
        raise InputError(f"{path}: the backup is damaged ({problem})")
    return revision


def _pg_dump_revision(path: Path) -> str | None:
    """The revision inside a pg_dump backup; pg_restore reading its table of contents and the
    alembic_version data is the check that the file is whole."""
    done = _run(
        [str(pg_tool("pg_restore")), "--data-only", "--table=alembic_version", "--file", "-",
         str(path)],
        dict(os.environ),
        f"reading the backup {path}",
    )  # fmt: skip
    lines = done.stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines):
            value = lines[i + 1].strip()
            return None if value in ("\\.", "") else value
    raise InputError(f"{path}: a pg_dump file, but not a qualcode project (no schema revision)")


def check_backup(source: Path) -> tuple[str, str | None]:
    """The backup's kind and schema revision, refused before any project is touched if it is
    damaged, not qualcode's, or made by a newer qualcode."""
    from qualcode.db import known_revisions

    kind = kind_of(source)
    revision = _sqlite_backup_revision(source) if kind == "sqlite" else _pg_dump_revision(source)
    if revision is not None and revision not in known_revisions():
        raise InputError(
            f"{source}: made by a newer qualcode (schema {revision}); upgrade qualcode to "
            "restore it (the project was not touched)"
        )
    return kind, revision


def restore(project: Project, source: Path, *, force: bool = False) -> None:
    """Replace the project's contents with a backup; refused over rows unless ``force``.

    The backup is checked first (``check_backup``). The project is closed afterwards: open it
    again (which upgrades an older backup).
    """
    kind, _revision = check_backup(source)
    wanted = "sqlite" if project.is_sqlite else "pg_dump"
    if kind != wanted:
        here = "a SQLite file" if project.is_sqlite else "a PostgreSQL server"
        raise InputError(
            f"{source}: a {'SQLite' if kind == 'sqlite' else 'pg_dump'} backup cannot be restored "
            f"into {here}; restore it into a {'SQLite file' if kind == 'sqlite' else 'server'}"
        )
    if not force and not is_empty(project):
        raise ProjectError(
            f"{label(project)} holds data: restore into an empty project, or add --force to "
            "replace it"
        )
    if project.is_sqlite:
        target = _sqlite_path(project)
        project.close()
        sqlite_backup(source, target)  # one write transaction on the target: all or nothing
        return
    _restore_server(project, source)
    project.close()


def _restore_server(project: Project, source: Path) -> None:
    url, env = _libpq(project)
    script = _run(
        [str(pg_tool("pg_restore")), "--no-owner", "--no-privileges", "--file", "-", str(source)],
        env,
        f"pg_restore of {source}",
    ).stdout
    with project.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
    drops = "".join(f'DROP TABLE IF EXISTS "{t}" CASCADE;\n' for t in tables)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False, encoding="utf-8") as fh:
        fh.write(drops)
        fh.write(script)
        sql_path = fh.name
    try:
        project.engine.dispose()  # our pooled connections would hold locks on the tables
        _run(
            [
                str(pg_tool("psql")),
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set",
                "ON_ERROR_STOP=1",
                "--file",
                sql_path,
                "--dbname",
                url,
            ],
            env,
            f"restoring {source}",
        )
    finally:
        os.unlink(sql_path)


def _sqlite_path(project: Project) -> Path:
    path = project.sqlite_path
    if path is None:  # pragma: no cover - callers check project.is_sqlite
        raise ProjectError(f"{project!r} is not a SQLite file")
    return path
