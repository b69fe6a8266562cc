"""Every example command of README.md and docs/*.md runs, from a fresh folder, as a reader would
type it, and prints what it printed when the page was written (tests/docs_runner.py has the
convention). A failing command fails with its page, line and stderr; a changed output fails
against the page's record ``tests/data/docs/<page-stem>.txt``.

When a change alters the output on purpose, regenerate the records (and the README tour's) with
``QUALCODE_REGEN_DOCS=1 pytest tests/test_docs_run.py`` and read the diff.
One page: ``pytest tests/test_docs_run.py -k search``.
"""

from __future__ import annotations

import itertools
import os
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from tests.docs_runner import (
    BASE_ENV,
    DATA,
    DOCS,
    INTERACTIVE,
    ROOT,
    Normaliser,
    check_form,
    page_record,
    page_server,
    page_steps,
    run_page,
    shown_matches,
    split_comment,
    words,
)
from tests.pgserver import PgServer

TOUR_RECORD = Path(__file__).parent / "data" / "readme_tour.txt"
_databases = itertools.count()
# Pages whose examples are not yet runnable (skipped): a new page may start here, briefly.
PENDING: set[str] = set()


@pytest.fixture
def empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUALCODE_DB", raising=False)
    monkeypatch.delenv("QUALCODE_CODER", raising=False)
    return tmp_path


