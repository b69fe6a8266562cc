"""Migrations over time: a project made by any earlier qualcode opens in this one with every row.

For each revision in the migration history, a fresh project is built by upgrading from base one
revision at a time up to it, filled with rows valid at that revision (the sample rows below, cut
down to the columns the table had then), and opened the way a user opens it (migrate on open).
Every row must still be there with the same values in the columns that survive.

When a migration adds a NOT NULL column without a default, add its sample value below: the test
says which one is missing. A revision that needs data of its own can add rows in ``EXTRA_ROWS``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, insert, select

from qualcode import open_project
from qualcode.db import _alembic_config, current_revision, head_revision

pytestmark = pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")

WHEN = dt.datetime(2024, 3, 1, 10, 30)

SAMPLE_ROWS: dict[str, list[dict]] = {
    "settings": [{"key": "coder.last", "value": "Ann"}, {"key": "team.mode", "value": "blind"}],
    "participants": [
        {
            "id": 1, "guid": "p-1", "pseudonym": "Expert A", "name_key": "expert a", "organisation": "Ministry",
            "role": "Official", "interview_date": dt.date(2024, 2, 1), "location": "Astana",
            "mode": "in person", "position": 1, "created_at": WHEN,
        },
    ],
    "participant_attributes": [
        {"id": 1, "participant_id": 1, "name": "profession", "name_key": "profession",
         "value": "economist"},
    ],
    "sources": [
        {
            "id": 1, "guid": "s-1", "title": "Expert A", "name_key": "expert a", "kind": "interview", "language": "en",
            "participant_id": 1, "imported_from": "/notes/expert-a.txt", "checksum": "ab" * 32,
            "text": "Brain drain began in the nineties. Remittances paid for the house.",
            "created_at": WHEN, "updated_at": WHEN,
        },
        {
            "id": 2, "guid": "s-2", "title": "Migration law", "name_key": "migration law", "kind": "document",
            "language": "ru", "participant_id": None, "imported_from": None, "checksum": None,
            "text": "Article 1. Definitions.", "created_at": WHEN, "updated_at": WHEN,
        },
    ],
    "segments": [
        {"id": 1, "source_id": 1, "kind": "sentence", "start": 0, "end": 34},
        {"id": 2, "source_id": 1, "kind": "paragraph", "start": 0, "end": 67},
    ],
    "excerpts": [
        {"id": 1, "guid": "e-1", "source_id": 1, "start": 0, "end": 34, "created_at": WHEN},
        {"id": 2, "guid": "e-2", "source_id": 1, "start": 35, "end": 67, "created_at": WHEN},
    ],
    "codes": [
        {
            "id": 1, "guid": "c-1", "name": "Brain drain", "name_key": "brain drain", "definition": "Skilled leave",
            "colour": "#ff0000", "parent_id": None, "status": "active", "status_reason": None,
            "merged_into_id": None, "reported_count": 12, "example_quote": "began",
            "example_participant_id": 1, "example_excerpt_id": 1, "reconstructed": False,
            "provenance": "Appendix B", "position": 1, "created_at": WHEN,
        },
        {
            "id": 2, "guid": "c-2", "name": "Exodus", "name_key": "exodus", "definition": None, "colour": None,
            "parent_id": 1, "status": "merged", "status_reason": None, "merged_into_id": 1,
            "reported_count": None, "example_quote": None, "example_participant_id": None,
            "example_excerpt_id": None, "reconstructed": True, "provenance": None,
            "position": 2, "created_at": WHEN,
        },
        {
            "id": 3, "guid": "c-3", "name": "Remittances", "name_key": "remittances", "definition": None, "colour": None,
            "parent_id": None, "status": "excluded", "status_reason": "too broad",
            "merged_into_id": None, "reported_count": 0, "example_quote": None,
            "example_participant_id": None, "example_excerpt_id": None, "reconstructed": False,
            "provenance": None, "position": 3, "created_at": WHEN,
        },
    ],
    "themes": [
        {"id": 1, "guid": "t-1", "name": "Mobility", "name_key": "mobility", "description": "Who leaves",
         "parent_id": None, "position": 1, "created_at": WHEN},
        {"id": 2, "guid": "t-2", "name": "Skilled mobility", "name_key": "skilled mobility", "description": None,
         "parent_id": 1, "position": 2, "created_at": WHEN},
    ],
    "code_themes": [
        {"code_id": 1, "theme_id": 2, "position": 1},
        {"code_id": 3, "theme_id": 1, "position": 2},
    ],
    "coders": [
        {"id": 1, "guid": "k-1", "name": "Ann", "name_key": "ann", "initials": "A", "created_at": WHEN},
        {"id": 2, "guid": "k-2", "name": "Bob", "name_key": "bob", "initials": None, "created_at": WHEN},
    ],
    "codings": [
        {"id": 1, "guid": "g-1", "excerpt_id": 1, "source_id": 1, "code_id": 1, "coder_id": 1, "memo": "clear",
         "created_at": WHEN},
        {"id": 2, "guid": "g-2", "excerpt_id": 1, "source_id": 1, "code_id": 1, "coder_id": 2, "memo": None,
         "created_at": WHEN},
        {"id": 3, "guid": "g-3", "excerpt_id": 2, "source_id": 1, "code_id": 3, "coder_id": 1, "memo": None,
         "created_at": WHEN},
    ],
    "memos": [
        {"id": 1, "guid": "m-1", "title": "Project", "body": "Started coding", "coder_id": 1,
         "source_id": None, "code_id": None, "theme_id": None, "excerpt_id": None,
         "created_at": WHEN, "updated_at": WHEN},
        {"id": 2, "guid": "m-2", "title": None, "body": "Ask about dates", "coder_id": None,
         "source_id": 1, "code_id": None, "theme_id": None, "excerpt_id": None,
         "created_at": WHEN, "updated_at": WHEN},
    ],
    "events": [
        {"id": 1, "at": WHEN, "coder_id": 1, "action": "coding.apply",
         "payload": {"guid": "g-1", "start": 0, "end": 34}, "undone": False},
    ],
}  # fmt: skip

# tables the database fills itself (triggers), from the rows above
DERIVED = ("coded_spans",)

# revision -> {table: rows} that only make sense from that revision on
EXTRA_ROWS: dict[str, dict[str, list[dict]]] = {}


def revisions() -> list[str]:
    """Every revision, oldest first."""
    scripts = ScriptDirectory.from_config(_alembic_config())
    return [s.revision for s in reversed(list(scripts.walk_revisions()))]


def fill(conn, revision: str) -> None:
    """Insert the sample rows into the tables that exist at this revision, parents first."""
    meta = MetaData()
    meta.reflect(conn)
    rows = {table: list(r) for table, r in SAMPLE_ROWS.items()}
    for rev in revisions()[: revisions().index(revision) + 1]:
        for table, extra in EXTRA_ROWS.get(rev, {}).items():
            rows.setdefault(table, []).extend(extra)
    for table in meta.sorted_tables:
        if table.name in ("alembic_version", *DERIVED):
            continue
        assert table.name in rows, f"no sample rows for table {table.name!r}: add some above"
        for column in table.columns:
            required = not column.nullable and column.server_default is None
            assert not required or all(column.name in r for r in rows[table.name]), (
                f"no sample value for {table.name}.{column.name}: add one to SAMPLE_ROWS"
            )
        known = set(table.columns.keys())
        conn.execute(
            insert(table), [{k: v for k, v in r.items() if k in known} for r in rows[table.name]]
        )


def dump(conn, only: dict[str, list[str]] | None = None) -> dict[str, dict]:
    """Every row of every table, keyed by primary key (``only``: these tables and columns)."""
    meta = MetaData()
    meta.reflect(conn)
    out = {}
    for table in meta.sorted_tables:
        if table.name == "alembic_version" or (only is not None and table.name not in only):
            continue
        columns = [table.c[c] for c in (only[table.name] if only else table.columns.keys())]
        key = [c.name for c in table.primary_key.columns]
        rows = conn.execute(select(*columns)).mappings().all()
        out[table.name] = {tuple(r[k] for k in key): dict(r) for r in rows}
    return out


@pytest.mark.parametrize("revision", revisions())
def test_a_project_made_at_any_revision_upgrades_with_every_row(db_url, revision):
    project = open_project(db_url, migrate=False)
    for step in revisions()[: revisions().index(revision) + 1]:
        with project.engine.begin() as conn:
            command.upgrade(_alembic_config(conn), step)
    assert current_revision(project) == revision
    with project.engine.begin() as conn:
        fill(conn, revision)
    with project.engine.connect() as conn:
        before = dump(conn)
    project.close()
    assert sum(len(rows) for rows in before.values()) >= sum(map(len, SAMPLE_ROWS.values()))

    upgraded = open_project(db_url)  # the user's way: migrate on open
    assert current_revision(upgraded) == head_revision()
    with upgraded.engine.connect() as conn:
        after_tables = MetaData()
        after_tables.reflect(conn)
        surviving = {
            name: [c for c in next(iter(rows.values())) if c in after_tables.tables[name].c]
            for name, rows in before.items()
            if rows and name in after_tables.tables
        }
        after = dump(conn, surviving)
    upgraded.close()
    for name, rows in before.items():
        kept = {
            k: {c: v for c, v in row.items() if c in surviving[name]} for k, row in rows.items()
        }
        assert after[name] == kept, f"rows of {name} changed or lost on upgrade from {revision}"

    if upgraded.sqlite_path is not None and revision != head_revision():
        copy = Path(f"{upgraded.sqlite_path}.before-{revision}")
        assert copy.exists(), "the SQLite file is copied before an upgrade"
