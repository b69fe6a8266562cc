"""The CLI's light report path prints byte for byte what the pandas path prints.

A report with no filter on a SQLite project runs the SQL compiled ahead (qualcode/data/
report_sql.json) on sqlite3 and renders with qualcode.formats.text; everything else goes through
SQLAlchemy, and DataFrames go through qualcode.formats.tables (pandas, tabulate, rich). Both
must agree, on SQLite and PostgreSQL, with Russian and Kazakh names, slashes and quotes.
"""

from __future__ import annotations

import pytest

from qualcode import report_plans, reports
from qualcode.formats import tables, text
from qualcode.table import Table
from tests.report_projects import build_report_project

NAMES = ('Еңбек көші-қоны / "трудовая" | миграция', "=Қазақстан, транзит [bold]")
REPORTS = [
    ("codes", {}, "Codes"),
    ("themes:observed", {}, "Themes"),
    ("themes:reported", {}, "Themes"),
    ("participants", {}, "Participants"),
    ("sources", {}, "Sources"),
    ("matrix", {}, "Codes by participant"),
    ("matrix", {"presence": True}, "Codes by participant"),
    ("cooccurrence", {}, "Code co-occurrence"),
]


@pytest.fixture
def built(project, cli):
    build_report_project(project)
    # two overlapping codings, so both names head co-occurrence columns
    cli("code", "A notes:0-16", NAMES[0], "--coder", "Ann")
    cli("code", "A notes:0-40", NAMES[1], "--coder", "Bob")
    return project


def cli_args(report: str, options: dict) -> list[str]:
    name, _, counts = report.partition(":")
    args = ["report", name, *(["--counts", counts] if counts else [])]
    return args + (["--presence"] if options.get("presence") else [])


def test_the_compiled_sql_is_current():
    assert report_plans.compile_plans() == report_plans.load_plans(), (
        "qualcode/data/report_sql.json is stale: run `python -m qualcode.report_plans`"
    )


@pytest.mark.parametrize(("report", "options", "title"), REPORTS)
def test_light_and_pandas_paths_print_the_same_bytes(built, cli, db_url, report, options, title):
    table = reports.table(report, built, **options)
    df = table.to_dataframe()
    if report == "codes":
        assert any(NAMES[0] in row[0] for row in table.rows)
    light = report_plans.light_table(db_url, report, **options)
    if db_url.startswith("postgresql"):
        assert light is None  # the compiled SQL is SQLite's: PostgreSQL takes the other path
    else:
        assert light == table  # sqlite3 on the compiled SQL == SQLAlchemy on the statements
    for fmt in ("csv", "json", "md", "table"):
        expected = tables.render(df, fmt, title=title)
        assert text.render(table, fmt, title) == expected, fmt
        if fmt != "table":  # the CLI's terminal table follows the terminal's width
            out = cli(*cli_args(report, options), "--format", fmt).stdout
            assert out == (expected if expected.endswith("\n") else expected + "\n"), fmt


def test_the_terminal_table_matches_rich_on_the_dataframe(built, cli, capsys):
    table = reports.table("codes", built)
    text.print_table(table, "Codes")
    light = capsys.readouterr().out
    tables.print_table(table.to_dataframe(), title="Codes")
    assert light == capsys.readouterr().out
    assert "Еңбек көші-қоны" in light


def test_empty_reports_render_alike(project):
    for report, options, title in REPORTS:
        table = reports.table(report, project, **options)
        for fmt in ("csv", "json", "md", "table"):
            assert text.render(table, fmt, title) == tables.render(
                table.to_dataframe(), fmt, title=title
            ), (report, fmt)


def test_floats_and_missing_values_render_as_pandas_does():
    table = Table(("name", "n", "share"), ("O", "i", "f"), [("a/b", 1, 0.5), ("в", 2, None)])
    for fmt in ("csv", "json", "md", "table"):
        assert text.render(table, fmt, "t") == tables.render(table.to_dataframe(), fmt, title="t")


def test_a_project_at_another_revision_takes_the_full_path(built, db_url):
    if db_url.startswith("postgresql"):
        pytest.skip("the light path is for SQLite files")
    import sqlite3

    with sqlite3.connect(db_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'older'")
    assert report_plans.light_results(db_url, "codes") is None
    assert report_plans.light_results(db_url + ".missing", "codes") is None


def test_a_table_narrower_than_its_title_keeps_the_title_whole():
    """An empty matrix grouped by a Kazakh attribute: the title is one line, not 'қал а'."""
    empty = Table(("code",), ("O",), [])
    title = "Codes by қала (professional experience)"
    for printed in (
        text.render(empty, "table", title),
        tables.render(empty.to_dataframe(), "table", title=title),
    ):
        assert title in printed.splitlines()[0]
