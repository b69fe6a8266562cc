"""Migrations never lose rows silently: a checked upgrade keeps every row or changes nothing.

Each test copies qualcode's real migration scripts to a temporary folder, adds a test-only revision
on top of the head, fills a project with a row in every table (tests/test_migrations.py's sample
rows) and upgrades it through qualcode.migrate on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import shutil
import sqlite3
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from qualcode import open_project
from qualcode.db import current_revision, head_revision, migrations_dir
from qualcode.errors import ProjectError
from qualcode.migrate import upgrade
from tests.test_migrations import dump, fill

pytestmark = pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")


def scripts_with(tmp_path: Path, body: str, extra: str = "") -> Path:
    """qualcode's migrations plus one test revision ``t9001`` whose upgrade() is ``body``."""
    scripts = tmp_path / "scripts"
    shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "t9001_test_revision.py").write_text(
        textwrap.dedent(
            f'''\
            """A test-only revision."""
            import sqlalchemy as sa
            from alembic import op

            revision = "t9001"
            down_revision = "{head_revision()}"
            branch_labels = None
            depends_on = None
            {extra}

            def upgrade() -> None:
            '''
        )
        + textwrap.indent(textwrap.dedent(body), "    ")
    )
    return scripts


def populated(db_url: str):
    project = open_project(db_url)
    with project.engine.begin() as conn:
        fill(conn, head_revision())
    with project.engine.connect() as conn:
        before = dump(conn)
    return project, before


# Drop and re-create `sources` (the parent of excerpts, segments and, through them, codings) on
# SQLite; on PostgreSQL batch mode alters in place. With foreign keys on, SQLite's DROP TABLE
# would delete every excerpt and coding through ON DELETE CASCADE.
BATCH_RECREATE = """\
recreate = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
with op.batch_alter_table("sources", recreate=recreate) as batch:
    batch.alter_column("title", existing_type=sa.String(500), type_=sa.String(600))
"""


def test_a_batch_migration_that_recreates_a_parent_table_keeps_every_row(db_url, tmp_path):
    project, before = populated(db_url)
    assert before["excerpts"] and before["codings"] and before["segments"]
    upgrade(project, scripts=scripts_with(tmp_path, BATCH_RECREATE))
    assert current_revision(project) == "t9001"
    with project.engine.connect() as conn:
        assert dump(conn) == before
        if project.is_sqlite:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1, "back on after"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    project.close()


def test_the_same_migration_with_foreign_keys_on_would_have_cascaded(sqlite_url, tmp_path):
    """Proof that the test above exercises the danger: the unchecked way loses the codings."""
    from alembic import command

    from qualcode.db import _alembic_config

    project, _ = populated(sqlite_url)
    scripts = scripts_with(tmp_path, BATCH_RECREATE)
    with project.engine.begin() as conn:  # foreign keys ON, as every qualcode connection has
        command.upgrade(_alembic_config(conn, scripts=scripts), "head")
        assert conn.exec_driver_sql("SELECT count(*) FROM codings").scalar() == 0
    project.close()


def assert_untouched(db_url: str, before: dict, tmp_path: Path) -> None:
    again = open_project(db_url, migrate=False)
    assert current_revision(again) == head_revision()
    with again.engine.connect() as conn:
        assert dump(conn) == before
    again.close()
    if "://" not in db_url:
        copy = Path(f"{db_url}.before-{head_revision()}")
        assert copy.exists()
        with sqlite3.connect(db_url) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_migration_that_loses_rows_is_rolled_back(db_url, tmp_path):
    project, before = populated(db_url)
    scripts = scripts_with(tmp_path, 'op.execute("DELETE FROM codings WHERE id = 3")\n')
    with pytest.raises(ProjectError) as caught:
        upgrade(project, scripts=scripts, label="thesis.db")
    message = str(caught.value)
    assert "\n" not in message
    assert "thesis.db: the schema upgrade" in message
    assert "codings went from 3 to 2 rows" in message
    assert "project is as it was" in message
    project.close()
    assert_untouched(db_url, before, tmp_path)


def test_a_migration_that_leaves_dangling_references_is_rolled_back(db_url, tmp_path):
    project, before = populated(db_url)
    scripts = scripts_with(tmp_path, 'op.execute("UPDATE excerpts SET source_id = 99")\n')
    with pytest.raises(ProjectError) as caught:
        upgrade(project, scripts=scripts)
    if project.is_sqlite:  # PostgreSQL refuses the UPDATE itself, also one line
        assert "2 rows of excerpts point to missing sources" in str(caught.value)
    assert "\n" not in str(caught.value)
    project.close()
    assert_untouched(db_url, before, tmp_path)


def test_a_migration_that_fails_half_way_changes_nothing(db_url, tmp_path):
    body = BATCH_RECREATE + 'op.execute("SELECT no_such_function()")\n'
    project, before = populated(db_url)
    with pytest.raises(ProjectError, match="was undone"):
        upgrade(project, scripts=scripts_with(tmp_path, body))
    project.close()
    assert_untouched(db_url, before, tmp_path)


def test_a_migration_may_declare_the_tables_whose_rows_it_changes(db_url, tmp_path):
    project, _ = populated(db_url)
    scripts = scripts_with(
        tmp_path,
        "op.execute(\"DELETE FROM settings WHERE key = 'team.mode'\")\n",
        extra='row_count_changes = {"settings"}',
    )
    upgrade(project, scripts=scripts)
    assert current_revision(project) == "t9001"
    with project.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM settings")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM codings")).scalar() == 3
    project.close()


def test_the_before_copy_follows_the_umask(sqlite_url, tmp_path):
    import os
    import stat

    old = os.umask(0o027)
    try:
        project, _ = populated(sqlite_url)
        upgrade(project, scripts=scripts_with(tmp_path, BATCH_RECREATE))
        project.close()
    finally:
        os.umask(old)
    copy = Path(f"{sqlite_url}.before-{head_revision()}")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o640


def test_a_batch_migration_that_drops_the_coded_spans_triggers_is_rolled_back(sqlite_url, tmp_path):
    """Rebuilding codings on SQLite drops the triggers that keep coded_spans with the old table:
    a migration that does not create them again is refused, the project untouched."""
    project, before = populated(sqlite_url)
    body = """\
    with op.batch_alter_table("codings", recreate="always") as batch:
        batch.alter_column("memo", existing_type=sa.Text(), type_=sa.Text())
    """
    with pytest.raises(ProjectError, match="triggers that keep coded_spans are gone") as caught:
        upgrade(project, scripts=scripts_with(tmp_path, body))
    assert "trg_codings_span_insert" in str(caught.value)
    project.close()
    assert_untouched(sqlite_url, before, tmp_path)
