"""``qualcode code TARGET CODE`` on a SQLite project with the standard library's sqlite3.

It does what the ORM path (qualcode.coding.code_range with ``remember``) does, step for step:
the coder (by name key, created on first use, remembered as the last coder), the code (found by
name key, or created and logged), the place (qualcode.addresses' parser; sources by id or name
key; pN, pN.sM, sN, tN, START-END and #E), the excerpt (reused or made), the coding and its
``coding.apply`` event (qualcode.events' payload, so ``qualcode undo`` undoes it exactly), all in
one ``BEGIN IMMEDIATE`` transaction. The SQL is qualcode/data/coding_sql.json, compiled from the
statements and models the ORM path uses (qualcode.coding_plans).

Anything it does not handle returns None before writing anything, and the caller takes the ORM
path, which also gives every error: a URL (PostgreSQL), a missing or empty file, a project at
another schema revision, an unreadable address, and every failure (unknown source or code,
a unit or range that is not there, an excluded code, any SQLite error but a lock).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any, NamedTuple

from qualcode import addresses, events
from qualcode.coders import LAST_CODER, default_coder_name, initials
from qualcode.errors import InputError
from qualcode.light_rows import Runner
from qualcode.project_file import connect


class Coded(NamedTuple):
    """What ``code`` prints: the coding's id, its range, and who coded."""

    coding_id: int
    start: int
    end: int
    coder: str


class _Fallback(Exception):
    """The light path does not handle this; the ORM path will (and says what is wrong)."""


def code_light(
    db: str,
    target: str,
    code_name: str,
    coder_name: str | None = None,
    *,
    memo: str | None = None,
    create: bool = True,
) -> Coded | None:
    """Code ``target`` with ``code_name`` in the SQLite project ``db``, or None (nothing written)
    when the ORM path must do it."""
    from qualcode.coding_plans import load_plans

    if "://" in db:
        return None
    path = Path(db).expanduser()
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        address = addresses.parse(target)
    except (OSError, InputError):
        return None
    plans = load_plans()
    try:
        conn = connect(path)
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("SELECT version_num FROM alembic_version").fetchall() != [
            (plans["revision"],)
        ]:
            raise _Fallback
        conn.row_factory = sqlite3.Row
        done = _code(Runner(conn, plans), address, code_name, coder_name, memo, create)
        conn.execute("COMMIT")
        return done
    except (_Fallback, sqlite3.Error) as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
            raise  # the ORM path would wait as long again, then say the same
        return None
    finally:
        conn.close()


def _excerpt(
    run: Runner, source_id: int, start: int, end: int
) -> tuple[sqlite3.Row | dict[str, Any], bool]:
    """The excerpt at [start, end) of the source, made if there is none (and whether it was)."""
    found = run.one("excerpt_at", source_id=source_id, start=start, end=end)
    if found is not None:
        return found, False
    source = run.one("source_by_id", id=source_id)
    assert source is not None  # found by _resolve in this transaction
    if not 0 <= start < end <= len(source["text"]):
        raise _Fallback  # "range ... is outside source ..."
    return run.insert("excerpts", source_id=source_id, start=start, end=end), True


