"""The appendix from the researcher's own coding: counts, chosen and default examples, layout.

A small project in English, Russian and Kazakh is coded through the domain functions; the appendix
is then printed by the CLI and every file is opened with its own library (python-docx, openpyxl).
Cyrillic code names are written in lower case: SQLite's lower() folds only ASCII, so a name that
differs only in Cyrillic case is issue 13's to match.
"""

from __future__ import annotations

import re

import pytest

from qualcode import codebook, events, lookup
from qualcode.coding import Target, apply_code
from qualcode.formats import appendix
from qualcode.models import Participant
from qualcode.sources import SourceOptions, import_text

NOTES = {
    "A notes": (
        "Expert A",
        "en",
        "Labour is short. We hire many people from abroad every year. "
        "The quota system changed in 2023 and it became much harder for small firms to hire.",
    ),
    "заметки б": (
        "Expert B",
        "ru",
        "Мигранты приезжают из Узбекистана каждый год. "
        "Квоты на иностранную рабочую силу сокращаются.",
    ),
    "жазбалар в": (
        "Expert C",
        "kk",
        "Шетелдік мамандар жұмыс іздеп Қазақстанға келеді. Иә.",
    ),
}
# (source, phrase, code, coder)
CODINGS = [
    ("A notes", "Labour is short. We hire many people from abroad every year.", "Labour", "Ann"),
    ("A notes", "The quota system changed", "Labour", "Ann"),
    ("A notes", "Labour is short. We hire many people from abroad every year.", "Labour", "Bob"),
    ("заметки б", "Мигранты приезжают из Узбекистана каждый год.", "Labour", "Ann"),
    ("заметки б", "Мигранты приезжают из Узбекистана каждый год.", "трудовая миграция", "Ann"),
    ("заметки б", "Квоты на иностранную рабочую силу сокращаются.", "трудовая миграция", "Ann"),
    ("жазбалар в", "Шетелдік мамандар жұмыс іздеп Қазақстанға келеді.", "еңбек көші-қоны", "Ann"),
    ("A notes", "The quota system changed in 2023", "Dup", "Ann"),
    ("A notes", "Labour is short.", "Old", "Ann"),
]


def _place(session, title: str, phrase: str) -> Target:
    source = lookup.get_source(session, title)
    start = source.text.index(phrase)
    return Target(source.id, start, start + len(phrase))


def build(project) -> None:
    """Themes Trends > причины (sub-theme), саясат; Labour in Trends, трудовая миграция in
    причины, еңбек көші-қоны and Empty in саясат; Dup merged into Labour, Old excluded."""
    with project.session() as session:
        for i, name in enumerate(p for p, _, _ in NOTES.values()):
            session.add(Participant(pseudonym=name, position=i))
    for title, (who, language, text) in NOTES.items():
        import_text(
            project, text, title=title, options=SourceOptions(participant=who, language=language)
        )
    with project.session() as session:
        trends = codebook.create_theme(session, "Trends")
        reasons = codebook.create_theme(session, "причины", parent=trends)
        policy = codebook.create_theme(session, "саясат")
        for title, phrase, name, coder in CODINGS:
            code = lookup.find_code(session, name) or codebook.create_code(session, name)
            apply_code(session, _place(session, title, phrase), code, lookup.coder(session, coder))
        empty = codebook.create_code(session, "Empty")
        get = lambda name: lookup.get_code(session, name)  # noqa: E731
        for code, theme in [
            (get("Labour"), trends),
            (get("трудовая миграция"), reasons),
            (get("еңбек көші-қоны"), policy),
            (empty, policy),
            (get("Old"), policy),
        ]:
            codebook.assign_code(session, code, theme)
        get("Labour").reported_count = 12
        codebook.merge_codes(session, get("Labour"), get("Dup"))
        codebook.exclude_code(session, get("Old"), "not about migration")


@pytest.fixture
def coded(project):
    build(project)
    return project


def _excerpt_id(project, title: str, phrase: str) -> int:
    from qualcode.models import Excerpt

    with project.session(write=False) as session:
        target = _place(session, title, phrase)
        return session.query(Excerpt).filter_by(start=target.start, end=target.end).one().id


def _by_code(df):
    return {row[0]: (row[1], row[2]) for row in df.itertuples(index=False)}