def server_for(page: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """A page naming a PostgreSQL server (``<!-- docs-postgresql: URL -->``) gets a fresh database
    on the test server, owned by a role of the URL's user name (the server trusts local logins),
    in place of the URL's HOST:PORT/DATABASE."""
    url = page_server(page)
    if url is None:
        return {}
    import psycopg

    server: PgServer = request.getfixturevalue("pg_server")
    shown = urlsplit(url)
    database = f"docs_{page.stem}_{next(_databases)}"
    with psycopg.connect(server.url().replace("+psycopg", ""), autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", [shown.username]
        ).fetchone():
            conn.execute(f'CREATE ROLE "{shown.username}" LOGIN')
        conn.execute(f'CREATE DATABASE "{database}" OWNER "{shown.username}"')
    return {
        f"{shown.hostname}:{shown.port}{shown.path}": f"127.0.0.1:{server.port}/{database}",
    }


@pytest.mark.parametrize("page", DOCS, ids=lambda p: p.stem)
def test_every_example_of_the_page_runs_and_prints_its_record(
    page: Path, empty_folder: Path, request: pytest.FixtureRequest
):
    if page.stem in PENDING:
        pytest.skip(f"{page.name}: examples not yet runnable (PENDING in tests/test_docs_run.py)")
    transcript = run_page(page, empty_folder, server_for(page, request))
    record = page_record(page)
    if os.environ.get("QUALCODE_REGEN_DOCS"):
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(transcript, encoding="utf-8")
    assert record.exists(), f"no record {record}: run with QUALCODE_REGEN_DOCS=1 and read it"
    assert transcript == record.read_text(encoding="utf-8"), (
        f"{page.name}: its examples print something else than {record.relative_to(ROOT)} "
        "records: check the diff, then regenerate with QUALCODE_REGEN_DOCS=1"
    )


def test_pending_names_only_pages_that_exist():
    assert {page.stem for page in DOCS} >= PENDING


def test_every_page_with_inputs_is_a_page():
    folders = {p.name for p in DATA.iterdir() if p.is_dir()} if DATA.is_dir() else set()
    assert folders <= {page.stem for page in DOCS}


def tour() -> list[str]:
    """The lines of README's five-minute tour block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_tour_runs_from_an_empty_folder(empty_folder: Path):
    from qualcode.cli import app

    runner = CliRunner()
    env: dict[str, str | None] = dict(BASE_ENV)
    transcript: list[str] = []
    for line in tour():
        if line.startswith("export "):
            name, value = split_comment(line)[0].split(None, 1)[1].split("=", 1)
            env[name] = value
            continue
        argv = words(line)
        transcript.append(f"$ qualcode {shlex.join(argv)}")
        if argv[0] in INTERACTIVE:
            check_form(argv)
            continue
        result = runner.invoke(app, argv, env=env, catch_exceptions=False)
        assert result.exit_code == 0, f"the README's tour fails at: {line}\n{result.stderr}"
        transcript.append(result.stdout.rstrip())
    assert (empty_folder / "appendix-b.docx").exists() and (empty_folder / "thesis.qdpx").exists()
    recorded = Normaliser(empty_folder)("\n".join(transcript) + "\n")
    if os.environ.get("QUALCODE_REGEN_DOCS"):
        TOUR_RECORD.write_text(recorded, encoding="utf-8")
    assert recorded == TOUR_RECORD.read_text(encoding="utf-8"), (
        "the README tour's output changed: check the diff, then regenerate "
        "tests/data/readme_tour.txt with QUALCODE_REGEN_DOCS=1"
    )


# The runner itself: what it parses from a page, and that it fails when it should.


def test_the_parser_reads_prompts_comments_exits_redirections_and_console_output(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- docs-setup:\nqualcode init\n-->\n"
        "```sh\n"
        "qualcode code \"#17\" 'Көші-қон' --coder Dana   # an excerpt\n"
        "qualcode import missing.txt  # exits 1\n"
        "qualcode report codes --format csv > codes.csv\n"
        "qualcode team mode reconcile && qualcode team reconcile | less\n"
        "qualcode init --db postgresql+psycopg://me@host/db  # not run: your own server\n"
        "```\n"
        "```text\nqualcode never-run\n```\n"
        "```console\n$ qualcode search виза\naddress,match\n...\n$ cat codes.csv\n```\n",
        encoding="utf-8",
    )
    steps = page_steps(page)
    assert [s.words for s in steps] == [
        ["qualcode", "init"],
        ["qualcode", "code", "#17", "Көші-қон", "--coder", "Dana"],
        ["qualcode", "import", "missing.txt"],
        ["qualcode", "report", "codes", "--format", "csv"],
        ["qualcode", "team", "mode", "reconcile"],
        ["qualcode", "team", "reconcile"],
        ["qualcode", "init", "--db", "postgresql+psycopg://me@host/db"],
        ["qualcode", "search", "виза"],
        ["cat", "codes.csv"],
    ]
    assert steps[0].hidden and not steps[1].hidden
    assert [s.exits for s in steps[1:4]] == [0, 1, 0]
    assert steps[3].stdout_to == "codes.csv"
    assert steps[6].not_run == "your own server"
    assert steps[7].shown == ["address,match", "..."]
    assert steps[8].shown == []


def test_a_bare_fence_showing_commands_is_refused(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("```\n$ qualcode report codes\ncode\n```\n", encoding="utf-8")
    with pytest.raises(ValueError, match="console"):
        page_steps(page)


def test_shown_output_must_equal_the_real_output_but_for_ellipses():
    assert shown_matches(["a", "b  ", ""], ["a", "b"])
    assert not shown_matches(["a", "c"], ["a", "b"])
    assert shown_matches(["a", "...", "z"], ["a", "b", "c", "z"])
    assert shown_matches(["a", "...", "c", "...", "z"], ["a", "b", "c", "d", "z"])
    assert not shown_matches(["a", "...", "q", "...", "z"], ["a", "b", "c", "z"])
    assert not shown_matches(["a", "...", "z"], ["b", "z"])


def _run(folder: Path, body: str) -> str:
    """Run a one-page body in a fresh subfolder of folder, as the page test does."""
    here = folder / f"run{len(list(folder.glob('run*')))}"
    here.mkdir()
    os.chdir(here)
    page = here / "page.md"
    page.write_text(body, encoding="utf-8")
    return run_page(page, here)


def test_a_failing_command_fails_the_page_with_its_line_and_stderr(empty_folder: Path):
    with pytest.raises(AssertionError, match=r"page\.md:4: qualcode report codes(.|\n)*none\.db"):
        _run(empty_folder, "# t\n\n```sh\nqualcode report codes --db none.db\n```\n")


def test_an_expected_exit_passes_and_is_recorded(empty_folder: Path):
    transcript = _run(empty_folder, "```sh\nqualcode report codes --db none.db  # exits 1\n```\n")
    assert "[stderr]\nqualcode: error: none.db" in transcript and "[exit 1]" in transcript


def test_console_output_other_than_the_real_one_fails(empty_folder: Path):
    from qualcode.db import SCHEMA_HEAD

    with pytest.raises(AssertionError, match="the page shows"):
        _run(empty_folder, "```console\n$ qualcode init --db т.db\nproject ready: т.db\n```\n")
    shown = f"project ready: қ.db (schema {SCHEMA_HEAD})\n"
    transcript = _run(empty_folder, f"```console\n$ qualcode init --db қ.db\n{shown}```\n")
    assert "project ready: қ.db (schema <head>)" in transcript


def test_unsupported_shell_lines_fail_and_not_run_lines_are_form_checked(empty_folder: Path):
    with pytest.raises(AssertionError, match="not run: REASON"):
        _run(empty_folder, "```sh\nrm -rf data\n```\n")
    with pytest.raises(AssertionError, match="refuses"):
        _run(empty_folder, "```sh\nqualcode init --nope  # not run: x\n```\n")
    assert "[not run]" in _run(empty_folder, "```sh\nqualcode open --coder Dana\n```\n")


def test_redirected_output_is_a_file_later_commands_read(empty_folder: Path):
    transcript = _run(
        empty_folder,
        "```sh\nqualcode init --db ә.db\nqualcode report codes --db ә.db --format csv > codes.csv\n"
        "cat codes.csv\n```\n",
    )
    assert transcript.endswith("$ cat codes.csv\ncode,themes,count,participants,status\n")


def test_a_server_the_page_names_is_swapped_for_the_test_one_and_back(empty_folder: Path):
    page = empty_folder / "page.md"
    page.write_text(
        "<!-- docs-postgresql: postgresql+psycopg://me:pw@db.example.org:5432/thesis -->\n"
        "```console\n$ export QUALCODE_DB=db.example.org:5432/thesis.db\n"
        "$ qualcode init\nproject ready: db.example.org:5432/thesis.db (schema <head>)\n```\n",
        encoding="utf-8",
    )
    assert page_server(page) == "postgresql+psycopg://me:pw@db.example.org:5432/thesis"
    (empty_folder / "here").mkdir()
    transcript = run_page(page, empty_folder, {"db.example.org:5432/thesis": "here/қала"})
    assert (empty_folder / "here" / "қала.db").exists()
    assert "project ready: db.example.org:5432/thesis.db" in transcript
