"""The codebook printed as Appendix B: golden md/csv/tex, a real Word table, a real workbook.

The golden files are the thesis codebook's appendix as qualcode prints it. When the printing is
meant to change, rebuild them with `qualcode codebook export --appendix -f md|csv|tex -o FILE`
after importing codebooks/thesis-appendix-b.yaml, and read the diff.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from qualcode.formats import appendix, codebook_files

ROOT = Path(__file__).resolve().parent.parent
THESIS_YAML = ROOT / "codebooks" / "thesis-appendix-b.yaml"
GOLDEN = Path(__file__).parent / "data" / "golden"
REPRINT = ("--counts", "reported", "--max-quote-words", "0")
PRINTED = appendix.Layout(counts="reported", max_words=0)
HEADINGS = [
    "Current Policy and Regulation Enhancements",
    "Migration Trends and Patterns",
    "Characteristics of Migration",
    "Reasons for movement",
    "Specific Migrant Origins and Destinations",
    "Disadvantages of Kazakhstan's migration management",
    "Human trafficking",
    "Impact of immigration of foreigners",
]


@pytest.fixture
def thesis(project):
    codebook_files.import_codebook(project, THESIS_YAML)
    return project


@pytest.mark.parametrize("fmt", ["md", "csv", "tex"])
def test_appendix_text_formats_match_the_golden_files(cli, thesis, fmt):
    result = cli("codebook", "export", "--appendix", "--format", fmt, *REPRINT)
    assert result.exit_code == 0, result.stderr
    golden = (GOLDEN / f"appendix-b.{fmt}").read_text(encoding="utf-8")
    assert result.stdout == golden if golden.endswith("\n") else result.stdout == golden + "\n"


def test_sections_come_in_printed_order_with_a_header_row_each(thesis):
    df, marks = appendix.table(thesis, PRINTED)
    assert list(df.columns) == [HEADINGS[0], "Example of a code", "Number of codes"]
    assert [df.iloc[i, 0] for i in marks] == HEADINGS[1:]
    assert all(df.iloc[i, 1] == "Example of a code" for i in marks)
    assert len(df) == 192 + len(HEADINGS) - 1
    row = df[df[HEADINGS[0]] == "Kazakhstan as a transit country"].iloc[0]
    assert row["Example of a code"].startswith("Expert B: 'Someone comes here to temporarily")
    assert row["Number of codes"] == 9
    empty = df[df[HEADINGS[0]] == "Career growth abroad"].iloc[0]
    assert empty["Number of codes"] == ""


def test_excluded_codes_are_left_out_of_the_appendix(cli, thesis):
    assert cli("codebook exclude Dactyloscopy --reason 'not used'").exit_code == 0
    df, _ = appendix.table(thesis, PRINTED)
    assert "Dactyloscopy" not in set(df[HEADINGS[0]])
    assert len(df) == 192 + len(HEADINGS) - 2


def test_docx_is_a_word_table_with_a_repeating_header_row(cli, thesis, tmp_path):
    from docx import Document
    from docx.oxml.ns import qn

    out = tmp_path / "appendix.docx"
    result = cli("codebook", "export", "--appendix", "--format", "docx", "--output", out, *REPRINT)
    assert result.exit_code == 0, result.stderr
    table = Document(str(out)).tables[0]
    assert len(table.rows) == 1 + 192 + len(HEADINGS) - 1
    header = table.rows[0]
    assert [c.text for c in header.cells] == [HEADINGS[0], "Example of a code", "Number of codes"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    section = next(r for r in table.rows if r.cells[0].text == "Human trafficking")
    assert all(run.bold for c in section.cells for p in c.paragraphs for run in p.runs)
    texts = [r.cells[0].text for r in table.rows]
    assert texts.index("Human trafficking") < texts.index("Legislation is failing")
    legislation = table.rows[texts.index("Legislation is failing")]
    assert legislation.cells[2].text == "13"
    assert not legislation.cells[0].paragraphs[0].runs[0].bold


def test_xlsx_reads_back_with_openpyxl(cli, thesis, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "appendix.xlsx"
    assert cli("codebook", "export", "--appendix", "-f", "xlsx", "-o", out, *REPRINT).exit_code == 0
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (HEADINGS[0], "Example of a code", "Number of codes")
    assert len(rows) == 1 + 192 + len(HEADINGS) - 1
    assert (HEADINGS[-1], "Example of a code", "Number of codes") in rows
    assert rows[-1][0] == "Benefits for Kazakhstan"


def test_tex_is_a_booktabs_longtable_that_compiles(thesis, tmp_path):
    text = appendix.render(thesis, "tex", layout=PRINTED)
    assert text.startswith("\\begin{longtable}{p{0.27\\linewidth}p{0.55\\linewidth}r}")
    assert text.rstrip().endswith("\\end{longtable}")
    for rule in ("\\toprule", "\\midrule", "\\bottomrule", "\\endhead"):
        assert rule in text
    assert "\\textbf{Human trafficking} & \\textbf{Example of a code}" in text
    assert "apartments at \\$1000" in text
    if shutil.which("pdflatex"):
        (tmp_path / "table.tex").write_text(text, encoding="utf-8")
        (tmp_path / "doc.tex").write_text(
            "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage{booktabs,longtable}"
            "\\begin{document}\\input{table.tex}\\end{document}\n",
            encoding="utf-8",
        )
        run = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout[-2000:]
        assert (tmp_path / "doc.pdf").stat().st_size > 10_000


def test_binary_formats_need_an_output_file(cli, thesis):
    result = cli("codebook export --appendix --format docx")
    assert result.exit_code == 1
    assert "--format docx needs --output FILE" in result.stderr
