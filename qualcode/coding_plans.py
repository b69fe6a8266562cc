"""The SQL of ``qualcode code TARGET CODE`` compiled ahead for SQLite, so that the command needs
no SQLAlchemy on a SQLite project.

``python -m qualcode.coding_plans`` compiles the reads of qualcode.coding_statements (the ones the
ORM path runs) and the inserts built from the models' tables into qualcode/data/coding_sql.json,
stamped with the schema revision they were written for. For each inserted column the file keeps
what the ORM would store when no value is given (a scalar default, a new GUID, the time, the
folded name) and how the value is stored (a time in SQLAlchemy's SQLite format, a boolean as an
integer, JSON as text), so that the light paths (qualcode.coding_light, and
qualcode.codebook_light for its inserts) write the same rows. tests/test_code_light.py fails
when the file is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # the light path must not load SQLAlchemy
    from sqlalchemy import Column, Table
    from sqlalchemy.engine.interfaces import Dialect
    from sqlalchemy.sql.compiler import SQLCompiler
    from sqlalchemy.sql.elements import ClauseElement

PLANS = Path(__file__).resolve().parent / "data" / "coding_sql.json"
# What ``code`` makes, and what a codebook import (qualcode.codebook_light) makes too.
INSERTED = ("coders", "settings", "codes", "excerpts", "codings", "events")
INSERTED_TOO = ("themes", "code_themes", "participants", "memos")


def _statement(statement: ClauseElement, dialect: Dialect) -> dict[str, Any]:
    """SQL with named parameters, and the values of the ones the statement fixes (limits)."""
    compiled = cast("SQLCompiler", statement.compile(dialect=dialect))
    fixed = {
        compiled.bind_names[bind]: bind.value
        for bind in compiled.binds.values()
        if not bind.required
    }
    return {"sql": str(compiled), "fixed": fixed}


def _storage(column: Column[Any]) -> str:
    from sqlalchemy import JSON, Boolean, DateTime

    for kind, types in (("datetime", DateTime), ("bool", Boolean), ("json", JSON)):
        if isinstance(column.type, types):
            return kind
    return ""


def _default(table: Table, column: Column[Any]) -> dict[str, Any] | None:
    """What the ORM stores in the column when no value is given: None for no default (the
    light path must then give one unless the column is nullable)."""
    from qualcode.models import NAMED, Base
    from qualcode.row_defaults import new_guid, utcnow

    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return {"value": default.arg}  # type: ignore[attr-defined]
    function = getattr(default.arg, "__wrapped__", default.arg)  # type: ignore[attr-defined]
    if function is new_guid:
        return {"call": "guid"}
    if function is utcnow:
        return {"call": "now"}
    if column.name == "name_key":
        model = next(m for m in Base.registry.mappers if m.local_table is table).class_
        return {"fold": NAMED[model]}
    return {"call": "given"}  # any other callable: the light path must give the value


def _insert(table: Table, dialect: Dialect) -> dict[str, Any]:
    from sqlalchemy import insert

    columns = [c for c in table.columns if c is not table.autoincrement_column]
    compiled = insert(table).compile(dialect=dialect, column_keys=[c.key for c in columns])
    return {
        "sql": str(compiled),
        "columns": {
            c.key: {"storage": _storage(c), "default": _default(table, c), "nullable": c.nullable}
            for c in columns
        },
    }


def compile_plans() -> dict[str, Any]:
    """The reads, the setting's update and the inserts as SQLite SQL (loads SQLAlchemy: for the
    generator and the test, never for a command)."""
    from sqlalchemy import bindparam, update
    from sqlalchemy.dialects import sqlite

    from qualcode import coding_statements
    from qualcode.db import SCHEMA_HEAD
    from qualcode.models import Base, Setting

    dialect = sqlite.dialect(paramstyle="named")
    statements = {
        name: _statement(statement, dialect)
        for name, statement in coding_statements.statements().items()
    }
    set_value = update(Setting).where(Setting.key == bindparam("b_key"))
    statements["update_setting"] = _statement(set_value.values(value=bindparam("b_value")), dialect)
    tables = Base.metadata.tables
    return {
        "revision": SCHEMA_HEAD,
        "datetime_format": sqlite.DATETIME._storage_format,
        "statements": statements,
        "inserts": {name: _insert(tables[name], dialect) for name in INSERTED + INSERTED_TOO},
    }


def load_plans() -> dict[str, Any]:
    plans: dict[str, Any] = json.loads(PLANS.read_text(encoding="utf-8"))
    return plans


def main() -> None:
    """Write qualcode/data/coding_sql.json from qualcode.coding_statements and the models."""
    PLANS.write_text(json.dumps(compile_plans(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {PLANS}")


if __name__ == "__main__":
    main()