def test_counts_and_default_examples_come_from_the_codings(coded):
    df, marks = appendix.table(coded)
    assert list(df.columns) == ["Trends", "Example of a code", "Number of codes"]
    rows = _by_code(df)
    # the theme tree: Trends, its sub-theme причины, then саясат; excluded and merged codes absent
    assert [df.iloc[i, 0] for i in marks] == ["причины", "саясат"]
    assert df.attrs["levels"] == {marks[0]: 1, marks[1]: 0}
    assert "Old" not in rows and "Dup" not in rows
    # Labour: 3 codings of its own + 1 moved from Dup (merged) = 5, Expert A has 4 of them;
    # A's excerpts hold two complete sentences, of which the one with 5+ words is quoted
    assert rows["Labour"] == ("Expert A: 'We hire many people from abroad every year.'", 5)
    # two sentences of six words: the shorter in characters
    assert rows["трудовая миграция"] == (
        "Expert B: 'Мигранты приезжают из Узбекистана каждый год.'",
        2,
    )
    assert rows["еңбек көші-қоны"] == (
        "Expert C: 'Шетелдік мамандар жұмыс іздеп Қазақстанға келеді.'",
        1,
    )
    assert rows["Empty"] == ("(no example)", 0)


@pytest.mark.parametrize(
    ("counts", "labour", "empty"),
    [("codings", 5, 0), ("participants", 2, 0), ("excerpts", 4, 0), ("reported", 12, "")],
)
def test_counts_option(cli, coded, counts, labour, empty):
    result = cli("codebook", "export", "--appendix", "-f", "csv", "--counts", counts)
    assert result.exit_code == 0, result.stderr
    lines = {line.split(",")[0]: line for line in result.stdout.splitlines()}
    header = {"participants": "Number of participants", "excerpts": "Number of excerpts"}
    assert lines["Trends"] == f"Trends,Example of a code,{header.get(counts, 'Number of codes')}"
    assert lines["Labour"].endswith(f",{labour}")
    assert lines["Empty"] == f"Empty,(no example),{empty}"


def test_counts_match_the_codes_report(cli, coded):
    from qualcode import reports

    report = reports.codes(coded).set_index("code")["count"]
    df, _ = appendix.table(coded)
    for code, (_, count) in _by_code(df).items():
        if code in report.index:
            assert count == report[code], code


def test_chosen_example_is_printed_and_undo_restores_exactly(cli, coded):
    quota = _excerpt_id(coded, "A notes", "The quota system changed")
    result = cli("codebook", "example", "labour", f"#{quota}", "--coder", "Ann")
    assert result.exit_code == 0, result.stderr
    assert f"example is excerpt #{quota}" in result.stderr
    rows = _by_code(appendix.table(coded)[0])
    assert rows["Labour"][0] == "Expert A: 'The quota system changed'"
    shown = cli("codebook", "example", "Labour")
    assert shown.stdout.strip() == "Labour: Expert A: 'The quota system changed' (chosen)"
    # choose another by address, then undo twice: back to the first choice, then to none
    other = cli("codebook", "example", "Labour", "заметки б:s1", "--coder", "Ann")
    assert other.exit_code == 0, other.stderr
    with coded.session(write=False) as session:
        assert lookup.get_code(session, "Labour").example_excerpt_id != quota
    for expected in (quota, None):
        with coded.session() as session:
            assert events.undo(session) is not None
        with coded.session(write=False) as session:
            assert lookup.get_code(session, "Labour").example_excerpt_id == expected
    rows = _by_code(appendix.table(coded)[0])
    assert rows["Labour"][0] == "Expert A: 'We hire many people from abroad every year.'"
    with coded.session() as session:
        events.redo(session)
    with coded.session(write=False) as session:
        assert lookup.get_code(session, "Labour").example_excerpt_id == quota
    assert cli("codebook", "example", "Labour", "--clear").exit_code == 0
    with coded.session(write=False) as session:
        assert lookup.get_code(session, "Labour").example_excerpt_id is None


def test_a_chosen_example_whose_coding_was_removed_is_no_longer_quoted(cli, coded):
    from qualcode import coding
    from qualcode.models import Coding

    quota = _excerpt_id(coded, "A notes", "The quota system changed")
    assert cli("codebook", "example", "Labour", f"#{quota}").exit_code == 0
    with coded.session() as session:
        labour = lookup.get_code(session, "Labour")
        found = session.query(Coding).filter_by(excerpt_id=quota, code_id=labour.id).one()
        coding.remove_coding(session, found)
    shown = cli("codebook", "example", "Labour").stdout.strip()
    assert shown == "Labour: Expert A: 'We hire many people from abroad every year.' (default)"


