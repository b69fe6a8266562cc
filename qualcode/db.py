"""Opening a project: a SQLite file by path or a PostgreSQL server by URL, migrated on open.

The SQLite file gets foreign keys, WAL and a busy timeout on every connection; writes begin
``IMMEDIATE`` so that two writers queue on the lock instead of failing half-way. Opening refuses a
database that a newer qualcode made, or a file that is not a qualcode project, before touching it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from qualcode.errors import ProjectError
from qualcode.project_file import SQLITE_MAGIC as SQLITE_MAGIC  # the light checks live there
from qualcode.project_file import busy_timeout_ms as busy_timeout_ms
from qualcode.project_file import (
    check_is_ours,
    check_sqlite_file,
    inspect_sqlite,
    set_pragmas,
    sqlite_path,
)
from qualcode.project_file import display_name as display_name
from qualcode.project_file import sqlite_readonly as sqlite_readonly

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

T = TypeVar("T")
# The newest migration's revision. Kept here so that opening an up-to-date project (every command)
# need not load Alembic and walk the scripts; tests/test_project_store.py checks it against them.
SCHEMA_HEAD = "0004"


def migrations_dir() -> Path:
    """The Alembic scripts: inside the installed package, or the checkout's migrations/."""
    try:
        path = Path(str(resources.files("qualcode.migrations")))
    except ModuleNotFoundError:
        path = Path(__file__).resolve().parent.parent / "migrations"
    if not (path / "env.py").exists():  # pragma: no cover - a broken install
        raise ProjectError(f"qualcode's migration scripts are missing from {path}")
    return path


