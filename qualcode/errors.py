"""Errors a user can see: one line each, naming the file or thing and the problem."""

from __future__ import annotations


class QualcodeError(Exception):
    """A problem with the user's input or project, reported as one line and a non-zero exit."""

    exit_code = 1


class ProjectError(QualcodeError):
    """The project cannot be opened or is not a qualcode project."""


class InputError(QualcodeError):
    """An input file or argument is malformed; nothing was written."""


class NotFoundError(QualcodeError):
    """A named code, theme, source, participant or coder does not exist."""


# --- the one-line contract for errors that are not ours ---------------------------------------
#
# Database, file-system and driver errors reach the top of the CLI and the TUI as exceptions of
# sqlite3, psycopg, SQLAlchemy or the OS. ``describe`` turns the ones a user can act on into one
# line with a hint; only the standard library is imported, so that the CLI starts fast.

import errno  # noqa: E402
import re  # noqa: E402

FREE_DISK = "free some disk space and try again; nothing was changed"
OTHER_PROCESS = (
    "another process holds the project (another qualcode command or window, or a sync tool): "
    "close it and try again, or wait longer with QUALCODE_BUSY_TIMEOUT=SECONDS; nothing was changed"
)
SERVER_GONE = "check that the PostgreSQL server is running and reachable, then try again"
INSTALL_PG = "PostgreSQL needs the psycopg driver: pip install 'qualcode[postgres]'"
_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")
_PASSWORD_FIELD = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)

# (words in a database error message, the line shown, the hint)
_DATABASE_MESSAGES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("database or disk is full", "no space left", "could not extend file", "disk quota"),
     "the disk is full (or the database reached its size limit)", FREE_DISK),
    (("database is locked", "database table is locked", "lock timeout", "lock_timeout"),
     "the project is locked and stayed locked too long", OTHER_PROCESS),
    (("string or blob too big", "value too long", "too large", "out of memory",
      "exceeds the maximum"),
     "a text is too big for the database (string too big)",
     "shorten it or split the file; nothing was changed"),
    (("server closed the connection", "terminating connection", "connection refused",
      "could not connect", "connection to server", "the connection is closed",
      "connection has been closed", "consuming input failed", "server conn crashed",
      "connection is lost", "no connection to the server", "the database system is"),
     "the PostgreSQL server went away or cannot be reached", SERVER_GONE),
    (("readonly database", "read-only"),
     "the project cannot be written (a read-only file or folder)",
     "check the permissions of the file and its folder"),
    (("disk i/o error",),
     "the disk refused a read or write (disk I/O error)", FREE_DISK),
)  # fmt: skip


def mask_secrets(text: str) -> str:
    """``text`` with any password in a URL (``://user:secret@``) or ``password=...`` hidden."""
    return _PASSWORD_FIELD.sub(r"\1***", _PASSWORD_IN_URL.sub(r"\1***@", text))


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, the driver error SQLAlchemy wraps, and their causes, each once."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [getattr(item, "orig", None), item.__cause__, item.__context__]
    return seen


def _is_driver_error(exc: BaseException) -> bool:
    """An error of the database driver itself (SQLAlchemy's wrappers carry it as ``orig``; its
    own errors, like a detached instance, are bugs and keep their traceback)."""
    module = type(exc).__module__
    return module in ("sqlite3", "_sqlite3") or module.startswith("psycopg")


def _describe_one(exc: BaseException, project: str | None) -> str | None:
    if type(exc).__module__.startswith("sqlalchemy") and getattr(exc, "orig", None) is not None:
        return None  # the driver's own error, next in the chain, says it without SQL
    where = f"{project}: " if project else ""
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] in (
        "psycopg",
        "psycopg2",
    ):
        return f"{where}{INSTALL_PG}"
    if isinstance(exc, RecursionError):
        return f"{where}the input nests too deeply (a YAML alias that refers to itself?)"
    if isinstance(exc, OSError) and not _is_driver_error(exc):
        name = exc.filename or project or "a file"
        reason = exc.strerror or _first_line(exc)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return f"{name}: {reason}: {FREE_DISK}"
        return f"{name}: {reason}"
    if _is_driver_error(exc):
        text = _first_line(exc).lower()
        for words, line, hint in _DATABASE_MESSAGES:
            if any(w in text for w in words):
                return f"{where}{line}: {hint} ({_first_line(exc)})"
    return None


def describe(exc: BaseException, project: str | None = None) -> str | None:
    """One line (with a hint) for a database, file-system or driver error, or None for a bug.

    ``project`` names the project the command was working on (its file, or its URL without the
    password). Passwords in the message are masked.
    """
    if isinstance(exc, QualcodeError):
        return mask_secrets(str(exc))
    for item in _chain(exc):
        line = _describe_one(item, project)
        if line is not None:
            return mask_secrets(line)
    drivers = [item for item in _chain(exc) if _is_driver_error(item)]
    if drivers:
        where = f"{project}: " if project else ""
        reason = _first_line(drivers[-1])
        return mask_secrets(f"{where}the database refused this, nothing was changed: {reason}")
    return None
