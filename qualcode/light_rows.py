"""Rows written on sqlite3 as the ORM writes them, for the light paths of the CLI.

The inserts are compiled from the models (qualcode.coding_plans, qualcode/data/coding_sql.json):
each column not given gets the model's default (a GUID, the time, the folded name, a scalar) and
each value is stored as SQLAlchemy's SQLite types store it (a time in its format, a boolean as an
integer, JSON as text). ``qualcode code`` (qualcode.coding_light) and ``codebook import``
(qualcode.codebook_light) write through the same :class:`Runner`.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from qualcode import events
from qualcode.names import fold
from qualcode.row_defaults import new_guid, utcnow


class Runner:
    """The compiled statements and inserts, run on one connection."""

    def __init__(self, conn: sqlite3.Connection, plans: dict[str, Any]) -> None:
        self.conn = conn
        self.plans = plans

    def one(self, statement: str, /, **params: Any) -> sqlite3.Row | None:
        plan = self.plans["statements"][statement]
        row: sqlite3.Row | None = self.conn.execute(
            plan["sql"], {**plan["fixed"], **params}
        ).fetchone()
        return row

    def named(self, table: str, name: str) -> sqlite3.Row | None:
        """As qualcode.lookup.find_named: the folded name, the exact spelling first."""
        typed = name.strip()
        return self.one(f"named:{table}", key=fold(typed), name=typed)

    def insert(self, table: str, /, **values: Any) -> dict[str, Any]:
        """Insert a row as the ORM would: the columns not given get the model's defaults.
        Returns the values written (before storage conversion) and the new ``id``. Values for
        columns this schema revision does not have (e.g. a coding's ``source_id`` before
        migration 0003) are not written."""
        plan = self.plans["inserts"][table]
        row: dict[str, Any] = {}
        for column, meta in plan["columns"].items():
            row[column] = values[column] if column in values else self._default(meta, values)
            if row[column] is None and not meta["nullable"]:
                raise AssertionError(f"the light path gives no value for {table}.{column}")
        stored = {column: self._stored(plan["columns"][column], v) for column, v in row.items()}
        row["id"] = self.conn.execute(plan["sql"], stored).lastrowid
        return row

    @staticmethod
    def _default(meta: dict[str, Any], values: dict[str, Any]) -> Any:
        default = meta["default"]
        if default is None:
            return None
        if "value" in default:
            return default["value"]
        if "fold" in default:
            return fold(values[default["fold"]])
        return {"guid": new_guid, "now": utcnow}[default["call"]]()

    def stamp(self, value: dt.datetime) -> str:
        """A time as SQLAlchemy's SQLite DateTime stores it."""
        return str(
            self.plans["datetime_format"]
            % {
                "year": value.year,
                "month": value.month,
                "day": value.day,
                "hour": value.hour,
                "minute": value.minute,
                "second": value.second,
                "microsecond": value.microsecond,
            }
        )

    def _stored(self, meta: dict[str, Any], value: Any) -> Any:
        """The value as SQLAlchemy's SQLite types store it."""
        if value is None:
            return None
        storage = meta["storage"]
        if storage == "datetime":
            return self.stamp(value)
        if storage == "bool":
            return int(value)
        if storage == "json":
            return json.dumps(value)
        return value

    def log(self, action: events.Action[Any], coder_id: int | None, payload: Any) -> None:
        self.insert("events", action=action.name, coder_id=coder_id, payload=payload)