def test_an_excerpt_not_coded_with_the_code_is_refused(cli, coded):
    kazakh = _excerpt_id(coded, "жазбалар в", "Шетелдік мамандар жұмыс іздеп Қазақстанға келеді.")
    result = cli("codebook", "example", "трудовая миграция", f"#{kazakh}")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"qualcode: error: #{kazakh}: not coded with 'трудовая миграция' "
        "(it is coded with 'еңбек көші-қоны')"
    )
    with coded.session(write=False) as session:
        assert lookup.get_code(session, "трудовая миграция").example_excerpt_id is None
    empty = cli("codebook", "example", "Empty", f"#{kazakh}")
    assert empty.exit_code == 1
    assert empty.stderr.strip() == (
        "qualcode: error: 'Empty' has no codings: code an excerpt with it first"
    )
    uncoded = cli("codebook", "example", "Labour", "A notes:0-5")
    assert uncoded.exit_code == 1
    assert uncoded.stderr.strip() == (
        "qualcode: error: A notes:0-5: no coded excerpt covers exactly 0-5"
    )
    assert cli("codebook", "example", "Empty").stdout.strip() == "Empty: (no example)"


def test_long_quotes_are_cut_with_an_ellipsis_in_brackets(cli, coded):
    quota = _excerpt_id(coded, "A notes", "The quota system changed in 2023")
    with coded.session() as session:
        from qualcode.models import Excerpt

        codebook.set_example(
            session, lookup.get_code(session, "Labour"), session.get(Excerpt, quota)
        )
    result = cli("codebook", "export", "--appendix", "-f", "csv", "--max-quote-words", "3")
    assert "Labour,Expert A: 'The quota system [...]',5" in result.stdout.splitlines()
    whole = cli("codebook", "export", "--appendix", "-f", "csv", "--max-quote-words", "0")
    assert "Labour,Expert A: 'The quota system changed in 2023',5" in whole.stdout.splitlines()


def test_bad_options_are_one_line_errors(cli, coded):
    result = cli("codebook", "export", "--appendix", "--counts", "sources")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "qualcode: error: --counts must be one of codings, participants, excerpts, reported, "
        "not 'sources'"
    )
    paper = cli("codebook", "export", "--appendix", "-f", "docx", "-o", "x.docx", "--paper", "a5")
    assert paper.exit_code == 1
    assert "--paper must be a4 or letter" in paper.stderr


# --- print layout, read back with each format's library -----------------------------------


@pytest.mark.parametrize(
    ("options", "size_mm"),
    [((), (210, 297)), (("--paper", "letter"), (215.9, 279.4)), (("--landscape",), (297, 210))],
)
def test_docx_page_columns_and_header_row(cli, coded, tmp_path, options, size_mm):
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm

    out = tmp_path / "appendix.docx"
    result = cli("codebook", "export", "--appendix", "-f", "docx", "-o", out, *options)
    assert result.exit_code == 0, result.stderr
    doc = Document(str(out))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(size_mm[0])) < Mm(0.5)
    assert abs(section.page_height - Mm(size_mm[1])) < Mm(0.5)
    text_width = section.page_width - section.left_margin - section.right_margin
    table = doc.tables[0]
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    for row in table.rows:
        code, quote, count = (cell.width for cell in row.cells)
        assert quote > code > count
        assert abs(code + quote + count - text_width) < Mm(1)
    grid = [column.width for column in table.columns]
    assert grid == [cell.width for cell in table.rows[1].cells]
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")).get(qn("w:val")) == "true"
    assert [c.text for c in header.cells] == ["Trends", "Example of a code", "Number of codes"]
    texts = [row.cells[0].text for row in table.rows]
    sub = table.rows[texts.index("причины")]
    assert sub._tr.trPr.find(qn("w:cantSplit")) is not None
    assert sub.cells[0].paragraphs[0].paragraph_format.keep_with_next
    fill = sub.cells[0]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill"))
    assert fill == "D9D9D9"
    assert all(run.bold and run.italic for c in sub.cells for p in c.paragraphs for run in p.runs)
    main = table.rows[texts.index("саясат")]
    assert all(r.bold and not r.italic for c in main.cells for p in c.paragraphs for r in p.runs)
    labour = table.rows[texts.index("Labour")]
    assert labour.cells[2].text == "5"
    assert not labour.cells[0].paragraphs[0].runs[0].bold


