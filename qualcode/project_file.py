"""A SQLite project file, checked and connected to with the standard library alone.

The commands that must start fast (``init``, the light reports and writes) need these checks
without SQLAlchemy; qualcode.db builds its engine on the same ones, so both paths refuse the same
files with the same words and set the same pragmas.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from qualcode.errors import ProjectError

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000


def display_name(path_or_url: str | Path) -> str:
    """How messages name a project: the path as given, or the URL with its password masked."""
    from qualcode.errors import mask_secrets

    return mask_secrets(str(path_or_url))


def busy_timeout_ms() -> int:
    """How long a command waits for a project another process holds: QUALCODE_BUSY_TIMEOUT
    seconds, default 30. Past it the command stops with 'another process holds the project'."""
    raw = os.environ.get("QUALCODE_BUSY_TIMEOUT", "").strip()
    try:
        return max(0, int(float(raw) * 1000)) if raw else BUSY_TIMEOUT_MS
    except ValueError:
        raise ProjectError(f"QUALCODE_BUSY_TIMEOUT={raw!r}: give a number of seconds") from None


def sqlite_path(raw: str) -> Path:
    """The absolute path of a project file given as typed; its folder must exist."""
    path = Path(raw).expanduser()
    if not path.parent.exists():
        raise ProjectError(f"{raw}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise ProjectError(f"{raw}: is a folder, not a project file")
    return path.resolve()


def check_sqlite_file(path: Path, label: str | None = None) -> None:
    """Refuse a non-empty file that is not SQLite before anything opens it (named by label, the
    path as the user typed it, when given)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        if fh.read(16) != SQLITE_MAGIC:
            raise ProjectError(f"{label or path}: not a SQLite database, so not a qualcode project")


def sqlite_readonly(path: Path) -> sqlite3.Connection:
    """A read-only look at a SQLite file that leaves nothing beside it.

    A WAL-mode file opened read-only makes ``-wal`` and ``-shm`` files and keeps them; a file
    without a ``-wal`` has nothing outside the main file to read, so it is opened immutable (no
    locks, no side files). One with a ``-wal`` is in use and is read normally, WAL included.
    """
    in_use = Path(f"{path}-wal").exists()
    query = "mode=ro" if in_use else "mode=ro&immutable=1"
    return sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?{query}", uri=True)


def inspect_sqlite(path: Path) -> tuple[set[str], str | None]:
    """Tables and revision of a SQLite file, read-only: a foreign file must not be touched."""
    if not path.exists() or path.stat().st_size == 0:
        return set(), None
    conn = sqlite_readonly(path)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        return tables, revision
    finally:
        conn.close()


def check_is_ours(tables: set[str], label: str, create: bool = True) -> None:
    """Refuse a foreign database, and an empty one unless creating."""
    if tables and "alembic_version" not in tables:
        raise ProjectError(f"{label}: holds tables but is not a qualcode project")
    if not tables and not create:
        raise ProjectError(
            f"{label}: an empty database, not a qualcode project: "
            "run 'qualcode init' to create one there (nothing was written)"
        )


def set_pragmas(conn: sqlite3.Connection) -> None:
    """What every connection to a project runs first: foreign keys enforced, the busy timeout,
    WAL (readers never wait for the writer) and its usual synchronous level."""
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the pragmas, in autocommit mode: the caller issues BEGIN itself."""
    conn = sqlite3.connect(path, timeout=busy_timeout_ms() / 1000, isolation_level=None)
    try:
        set_pragmas(conn)
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def write_transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """One write transaction on a project file: ``BEGIN IMMEDIATE`` (writers queue on the lock
    for the busy timeout, as the ORM path's do), committed when the block ends, rolled back on
    any exception."""
    conn = connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()
