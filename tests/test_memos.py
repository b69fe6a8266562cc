"""`qualcode memos list | export`: memos on the project, sources, codes, themes, excerpts, codings."""

from __future__ import annotations

import csv
import io

import pytest

from qualcode import codebook, coding, lookup
from qualcode.codebook_sync import HEADING_MEMO
from qualcode.coding import Target, apply_code
from qualcode.models import Memo, Participant
from qualcode.sources import SourceOptions, add_source

TEXT = "Мигранты приезжают каждый год. Шетелдік мамандар келеді. Visas are easier now."


@pytest.fixture
def noted(project):
    with project.session() as session:
        session.add(Participant(pseudonym="Expert A", position=0))
        session.flush()
        source = add_source(
            session, TEXT, title="A notes", options=SourceOptions(participant="Expert A")
        )
        ann = lookup.coder(session, "Ann")
        code = codebook.create_code(session, "трудовая миграция")
        theme = codebook.create_theme(session, "Trends")
        start = TEXT.index("Шетелдік")
        target = Target(source.id, start, start + len("Шетелдік мамандар келеді."))
        done = apply_code(session, target, code, ann)
        coding.set_memo(session, done, "қазақша жазба: маңызды", ann)
        session.add_all(
            [
                Memo(title="Plan", body="Nine interviews, then the codebook.", coder_id=ann.id),
                Memo(body="Notes typed after the call.", source_id=source.id),
                Memo(title="Scope", body="Только трудовая миграция.", code_id=code.id),
                Memo(body="Why trends first.", theme_id=theme.id),
                Memo(title=HEADING_MEMO, body="Migration Trends and Patterns", theme_id=theme.id),
                Memo(body="A key passage | with a pipe.", excerpt_id=done.excerpt_id),
            ]
        )
    return project


def test_list_shows_every_memo_by_kind(cli, noted):
    result = cli("memos", "list", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["kind"] for r in rows] == ["project", "source", "code", "theme", "excerpt", "coding"]
    assert rows[0]["title"] == "Plan" and rows[0]["coder"] == "Ann"
    assert rows[1]["target"] == "A notes"
    assert rows[2] == rows[2] | {"target": "трудовая миграция", "memo": "Только трудовая миграция."}
    assert rows[3]["memo"] == "Why trends first."  # the printed-heading memo is not a note
    start = TEXT.index("Шетелдік")
    address = f"A notes:{start}-{start + len('Шетелдік мамандар келеді.')}"
    assert rows[4]["target"] == address
    assert rows[4]["quote"] == "Шетелдік мамандар келеді."
    assert rows[5]["target"] == f"трудовая миграция on {address}"
    assert rows[5]["memo"] == "қазақша жазба: маңызды"
    only = cli("memos", "list", "--kind", "coding,code", "--format", "csv")
    kinds = [r["kind"] for r in csv.DictReader(io.StringIO(only.stdout))]
    assert kinds == ["code", "coding"]


def test_export_md_is_a_document_with_a_section_per_kind(cli, noted, tmp_path):
    result = cli("memos", "export", "--format", "md")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("# Memos\n")
    order = [text.index(f"## {h}") for h in ("Project", "Sources", "Codes", "Themes", "Excerpts")]
    assert order == sorted(order)
    assert "### трудовая миграция — Scope\n\nТолько трудовая миграция." in text
    assert "> Шетелдік мамандар келеді.\n\nA key passage | with a pipe." in text
    assert "Migration Trends and Patterns" not in text
    out = tmp_path / "memos.md"
    assert cli("memos", "export", "-f", "md", "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8") == text


def test_export_docx_and_csv(cli, noted, tmp_path):
    from docx import Document

    out = tmp_path / "memos.docx"
    result = cli("memos", "export", "--format", "docx", "--output", out)
    assert result.exit_code == 0, result.stderr
    doc = Document(str(out))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Head")]
    assert headings[0] == ("Heading 1", "Memos")
    assert ("Heading 2", "Codings") in headings
    assert ("Heading 3", "Plan") in headings  # the project memo, by its title
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert quotes == ["Шетелдік мамандар келеді.", "Шетелдік мамандар келеді."]
    sheet = tmp_path / "memos.csv"
    assert cli("memos", "export", "-f", "csv", "-o", sheet).exit_code == 0
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    assert len(rows) == 6 and rows[-1]["kind"] == "coding"


def test_nothing_to_export_and_bad_kinds_are_one_line_errors(cli, project, tmp_path):
    empty = cli("memos", "export", "--format", "md")
    assert empty.exit_code == 1
    assert empty.stderr.strip() == "qualcode: error: the project has no memos to export"
    docx = cli("memos", "export", "--format", "docx")
    assert docx.exit_code == 1
    assert docx.stderr.strip() == "qualcode: error: --format docx needs --output FILE"
    bad = cli("memos", "list", "--kind", "notes")
    assert bad.exit_code == 1
    assert "--kind must be one of project, source, code, theme, excerpt, coding" in bad.stderr
