"""coded_spans (migration 0004): the coded (excerpt, code) spans co-occurrence reads, kept by a
SQLite project's own triggers (a PostgreSQL server has none, and reads the codings).

A row missing or left over would change co-occurrence's counts without any error, so: the
migration fills it from a populated project; every write keeps it equal to a recount of the
codings (tests/test_undo_exact.py checks every undoable action, its undo and its redo); a
cascade from a source, an excerpt moved and codes merged; a migration that rebuilds codings
without them is refused (tests/test_migration_safety.py); and ``db check`` finds a table edited
by hand.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from alembic import command
from sqlalchemy import delete, inspect, select, text, update

from qualcode import codebook, integrity, open_project, reports
from qualcode.db import _alembic_config, current_revision, head_revision
from qualcode.migrate import CODED_SPANS_TRIGGERS
from qualcode.models import CodedSpan, Excerpt, Source
from tests.conftest import Cli
from tests.report_projects import build_report_project

pytestmark = pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")

WHEN = dt.datetime(2024, 3, 1, 10, 30)
TEXT = "Кадрлардың кетуі тоқсаныншы жылдары басталды. Утечка мозгов. Brain drain began."


def spans(project) -> set[tuple[int, ...]]:
    with project.session(write=False) as session:
        rows = session.execute(
            select(
                CodedSpan.source_id,
                CodedSpan.start,
                CodedSpan.end,
                CodedSpan.code_id,
                CodedSpan.n,
            )
        )
        return {tuple(r) for r in rows}


def differences(project) -> int:
    with project.session(write=False) as session:
        return integrity.coded_spans_differences(session)


@pytest.fixture
def project(sqlite_url):
    proj = open_project(sqlite_url)
    yield proj
    proj.close()


def test_the_migration_fills_coded_spans_from_a_populated_project(sqlite_url):
    project = open_project(sqlite_url, migrate=False)
    with project.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0003")
    with project.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO sources (id, guid, title, name_key, kind, language, text, "
                 "created_at, updated_at) VALUES (1, 's-1', 'Сұхбат', 'сұхбат', 'interview', "
                 "'kk', :body, :at, :at)"),
            {"body": TEXT, "at": WHEN},
        )  # fmt: skip
        for cid, name in ((1, "Көші-қон"), (2, "Ақша")):
            conn.execute(
                text("INSERT INTO codes (id, guid, name, name_key, status, reconstructed, "
                     "position, created_at) VALUES (:id, :guid, :name, :key, 'active', false, "
                     ":id, :at)"),
                {"id": cid, "guid": f"c-{cid}", "name": name, "key": name.lower(), "at": WHEN},
            )  # fmt: skip
        for kid, name in ((1, "Әсел"), (2, "Dana")):
            conn.execute(
                text("INSERT INTO coders (id, guid, name, name_key, created_at) "
                     "VALUES (:id, :guid, :name, :key, :at)"),
                {"id": kid, "guid": f"k-{kid}", "name": name, "key": name.lower(), "at": WHEN},
            )  # fmt: skip
        for eid, (start, end) in {1: (0, 45), 2: (46, 61), 3: (10, 60)}.items():
            conn.execute(
                text('INSERT INTO excerpts (id, guid, source_id, start, "end", created_at) '
                     "VALUES (:id, :guid, 1, :start, :end, :at)"),
                {"id": eid, "guid": f"e-{eid}", "start": start, "end": end, "at": WHEN},
            )  # fmt: skip
        # (excerpt, code, coder): excerpt 1 coded with code 1 by both coders
        for n, (eid, cid, kid) in enumerate([(1, 1, 1), (1, 1, 2), (1, 2, 1), (3, 2, 2)]):
            conn.execute(
                text("INSERT INTO codings (id, guid, excerpt_id, source_id, code_id, coder_id, "
                     "created_at) VALUES (:id, :guid, :eid, 1, :cid, :kid, :at)"),
                {"id": n + 1, "guid": f"g-{n}", "eid": eid, "cid": cid, "kid": kid, "at": WHEN},
            )  # fmt: skip
    project.close()

    upgraded = open_project(sqlite_url)  # the user's way: migrate on open
    assert current_revision(upgraded) == head_revision()
    # (source, start, end, code, codings)
    assert spans(upgraded) == {(1, 0, 45, 1, 2), (1, 0, 45, 2, 1), (1, 10, 60, 2, 1)}
    assert integrity.check(upgraded) == []
    upgraded.close()


def test_merges_cascades_and_moved_excerpts_keep_coded_spans_right(project):
    build_report_project(project)  # merges Dup into Visa (a double removed) and excludes Old
    assert spans(project) and differences(project) == 0
    with project.session() as session:
        source_id, start, end = session.execute(
            select(Excerpt.source_id, Excerpt.start, Excerpt.end).where(Excerpt.id == 1)
        ).one()
        session.execute(update(Excerpt).where(Excerpt.id == 1).values(start=start + 1))
    assert differences(project) == 0
    assert any(s[:3] == (source_id, start + 1, end) for s in spans(project))
    with project.session() as session:
        keep, merged = (
            codebook.find_or_create_code(session, name)[0] for name in ("Labour", "War")
        )
        codebook.merge_codes(session, keep, merged)
    assert differences(project) == 0
    with project.session() as session:
        source_id = session.scalar(select(Source.id).where(Source.title == "A notes"))
        session.execute(delete(Source).where(Source.id == source_id))
    assert differences(project) == 0
    assert not any(s[0] == source_id for s in spans(project))


def test_db_check_finds_coded_spans_edited_by_hand(project, sqlite_url, tmp_path):
    build_report_project(project)
    with project.session() as session:
        first = session.scalars(select(CodedSpan.code_id).limit(1)).one()
        session.execute(delete(CodedSpan).where(CodedSpan.code_id == first))
    result = Cli(sqlite_url, tmp_path)("db", "check")
    assert result.exit_code != 0
    assert "coded_spans:" in result.output and "rows differ from the codings" in result.output


def test_postgresql_has_no_coded_spans_and_counts_from_the_codings(pg_server):
    """On a team's server coders coding the same excerpts at once would queue (and deadlock) on
    shared rows: there 0004 makes nothing, and co-occurrence reads codings and excerpts."""
    project = open_project(pg_server.create_database(f"spans_{uuid.uuid4().hex[:12]}"))
    build_report_project(project)
    with project.engine.connect() as conn:
        assert "coded_spans" not in inspect(conn).get_table_names()
    assert current_revision(project) == head_revision() and integrity.check(project) == []
    grid = reports.table("cooccurrence", project)
    assert grid.columns[0] == "code" and len(grid.rows) == len(grid.columns) - 1 > 1
    project.close()


def test_the_trigger_list_upgrade_checks_is_the_head_schemas(sqlite_url):
    project = open_project(sqlite_url)
    with project.engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        assert tuple(sorted(n for (n,) in names)) == CODED_SPANS_TRIGGERS
    project.close()
