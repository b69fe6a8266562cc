"""Kazakh and Russian beside English wherever text is compared, sorted, searched, exported, shown.

The letters ә ғ қ ң ө ұ ү һ і must survive every export byte for byte, sort next to their base
letters the same way on SQLite and PostgreSQL, and match in every case in the workbench.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode import names
from qualcode.models import Code, Source

KAZAKH_LETTERS = "әғқңөұүһі"
CODES = ["Әлеуметтік қорғау", "Бюрократия", "Brain drain", "Ұлттық қауіпсіздік"]
TEXT = (
    "Әлеуметтік қорғау жоқ, һәм ғылым мен өнер үшін ақша аз. Бюрократия мешает всем.\n\n"
    "Ұлттық қауіпсіздік ұлт үшін маңызды. Brain drain began in the nineties."
)


@pytest.fixture
def coded(cli, project, tmp_path: Path) -> Path:
    notes = tmp_path / "Сұхбат.txt"
    notes.write_text(TEXT, encoding="utf-8")
    assert cli("import", notes).exit_code == 0
    for i, (code, coder) in enumerate(
        zip(CODES, ["Әсел", "Айгерим", "Ұлан", "Бекзат"], strict=True), start=1
    ):
        result = cli("code", f"Сұхбат:s{i}", code, "--coder", coder)
        assert result.exit_code == 0, result.stderr
    return tmp_path


def test_text_formats_keep_every_letter(cli, coded: Path):
    for fmt in ("csv", "md", "tex", "json"):
        out = coded / f"codes.{fmt}"
        result = cli("report", "codes", "--format", fmt, "--output", out)
        assert result.exit_code == 0, result.stderr
        written = out.read_text(encoding="utf-8")
        for code in CODES:
            assert code in written, (fmt, code)
    rows = json.loads((coded / "codes.json").read_text(encoding="utf-8"))
    assert {row["code"] for row in rows} == set(CODES)


def test_xlsx_and_docx_keep_every_letter(cli, coded: Path):
    import docx
    import openpyxl

    cli("report", "codes", "--format", "xlsx", "--output", coded / "codes.xlsx")
    cli("report", "codes", "--format", "docx", "--output", coded / "codes.docx")
    sheet = openpyxl.load_workbook(coded / "codes.xlsx").active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert set(CODES) <= cells
    document = docx.Document(str(coded / "codes.docx"))
    words = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert set(CODES) <= words


def test_refi_round_trip_keeps_names_and_text(cli, coded: Path, project, tmp_path: Path):
    from qualcode import open_project

    package = tmp_path / "project.qdpx"
    assert cli("refi", "export", package).exit_code == 0
    other = tmp_path / "other.db"
    assert cli("init", "--db", other, db=False).exit_code == 0
    result = cli("refi", "import", package, "--db", other, db=False)
    assert result.exit_code == 0, result.stderr
    copy = open_project(other)
    with copy.session(write=False) as session:
        assert set(session.scalars(select(Code.name))) == set(CODES)
        source = session.scalar(select(Source))
        assert source.title == "Сұхбат" and source.text == TEXT
        assert all(letter in source.text for letter in KAZAKH_LETTERS)
    copy.close()


def test_team_status_sorts_coders_by_the_kazakh_alphabet(cli, coded: Path):
    result = cli("team", "status", "--format", "csv")
    if result.exit_code != 0:  # older CLI without --format: the table
        result = cli("team", "status")
    assert result.exit_code == 0, result.stderr
    found = [name for name in ("Айгерим", "Әсел", "Бекзат", "Ұлан") if name in result.stdout]
    positions = [result.stdout.index(name) for name in found]
    assert found == ["Айгерим", "Әсел", "Бекзат", "Ұлан"] and positions == sorted(positions)


def test_workbench_lists_sort_and_match_in_every_case(project, coded: Path):
    from qualcode import views
    from qualcode.tui import fuzzy

    with project.session(write=False) as session:
        codes = {c.id: c.name for c in session.scalars(select(Code))}
        titles = [row.title for row in views.sources(session)]
    assert titles == ["Сұхбат"]
    by_name = {name: code_id for code_id, name in codes.items()}
    assert [codes[i] for i in fuzzy.ranking("", codes).ids] == names.sorted_names(CODES)
    assert names.sorted_names(CODES) == [
        "Brain drain", "Әлеуметтік қорғау", "Бюрократия", "Ұлттық қауіпсіздік",
    ]  # fmt: skip
    assert fuzzy.ranking("ӘЛЕУМ", codes).ids[0] == by_name["Әлеуметтік қорғау"]
    assert fuzzy.ranking("ұлттық", codes).ids[0] == by_name["Ұлттық қауіпсіздік"]
    assert fuzzy.ranking("бюрократ", codes).ids[0] == by_name["Бюрократия"]


def test_the_codebook_screen_filters_in_every_case(project, coded: Path, db_url: str):
    import asyncio

    from qualcode.tui.app import QualcodeApp

    app = QualcodeApp(db_url, "Айгерим")
    seen: dict[str, list[str]] = {}

    async def run() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("2")
            await pilot.pause()
            tree = app.screen.query_one("CodeTree")
            for query in ("ҰЛТТЫҚ", "әлеуметтік ҚОРҒАУ", "бюрократия"):
                tree.filter = query
                tree.show(tree.book)
                await pilot.pause()
                seen[query] = [
                    tree.book.codes[node.data[1]].name
                    for node in _walk(tree.root)
                    if node.data and node.data[0] == "code"
                ]

    asyncio.run(run())
    assert seen == {
        "ҰЛТТЫҚ": ["Ұлттық қауіпсіздік"],
        "әлеуметтік ҚОРҒАУ": ["Әлеуметтік қорғау"],
        "бюрократия": ["Бюрократия"],
    }


def _walk(node):
    for child in node.children:
        yield child
        yield from _walk(child)


def test_sources_and_quotes_follow_the_kazakh_alphabet(cli, project, tmp_path: Path):
    # By code point Б (U+0411) comes before Ә (U+04D8); in the Kazakh alphabet А Ә Б.
    for title in ("Бота", "Әлия", "Айдана"):
        notes = tmp_path / f"{title}.txt"
        notes.write_text(f"{title}: көші-қон туралы әңгіме. Бәрі жақсы.", encoding="utf-8")
        assert cli("import", notes).exit_code == 0
        assert cli("code", f"{title}:s1", "Көші-қон", "--coder", "Әсел").exit_code == 0
    result = cli("report", "sources", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    listed = [line.split(",")[0] for line in result.stdout.splitlines()[1:]]
    assert listed == ["Айдана", "Әлия", "Бота"]
    result = cli("report", "quotes", "--code", "Көші-қон", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    sources = [line.split(",")[2] for line in result.stdout.splitlines()[1:]]
    assert sources == ["Айдана", "Әлия", "Бота"]
