"""`qualcode backup FILE` and `qualcode restore FILE`, on a SQLite file and on a server."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode import open_project
from qualcode.integrity import counts
from qualcode.models import Code, Coding, Excerpt, Source
from tests.conftest import Cli

NOTES = "Expert A said the brain drain began in the nineties. Remittances paid for the house."


@pytest.fixture
def other_db(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A second, empty project location on the same backend as ``db_url``."""
    if "://" not in db_url:
        return str(tmp_path / "restored.db")
    return request.getfixturevalue("pg_server").create_database(f"qc_r_{uuid.uuid4().hex[:8]}")


@pytest.fixture
def coded(cli, tmp_path: Path):
    notes = tmp_path / "expert-a.txt"
    notes.write_text(NOTES, encoding="utf-8")
    assert cli("import", notes).exit_code == 0
    assert cli("code", "expert-a:0-52", "Brain drain", "--coder", "Ann").exit_code == 0
    assert cli("code", "expert-a:53-84", "Remittances", "--coder", "Bob").exit_code == 0
    assert cli("team", "mode", "blind").exit_code == 0
    return cli


def contents(url: str) -> tuple[dict[str, int], list[tuple]]:
    with open_project(url) as project, project.session(write=False) as session:
        rows = session.execute(
            select(Source.title, Code.name, Coding.guid)
            .select_from(Coding)
            .join(Code, Code.id == Coding.code_id)
            .join(Excerpt, Excerpt.id == Coding.excerpt_id)
            .join(Source, Source.id == Excerpt.source_id)
            .order_by(Coding.guid)
        ).all()
        return counts(project), rows


def test_a_backup_restores_into_an_empty_project(coded, db_url, other_db, tmp_path):
    backup = tmp_path / "project.backup"
    result = coded("backup", backup)
    assert result.exit_code == 0, result.stderr
    assert backup.stat().st_size > 0
    assert Cli(other_db, tmp_path)("init").exit_code == 0
    restored = Cli(other_db, tmp_path)("restore", backup)
    assert restored.exit_code == 0, restored.stderr
    assert "restored" in restored.stdout
    assert contents(other_db) == contents(db_url)
    assert contents(other_db)[0]["codings"] == 2
    assert Cli(other_db, tmp_path)("db", "check").exit_code == 0


def test_restore_refuses_a_project_with_data_unless_forced(coded, db_url, tmp_path):
    backup = tmp_path / "project.backup"
    assert coded("backup", backup).exit_code == 0
    assert coded("code", "expert-a:0-10", "Later idea", "--coder", "Ann").exit_code == 0
    before = contents(db_url)
    refused = coded("restore", backup)
    assert refused.exit_code == 1
    assert "holds data" in refused.stderr and "--force" in refused.stderr
    assert contents(db_url) == before
    forced = coded("restore", backup, "--force")
    assert forced.exit_code == 0, forced.stderr
    after = contents(db_url)
    assert after[0]["codings"] == 2 and after[0]["codes"] == 2  # "Later idea" is gone


def test_backup_refuses_to_overwrite_a_file(coded, tmp_path):
    target = tmp_path / "keep.me"
    target.write_text("precious")
    result = coded("backup", target)
    assert result.exit_code == 1
    assert "exists already" in result.stderr
    assert target.read_text() == "precious"


def test_restoring_something_that_is_not_a_backup_changes_nothing(cli, db_url, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("just some notes")
    before = contents(db_url)
    result = cli("restore", bogus)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"qualcode: error: {bogus}: not a qualcode backup " + (
        "(neither a SQLite file nor a pg_dump file)"
    )
    assert contents(db_url) == before


def test_a_backup_from_the_other_backend_is_refused(cli, db_url, tmp_path, request):
    if "://" in db_url:
        other = tmp_path / "file.db"
        open_project(other).close()
        backup = tmp_path / "sqlite.backup"
        assert Cli(str(other), tmp_path)("backup", backup).exit_code == 0
    else:
        server = request.getfixturevalue("pg_server")
        url = server.create_database(f"qc_x_{uuid.uuid4().hex[:8]}")
        open_project(url).close()
        backup = tmp_path / "server.backup"
        assert Cli(url, tmp_path)("backup", backup).exit_code == 0
    result = cli("restore", backup)
    assert result.exit_code == 1
    assert "cannot be restored into" in result.stderr