def _code(
    run: Runner,
    address: addresses.Address,
    code_name: str,
    coder_name: str | None,
    memo: str | None,
    create: bool,
) -> Coded:
    coder_id, coder = _coder(run, coder_name)
    code = run.named("codes", code_name)
    if code is None:
        if not create:
            raise _Fallback  # "no code named ...", with suggestions
        code_id = _create_code(run, code_name, coder_id)
    elif code["status"] != "active":
        raise _Fallback  # "code ... is excluded"
    else:
        code_id = code["id"]
    source_id, start, end = _resolve(run, address)
    excerpt, excerpt_new = _excerpt(run, source_id, start, end)
    found = run.one("coding_of", excerpt_id=excerpt["id"], code_id=code_id, coder_id=coder_id)
    if found is not None:  # the same code by the same coder: a no-op, as on the ORM path
        return Coded(found["id"], start, end, coder)
    coding = run.insert(
        "codings",
        excerpt_id=excerpt["id"],
        source_id=source_id,
        code_id=code_id,
        coder_id=coder_id,
        memo=memo,
    )
    run.log(
        events.CODING_APPLY,
        coder_id,
        events.coding_payload(
            guid=coding["guid"],
            source_id=source_id,
            start=start,
            end=end,
            code_id=code_id,
            coder_id=coder_id,
            memo=memo,
            coding_id=coding["id"],
            created_at=coding["created_at"],
            excerpt_id=excerpt["id"],
            excerpt_guid=excerpt["guid"],
            excerpt_created_at=_time(excerpt["created_at"]),
            excerpt_new=excerpt_new,
        ),
    )
    return Coded(coding["id"], start, end, coder)


def _time(value: dt.datetime | str) -> dt.datetime:
    """A time just written, or one read back from SQLite's text."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def _coder(run: Runner, given: str | None) -> tuple[int, str]:
    """As qualcode.lookup.coder(remember=True): found or created, then the last coder."""
    last = run.one("setting", key=LAST_CODER)
    name = (given or default_coder_name(last["value"] if last is not None else None)).strip()
    found = run.named("coders", name)
    if found is None:
        coder_id, coder = run.insert("coders", name=name, initials=initials(name))["id"], name
    else:
        coder_id, coder = found["id"], found["name"]
    if last is None:
        run.insert("settings", key=LAST_CODER, value=coder)
    elif last["value"] != coder:
        plan = run.plans["statements"]["update_setting"]
        run.conn.execute(plan["sql"], {"b_key": LAST_CODER, "b_value": coder})
    return coder_id, coder


def _create_code(run: Runner, name: str, coder_id: int) -> int:
    """As qualcode.codebook.create_code with only a name: the next position, logged."""
    name = name.strip()
    if not name:
        raise _Fallback  # "a code needs a name"
    last = run.one("last_code_position")
    position = ((last[0] if last is not None else None) or 0) + 1
    code = run.insert("codes", name=name, position=position)
    run.log(
        events.CODE_CREATE,
        coder_id,
        events.code_created(
            code_id=code["id"],
            guid=code["guid"],
            name=name,
            definition=None,
            colour=None,
            parent_id=None,
            position=position,
        ),
    )
    return int(code["id"])


def _resolve(run: Runner, address: addresses.Address) -> tuple[int, int, int]:
    """As qualcode.addresses.resolve: (source id, start, end) of the place."""
    if address.excerpt is not None:
        excerpt = run.one("excerpt_by_id", id=address.excerpt)
        if excerpt is None:
            raise _Fallback  # "no excerpt #..."
        return excerpt["source_id"], excerpt["start"], excerpt["end"]
    assert address.source is not None
    text = address.source.strip()
    source = None
    if text.lstrip("#").isdigit():
        source = run.one("source_by_id", id=int(text.lstrip("#")))
    if source is None:
        source = run.named("sources", text)
    if source is None:
        raise _Fallback  # "no source ...", with suggestions
    if address.start is not None and address.end is not None:
        return source["id"], address.start, address.end
    assert address.kind is not None and address.index is not None
    within = None
    if address.paragraph is not None:
        within = _nth(run, source["id"], "paragraph", address.paragraph)
    start, end = _nth(run, source["id"], address.kind, address.index, within)
    return source["id"], start, end


def _nth(
    run: Runner, source_id: int, kind: str, index: int, within: addresses.Span | None = None
) -> addresses.Span:
    suffix = "" if within is None else "_within"
    row = None
    if index >= 1:
        row = run.one("unit" + suffix, **addresses.unit_params(source_id, kind, index, within))
    if row is None:
        raise _Fallback  # "source ... has no paragraph N (it has ...)"
    return row["start"], row["end"]
