"""Importing documents: Word (.docx), OpenDocument (.odt) and PDF text layers; broken ones refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode.models import Source
from tests.import_fixtures import (
    counts,
    encrypt_pdf,
    make_docx,
    make_odt,
    make_pdf,
    one_line_error,
    source_texts,
)

PARAGRAPHS = [
    "Expert A said the influx had recovered by 2019.",
    "Now everything is already normalised, restored. Salaries grew.",
]


def _paragraph_texts(project) -> list[str]:
    with project.session(write=False) as session:
        source = session.scalar(select(Source))
        return [source.text[s.start : s.end] for s in source.segments if s.kind == "paragraph"]


def test_docx_paragraphs_in_order_become_paragraph_segments(cli, project, tmp_path: Path):
    path = make_docx(tmp_path / "expert-a.docx", [PARAGRAPHS[0], "", PARAGRAPHS[1]])
    result = cli("import", path)
    assert result.exit_code == 0, result.stderr
    assert source_texts(project) == {"expert-a": "\n\n".join(PARAGRAPHS)}
    assert _paragraph_texts(project) == PARAGRAPHS


def test_docx_tables_and_tabs_keep_their_text(cli, project, tmp_path: Path):
    from docx import Document

    document = Document()
    document.add_paragraph("Before\tthe table.")
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "Inside the table."
    document.add_paragraph("After it.")
    document.save(tmp_path / "t.docx")
    assert cli("import", tmp_path / "t.docx").exit_code == 0
    assert source_texts(project) == {"t": "Before\tthe table.\n\nInside the table.\n\nAfter it."}


def test_odt_headings_and_paragraphs_come_in_order(cli, project, tmp_path: Path):
    path = make_odt(tmp_path / "law.odt", PARAGRAPHS, heading="On migration")
    result = cli("import", path, "--kind", "document")
    assert result.exit_code == 0, result.stderr
    assert source_texts(project) == {"law": "\n\n".join(["On migration", *PARAGRAPHS])}
    with project.session(write=False) as session:
        assert session.scalar(select(Source.kind)) == "document"


def test_pdf_text_layer_page_by_page(cli, project, tmp_path: Path):
    path = make_pdf(tmp_path / "report.pdf", PARAGRAPHS)
    result = cli("import", path, "--kind", "document")
    assert result.exit_code == 0, result.stderr
    assert source_texts(project) == {"report": "\n\n".join(PARAGRAPHS)}
    assert _paragraph_texts(project) == PARAGRAPHS


def _truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("corrupt.docx", lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "not a readable"),
        (
            "truncated.docx",
            lambda p: _truncate(make_docx(p, PARAGRAPHS * 50)),
            "not a readable .docx",
        ),
        ("text.docx", lambda p: p.write_text("plain words", encoding="utf-8"), "not a readable"),
        ("corrupt.odt", lambda p: p.write_bytes(b"PK\x03\x04 broken"), "not a readable .odt"),
        ("truncated.pdf", lambda p: _truncate(make_pdf(p, PARAGRAPHS)), "truncated"),
        ("fake.pdf", lambda p: p.write_bytes(b"%PDF-1.4 garbage %%EOF"), "not a readable PDF"),
        ("notpdf.pdf", lambda p: p.write_text("hello"), "not a PDF"),
    ],
)
def test_broken_documents_are_refused_untouched(cli, project, tmp_path: Path, name, build, message):
    path = tmp_path / name
    build(path)
    before = counts(project)
    one_line_error(cli("import", path), str(path), message)
    assert counts(project) == before


def test_an_encrypted_pdf_is_refused(cli, project, tmp_path: Path):
    plain = make_pdf(tmp_path / "plain.pdf", PARAGRAPHS)
    locked = encrypt_pdf(plain, tmp_path / "locked.pdf")
    before = counts(project)
    one_line_error(cli("import", locked), str(locked), "encrypted")
    assert counts(project) == before


def test_a_pdf_without_text_is_refused(cli, project, tmp_path: Path):
    path = make_pdf(tmp_path / "scan.pdf", [""])
    one_line_error(cli("import", path), str(path), "no text layer")
    assert counts(project)["sources"] == 0


def test_a_broken_document_among_good_ones_fails_alone(cli, project, tmp_path: Path):
    good = make_docx(tmp_path / "good.docx", PARAGRAPHS)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n")
    odt = make_odt(tmp_path / "good2.odt", ["Other notes."])
    result = cli("import", good, bad, odt)
    assert result.exit_code == 1
    assert f"1 of 3 files not imported: {bad}" in result.stderr
    assert set(source_texts(project)) == {"good", "good2"}
