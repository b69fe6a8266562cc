"""The count reports' SQL compiled ahead for SQLite, so that a report command needs neither
SQLAlchemy nor pandas.

qualcode.reports builds each report's statements with SQLAlchemy; ``python -m
qualcode.report_plans`` compiles them (unfiltered) for SQLite into qualcode/data/report_sql.json,
stamped with the schema revision they were written for. A CLI report with no filter on a SQLite
project at that revision runs them on the standard library's sqlite3 and shapes the rows with
qualcode.report_shapes, the same shaping as the SQLAlchemy path. Anything else (filters,
PostgreSQL, a project to migrate, an unreadable file) returns None and the caller takes the
SQLAlchemy path, which also gives the errors. tests/test_report_output.py fails when the file is
stale.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from qualcode.report_shapes import Results, shape
from qualcode.table import Table

if TYPE_CHECKING:  # the light report path must not load SQLAlchemy
    from sqlalchemy.sql.elements import ClauseElement

PLANS = Path(__file__).resolve().parent / "data" / "report_sql.json"
LIGHT_REPORTS = (
    "codes",
    "themes:observed",
    "themes:reported",
    "participants",
    "sources",
    "matrix",
    "cooccurrence",
)
BUSY_TIMEOUT_S = 30.0


def compile_plans() -> dict[str, Any]:
    """Every light report's statements as SQLite SQL with their constants inline (loads
    SQLAlchemy: for the generator and the test, never for a report)."""
    from sqlalchemy.dialects import sqlite

    from qualcode import reports
    from qualcode.db import SCHEMA_HEAD

    dialect = sqlite.dialect()
    return {
        "revision": SCHEMA_HEAD,
        "reports": {
            report: {
                name: str(
                    cast("ClauseElement", statement).compile(
                        dialect=dialect, compile_kwargs={"literal_binds": True}
                    )
                )
                for name, statement in reports.statements(report).items()
            }
            for report in LIGHT_REPORTS
        },
    }


def load_plans() -> dict[str, Any]:
    plans: dict[str, Any] = json.loads(PLANS.read_text(encoding="utf-8"))
    return plans


def light_results(db: str, report: str) -> Results | None:
    """The report's rows read from a SQLite project with sqlite3, or None when the compiled SQL
    does not apply (not a SQLite file, another schema revision, any SQLite error)."""
    if "://" in db:
        return None
    path = Path(db).expanduser()
    if not path.is_file():
        return None
    plans = load_plans()
    sql = plans["reports"].get(report)
    if sql is None:
        return None
    try:
        # mode=rw: never create a file; one read transaction, as the SQLAlchemy path reads
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return None
    try:
        conn.isolation_level = None
        conn.execute("PRAGMA query_only = ON")
        conn.execute("BEGIN")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        if revision != [(plans["revision"],)]:
            return None
        return {name: conn.execute(text).fetchall() for name, text in sql.items()}
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def light_table(db: str, report: str, **options: Any) -> Table | None:
    """An unfiltered report as a Table through sqlite3, or None (then use qualcode.reports)."""
    results = light_results(db, report)
    return None if results is None else shape(report, results, **options)


def main() -> None:
    """Write qualcode/data/report_sql.json from the statements in qualcode.reports."""
    PLANS.write_text(json.dumps(compile_plans(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {PLANS}")


if __name__ == "__main__":
    main()