def test_xlsx_numbers_frozen_header_and_widths(cli, coded, tmp_path):
    from openpyxl import load_workbook

    formula = '=HYPERLINK("http://example.com","click")'
    with coded.session() as session:
        lookup.get_code(session, "Empty").example_quote = "a bell \x07 in a quote"
        codebook.assign_code(
            session, codebook.create_code(session, formula), lookup.get_theme(session, "Trends")
        )
    out = tmp_path / "appendix.xlsx"
    result = cli("codebook", "export", "--appendix", "-f", "xlsx", "-o", out)
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(out).active
    assert sheet.freeze_panes == "A2"
    rows = {row[0].value: row for row in sheet.iter_rows()}
    assert rows["Labour"][2].value == 5 and rows["Labour"][2].data_type == "n"
    assert rows["Empty"][2].value == 0 and rows["Empty"][2].data_type == "n"
    assert rows["Empty"][1].value == "'a bell  in a quote'"  # no XML-illegal character
    assert rows[formula][0].data_type == "s" and rows[formula][0].quotePrefix  # never a formula
    assert rows["саясат"][0].font.bold
    widths = {c: sheet.column_dimensions[c].width for c in "ABC"}
    assert widths["B"] > widths["A"] > widths["C"] >= 15
    assert rows["Labour"][1].alignment.wrap_text


def test_tex_longtable_with_booktabs_and_cyrillic(coded):
    text = appendix.render(coded, "tex")
    assert text.startswith("\\begin{longtable}{p{0.27\\linewidth}p{0.55\\linewidth}r}")
    for rule in ("\\toprule", "\\midrule", "\\bottomrule", "\\endhead"):
        assert rule in text
    assert "\\textbf{\\textit{причины}} & \\textbf{\\textit{Example of a code}}" in text
    assert "\\textbf{саясат} &" in text
    assert "Expert C: 'Шетелдік мамандар жұмыс іздеп Қазақстанға келеді.' & 1 \\\\" in text


def test_md_keeps_one_row_per_code_when_a_quote_has_a_pipe(cli, coded):
    with coded.session() as session:
        lookup.get_code(session, "Empty").example_quote = "left | right"
    result = cli("codebook", "export", "--appendix", "-f", "md")
    assert result.exit_code == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("| Empty"))
    cells = re.split(r"(?<!\\)\|", line)[1:-1]  # split on the pipes that are not escaped
    assert [c.strip() for c in cells] == ["Empty", "'left \\| right'", "0"]


# --- the choice travels: YAML and REFI-QDA ------------------------------------------------


def _choose(cli, project) -> int:
    quota = _excerpt_id(project, "A notes", "The quota system changed")
    assert cli("codebook", "example", "Labour", f"#{quota}").exit_code == 0
    return quota


def test_yaml_export_writes_the_chosen_example_and_import_restores_it(cli, coded, tmp_path):
    import yaml

    quota = _choose(cli, coded)
    out = tmp_path / "codebook.yaml"
    assert cli("codebook", "export", "-f", "yaml", "-o", out).exit_code == 0
    entry = next(
        c for c in yaml.safe_load(out.read_text("utf-8"))["codes"] if c["name"] == "Labour"
    )
    start = NOTES["A notes"][2].index("The quota system changed")
    assert entry["example"] == {
        "participant": "Expert A",
        "quote": "The quota system changed",
        "excerpt": f"A notes:{start}-{start + len('The quota system changed')}",
    }
    assert cli("codebook", "example", "Labour", "--clear").exit_code == 0
    assert cli("codebook", "import", out).exit_code == 0
    with coded.session(write=False) as session:
        assert lookup.get_code(session, "Labour").example_excerpt_id == quota
    # in a project without that source, the quote is kept as an imported quote
    other = cli.__class__(str(tmp_path / "other.db"), tmp_path)
    assert other("init").exit_code == 0
    assert other("codebook", "import", out).exit_code == 0
    printed = other("codebook", "export", "--appendix", "-f", "csv")
    assert "Labour,Expert A: 'The quota system changed',0" in printed.stdout.splitlines()


def test_refi_export_keeps_the_chosen_example(cli, coded, tmp_path):
    _choose(cli, coded)
    out = tmp_path / "project.qdpx"
    assert cli("refi", "export", out).exit_code == 0, "export"
    other = cli.__class__(str(tmp_path / "other.db"), tmp_path)
    assert other("init").exit_code == 0
    result = other("refi", "import", out)
    assert result.exit_code == 0, result.stderr
    shown = other("codebook", "example", "Labour")
    assert shown.stdout.strip() == "Labour: Expert A: 'The quota system changed' (chosen)"
