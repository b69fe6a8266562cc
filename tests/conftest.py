"""Shared fixtures: every storage test runs on a real SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import itertools
import os
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.pgserver import PgServer, find_pg_bin

_db_numbers = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if find_pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries are missing in CI: .ci/run should install them")
        pytest.skip("PostgreSQL binaries not found")
    server = PgServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty project location on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "project.db")
    server: PgServer = request.getfixturevalue("pg_server")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return server.create_database(f"qc_{worker}_{next(_db_numbers)}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite project path, for behaviour that only files have (pragmas, corrupt files)."""
    return str(tmp_path / "project.db")


@pytest.fixture
def project(db_url: str):
    from qualcode import open_project

    proj = open_project(db_url)
    yield proj
    proj.close()


class Cli:
    """Runs the real typer app in-process against one project, as a user would type it."""

    def __init__(self, db: str, cwd: Path) -> None:
        self.db = db
        self.cwd = cwd
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, input: str | None = None, db: bool = True):
        from qualcode.cli import app

        argv = [str(a) for a in args]
        if len(argv) == 1 and " " in argv[0]:
            argv = shlex.split(argv[0])
        env = {"QUALCODE_DB": self.db} if db else {}
        return self.runner.invoke(app, argv, input=input, env=env, catch_exceptions=False)


@pytest.fixture
def cli(project, db_url: str, tmp_path: Path) -> Cli:
    """The CLI on an initialised project (the ``project`` fixture holds it open too)."""
    return Cli(db_url, tmp_path)


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).parent / "data"