def to_url(path_or_url: str | Path) -> str:
    """A SQLAlchemy URL for a path (SQLite) or a URL given as is.

    ``postgres://`` and ``postgresql://`` (what hosting providers hand out) mean psycopg 3.
    """
    raw = str(path_or_url)
    if "://" in raw:
        shown = display_name(raw)
        try:
            url = make_url(raw)
        except ArgumentError:
            raise ProjectError(f"{shown}: not a database URL") from None
        if url.drivername in ("postgres", "postgresql") or url.drivername.startswith("postgres+"):
            url = url.set(drivername="postgresql+psycopg")
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ProjectError(f"{shown}: only SQLite files and PostgreSQL URLs are supported")
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{sqlite_path(raw)}"


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event issues BEGIN itself
    set_pragmas(dbapi_connection)


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("qualcode_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    timeout = busy_timeout_ms()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": timeout / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if importlib.util.find_spec("psycopg") is None:
        from qualcode.errors import INSTALL_PG

        raise ProjectError(f"{display_name(url)}: {INSTALL_PG}")
    # lock_timeout: a table another session holds makes a command fail after the same wait
    # as SQLite's busy timeout, instead of hanging.
    args = {"connect_timeout": 5, "options": f"-c lock_timeout={timeout}"}
    return create_engine(url, pool_pre_ping=True, connect_args=args)


def is_retryable(exc: BaseException) -> bool:
    """Lock contention or a serialization failure: the transaction can simply run again."""
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return code in ("40001", "40P01")
    return False


def race_safe(session: Session, work: Callable[[], T], attempts: int = 5) -> T:
    """Run ``work`` in a savepoint; when a concurrent session committed the same unique row first,
    roll back to the savepoint and run ``work`` again, which now finds that row and uses it.

    ``work`` must be a find-or-create (as ``coding.code_range`` is): on SQLite writers queue on the
    lock so this never triggers; on PostgreSQL (read committed) the retry sees the other commit.
    """
    for attempt in range(attempts):
        try:
            with session.begin_nested():
                return work()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class Project:
    """An open qualcode project: an engine plus short sessions for reads and writes."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self._reads = sessionmaker(engine, expire_on_commit=False)
        self._writes = sessionmaker(
            engine.execution_options(qualcode_write=True), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        database = self.engine.url.database
        return Path(database) if self.is_sqlite and database else None

    @property
    def label(self) -> str:
        """The project as a title names it: a file name, or the server's database name."""
        if self.sqlite_path is not None:
            return self.sqlite_path.name
        return f"{self.engine.url.database} on {self.engine.url.host or 'localhost'}"

    @contextlib.contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        factory = self._writes if write else self._reads
        with factory() as session, session.begin():
            yield session

    def transaction(self, work: Callable[[Session], T], retries: int = 20) -> T:
        """Run ``work`` in one write transaction, retried on lock contention or serialization
        for at most the busy timeout in all (then the lock error reaches the user)."""
        deadline = time.monotonic() + busy_timeout_ms() / 1000
        for attempt in range(retries + 1):
            try:
                with self.session() as session:
                    return work(session)
            except DBAPIError as exc:
                late = attempt > 0 and time.monotonic() > deadline
                if attempt == retries or late or not is_retryable(exc):
                    raise
                time.sleep(min(0.5, 0.01 * 2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({self.engine.url.render_as_string(hide_password=True)!r})"


def _alembic_config(
    connection: Connection | None = None, *, scripts: Path | None = None
) -> AlembicConfig:
    """Alembic's configuration: our scripts (or a test's ``scripts`` folder) on ``connection``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(scripts or migrations_dir()))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its scripts
        raise ProjectError("qualcode's migration scripts have no head revision")
    return head


def known_revisions() -> set[str]:
    """Every revision this qualcode's scripts know; any other was made by a newer qualcode."""
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def current_revision(project: Project) -> str | None:
    with project.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _inspect_server(project: Project) -> tuple[set[str], str | None]:
    with project.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revision = None
        if "alembic_version" in tables:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return tables, revision


def _check_is_ours(
    tables: set[str], revision: str | None, label: str, migrate: bool, create: bool = True
) -> None:
    """Refuse foreign databases, empty ones (unless creating), and (when about to migrate) ones
    from a newer qualcode."""
    check_is_ours(tables, label, create)
    if not migrate or revision is None or revision == SCHEMA_HEAD:
        return
    if revision not in known_revisions():
        raise ProjectError(
            f"{label}: made by a newer qualcode (revision {revision}); upgrade qualcode to open it"
        )


def sqlite_backup(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite file (WAL included), through SQLite's online backup."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def upgrade(project: Project, revision: str = "head") -> None:
    """Migrate with the checks of qualcode.migrate: every row kept, or nothing changed."""
    from qualcode.migrate import upgrade as checked_upgrade

    checked_upgrade(project, revision)


def open_project(path_or_url: str | Path, *, migrate: bool = True, create: bool = True) -> Project:
    """Open (and with ``create``, make) a project, bringing its schema up to date.

    Without ``create`` a missing file or an empty database (a 0-byte file, an empty PostgreSQL
    database reached by a typo) is refused before anything is written: only ``init``, ``demo``
    and ``restore`` create a project.

    A SQLite file at an older revision is copied beside itself (``NAME.before-REV``) first, and
    the upgrade is checked (qualcode.migrate): a failed one leaves the project as it was.
    """
    url = to_url(path_or_url)
    label = display_name(path_or_url)
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        check_sqlite_file(path, label)
        if not create and not path.exists():
            raise ProjectError(f"{label}: no such project (run 'qualcode init' first)")
        try:
            tables, revision = inspect_sqlite(path)
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{label}: cannot read the SQLite file: {exc}") from None
        _check_is_ours(tables, revision, label, migrate, create)
    project = Project(url, make_engine(url))
    if not url.startswith("sqlite"):
        try:
            tables, revision = _inspect_server(project)
            _check_is_ours(tables, revision, label, migrate, create)
        except OperationalError as exc:
            project.close()
            from qualcode.errors import SERVER_GONE, describe

            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            gone = "server went away" in (describe(exc) or "")
            hint = f"; {SERVER_GONE}" if gone else ""
            raise ProjectError(f"{label}: cannot open the database: {reason}{hint}") from None
        except Exception:
            project.close()
            raise
    if migrate and revision != SCHEMA_HEAD:
        from qualcode.migrate import upgrade as checked_upgrade

        try:
            checked_upgrade(project, label=label)
        except BaseException:
            project.close()
            raise
    return project
