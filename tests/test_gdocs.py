"""Google Docs exports: comments on the notes become codings by their authors, and the team's
code-to-theme sheet (.csv or .xlsx) becomes themes and sub-themes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode.formats.gdocs import split_codes
from qualcode.models import Code, Coding, Segment, Source, Theme
from tests.import_fixtures import counts, one_line_error

PARTICIPANTS = "pseudonym\nExpert A\n"


@pytest.fixture
def expert_a(cli, tmp_path: Path) -> str:
    people = tmp_path / "people.csv"
    people.write_text(PARTICIPANTS, encoding="utf-8")
    assert cli("participants", "import", people).exit_code == 0
    return "Expert A"


def commented_docx(path: Path) -> Path:
    """Notes as a Google Docs export: three comments, one of them across two paragraphs."""
    from docx import Document

    document = Document()
    first = document.add_paragraph()
    first.add_run("Expert A said the influx ")
    recovered = first.add_run("had recovered by 2019.")
    document.add_paragraph("")  # an empty paragraph, as people leave them
    second = document.add_paragraph()
    normalised = second.add_run("Now everything is normalised.")
    second.add_run(" ")
    salaries = second.add_run("Salaries grew")
    second.add_run(" in Astana.")
    document.add_comment(
        [recovered, normalised],
        "Recovery of patterns; Post-crisis normalisation\nInflux",
        author="Aigerim S",
        initials="AS",
    )
    document.add_comment(salaries, "Salaries", author="Daniyar K", initials="DK")
    document.add_comment(recovered, "recovery of patterns", author="Daniyar K", initials="DK")
    document.save(path)
    return path


TEXT = (
    "Expert A said the influx had recovered by 2019.\n\n"
    "Now everything is normalised. Salaries grew in Astana."
)


def _codings(project) -> set[tuple[str, str, str]]:
    with project.session(write=False) as session:
        return {
            (c.code.name, c.coder.name, c.excerpt.text) for c in session.scalars(select(Coding))
        }


def test_comments_become_codings_by_their_authors(cli, project, tmp_path: Path, expert_a):
    path = commented_docx(tmp_path / "expert-a.docx")
    result = cli("gdocs", "import", path, "--participant", expert_a)
    assert result.exit_code == 0, result.stderr
    assert "5 codings by Aigerim S, Daniyar K; 4 new codes" in result.stdout
    across = "had recovered by 2019.\n\nNow everything is normalised."
    assert _codings(project) == {
        ("Recovery of patterns", "Aigerim S", across),
        ("Post-crisis normalisation", "Aigerim S", across),
        ("Influx", "Aigerim S", across),
        ("Salaries", "Daniyar K", "Salaries grew"),
        ("Recovery of patterns", "Daniyar K", "had recovered by 2019."),
    }
    with project.session(write=False) as session:
        source = session.scalar(select(Source))
        assert source.text == TEXT and source.participant.pseudonym == "Expert A"
        assert session.scalar(select(Segment).where(Segment.kind == "sentence")) is not None


def test_a_comment_across_paragraphs_has_the_stored_texts_offsets(cli, project, tmp_path, expert_a):
    path = commented_docx(tmp_path / "expert-a.docx")
    assert cli("gdocs", "import", path, "--participant", expert_a).exit_code == 0
    with project.session(write=False) as session:
        coding = session.scalar(select(Coding).join(Code).where(Code.name == "Influx"))
        excerpt = coding.excerpt
        assert (excerpt.start, excerpt.end) == (
            TEXT.index("had recovered"),
            TEXT.index(" Salaries"),
        )
        assert excerpt.source.text[excerpt.start : excerpt.end] == excerpt.text


def test_coder_map_names_the_coders(cli, project, tmp_path: Path, expert_a):
    path = commented_docx(tmp_path / "expert-a.docx")
    result = cli(
        "gdocs", "import", path, "--participant", expert_a,
        "--coder-map", "Aigerim S=Aigerim", "--coder-map", "daniyar k=Daniyar",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert {coder for _, coder, _ in _codings(project)} == {"Aigerim", "Daniyar"}


def test_existing_codes_are_reused_and_merged_ones_followed(cli, project, tmp_path, expert_a):
    from qualcode import codebook

    with project.session() as session:
        keep = codebook.create_code(session, "Recovery")
        old = codebook.create_code(session, "Recovery of patterns")
        codebook.merge_codes(session, keep, old)
    path = commented_docx(tmp_path / "expert-a.docx")
    assert cli("gdocs", "import", path, "--participant", expert_a).exit_code == 0
    names = {name for name, _, _ in _codings(project)}
    assert "Recovery" in names and "Recovery of patterns" not in names


def test_comments_without_codes_or_anchor_are_skipped_and_said(cli, project, tmp_path, expert_a):
    from docx import Document

    document = Document()
    run = document.add_paragraph().add_run("Some words here.")
    document.add_comment(run, " ; \n ", author="A")
    document.add_comment(run, "Real code", author="A")
    path = tmp_path / "n.docx"
    document.save(path)
    result = cli("gdocs", "import", path, "--participant", expert_a)
    assert result.exit_code == 0, result.stderr
    assert "skipped 1 comments (comment 0 names no code)" in result.stdout
    assert _codings(project) == {("Real code", "A", "Some words here.")}


def test_replies_in_a_comment_thread_are_not_codes(cli, project, tmp_path, expert_a):
    """Word/Google keep threads in commentsExtended.xml: a reply points at its parent."""
    from docx import Document
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml.ns import qn

    document = Document()
    run = document.add_paragraph().add_run("Salaries grew in Astana.")
    first = document.add_comment(run, "Salaries", author="Aigerim")
    reply = document.add_comment(run, "I agree, but maybe merge it", author="Dana")
    first.paragraphs[0]._p.set(qn("w14:paraId"), "0000000A")
    reply.paragraphs[0]._p.set(qn("w14:paraId"), "0000000B")
    w15 = "http://schemas.microsoft.com/office/word/2012/wordml"
    blob = (
        f'<w15:commentsEx xmlns:w15="{w15}"><w15:commentEx w15:paraId="0000000A"/>'
        '<w15:commentEx w15:paraId="0000000B" w15:paraIdParent="0000000A"/></w15:commentsEx>'
    ).encode()
    part = Part(
        PackURI("/word/commentsExtended.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml",
        blob,
        document.part.package,
    )
    document.part.relate_to(
        part, "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
    )
    path = tmp_path / "thread.docx"
    document.save(path)
    result = cli("gdocs", "import", path, "--participant", expert_a)
    assert result.exit_code == 0, result.stderr
    assert "comment 1 is a reply" in result.stdout
    assert _codings(project) == {("Salaries", "Aigerim", "Salaries grew in Astana.")}


def test_an_excluded_code_in_a_comment_refuses_the_whole_file(cli, project, tmp_path, expert_a):
    from qualcode import codebook

    with project.session() as session:
        codebook.exclude_code(session, codebook.create_code(session, "Salaries"), "too vague")
    before = counts(project)
    path = commented_docx(tmp_path / "expert-a.docx")
    one_line_error(
        cli("gdocs", "import", path, "--participant", expert_a), str(path), "comment 1", "excluded"
    )
    assert counts(project) == before


def test_a_corrupt_export_is_refused(cli, project, tmp_path: Path, expert_a):
    path = tmp_path / "broken.docx"
    data = commented_docx(tmp_path / "good.docx").read_bytes()
    path.write_bytes(data[: len(data) // 3])
    before = counts(project)
    one_line_error(cli("gdocs", "import", path, "--participant", expert_a), str(path))
    assert counts(project) == before


def test_reimporting_the_export_is_refused(cli, project, tmp_path: Path, expert_a):
    path = commented_docx(tmp_path / "expert-a.docx")
    assert cli("gdocs", "import", path, "--participant", expert_a).exit_code == 0
    before = counts(project)
    one_line_error(
        cli("gdocs", "import", path, "--participant", expert_a), "already imported as source"
    )
    assert counts(project) == before


def test_participant_is_required_and_must_exist(cli, project, tmp_path: Path):
    path = commented_docx(tmp_path / "expert-a.docx")
    assert cli("gdocs", "import", path).exit_code != 0
    one_line_error(cli("gdocs", "import", path, "--participant", "Expert Q"), "Expert Q")
    assert counts(project)["sources"] == 0


def test_split_codes_on_semicolons_and_new_lines():
    assert split_codes(" Brain  drain ;Salaries\n\nbrain drain;\r\nVisa ") == [
        "Brain drain",
        "Salaries",
        "Visa",
    ]


# --- the code-to-theme sheet ----------------------------------------------------------------

SHEET = [
    ("Code", "Theme", "Sub-theme"),
    ("Brain drain", "Evolving Migration Trends", "Outflow"),
    ("Salaries", "", ""),
    ("Recovery of patterns", "Evolving Migration Trends", ""),
    ("Visa regime", "Recent Policies and Enhancements", "Entry rules"),
    ("", "", ""),
    ("Work permits", "", "Labour quotas"),
]


def _themes(project) -> dict[str, tuple[str | None, list[str]]]:
    with project.session(write=False) as session:
        return {
            t.name: (
                t.parent.name if t.parent else None,
                sorted(link.code.name for link in t.code_links),
            )
            for t in session.scalars(select(Theme))
        }


EXPECTED = {
    "Evolving Migration Trends": (None, ["Recovery of patterns"]),
    "Outflow": ("Evolving Migration Trends", ["Brain drain", "Salaries"]),
    "Recent Policies and Enhancements": (None, []),
    "Entry rules": ("Recent Policies and Enhancements", ["Visa regime"]),
    "Labour quotas": ("Recent Policies and Enhancements", ["Work permits"]),
}


def test_theme_sheet_from_csv(cli, project, tmp_path: Path):
    import csv

    path = tmp_path / "themes.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(SHEET)
    result = cli("gdocs", "themes", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "5 themes created, 5 codes created, 5 codes assigned"
    assert _themes(project) == EXPECTED
    again = cli("gdocs", "themes", path)
    assert "0 themes created, 0 codes created, 0 codes assigned" in again.stdout


def test_theme_sheet_from_xlsx_assigns_existing_codes(cli, project, tmp_path: Path):
    from openpyxl import Workbook

    from qualcode import codebook

    with project.session() as session:
        codebook.create_code(session, "Brain drain")
    book = Workbook()
    for row in SHEET:
        book.active.append(row)
    path = tmp_path / "themes.xlsx"
    book.save(path)
    result = cli("gdocs", "themes", path)
    assert result.exit_code == 0, result.stderr
    assert "4 codes created" in result.stdout
    assert _themes(project) == EXPECTED


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Name,Group\nx,y\n", "no code or theme column"),
        ("Code,Theme\nBrain drain,\n", "has no theme"),
        ("Code,Theme\n", "no codes"),
    ],
)
def test_a_bad_theme_sheet_changes_nothing(cli, project, tmp_path: Path, content, message):
    path = tmp_path / "themes.csv"
    path.write_text(content, encoding="utf-8")
    before = counts(project)
    one_line_error(cli("gdocs", "themes", path), "themes.csv", message)
    assert counts(project) == before


def test_a_sub_theme_under_two_themes_is_refused(cli, project, tmp_path: Path):
    path = tmp_path / "themes.csv"
    path.write_text("Code,Theme,Sub-theme\na,T1,S\nb,T2,S\n", encoding="utf-8")
    before = counts(project)
    one_line_error(cli("gdocs", "themes", path), "row 3", "under 'T1' already")
    assert counts(project) == before


def test_a_theme_sheet_in_another_format_is_refused(cli, project, tmp_path: Path):
    path = tmp_path / "themes.ods"
    path.write_bytes(b"x")
    one_line_error(cli("gdocs", "themes", path), "must be .csv or .xlsx")
