"""Files written by other tools (imitated by hand in tests/data/refi): read what can be read,
skip the rest with a warning that says what and why."""

from __future__ import annotations

from sqlalchemy import select

from qualcode.formats import refi
from qualcode.models import Code, Coder, Coding, Excerpt, Memo, Participant, Source, Theme
from tests.refi_support import DATA, codes_by_name, counts, make_qdpx


def test_qualcoder_project_with_inline_text_cases_and_notes(project, tmp_path):
    summary = refi.import_project(project, make_qdpx(DATA / "qualcoder", tmp_path))
    assert summary.warnings == []
    assert summary.added["coders"] == 2 and summary.added["codings"] == 4
    codes = codes_by_name(project)
    assert codes["Labour migration"].colour == "#EE66AA"  # #RGB widened
    assert codes["Seasonal work"].parent_id == codes["Labour migration"].id
    with project.session(write=False) as s:
        person = s.scalar(select(Participant))
        assert person.pseudonym == "Expert A" and person.role == "Director"
        assert {a.name: a.value for a in person.attributes} == {"Profession": "lawyer", "Age": "41"}
        interview = s.scalar(select(Source).where(Source.title == "Interview A"))
        assert interview.participant_id == person.id
        assert s.scalar(select(Source.text).where(Source.title == "Law on migration")).startswith(
            "Article 1."
        )
        texts = {e.text for e in s.scalars(select(Excerpt))}
        assert texts == {
            "go to Russia for seasonal jobs",
            "they send money home",
            "Labour migrants",
        }
        memos = {m.body: m for m in s.scalars(select(Memo))}
        assert memos["Recorded by hand, not audio."].source_id == interview.id
        assert memos["Recorded by hand, not audio."].title == "About interview A"
        assert memos["Strong example."].excerpt_id is not None
        coders = {c.coder.name for c in s.scalars(select(Coding))}
        assert coders == {"aigerim", "daniyar"}


def test_nvivo_project_braced_guids_vendor_elements_utf16_and_positions_past_the_text(
    project, tmp_path
):
    summary = refi.import_project(project, make_qdpx(DATA / "nvivo", tmp_path))
    text = "\n".join(summary.warnings)
    assert "urn:example:nvivo-extensions}ProjectSettings" in text
    assert "read as utf-16" in text
    assert (
        "1 selection(s) outside its 35 characters "
        "(ef000000-0000-4000-8000-000000000002 at 5-9000); skipped" in text
    )
    assert "1 PDFSource element(s) with 0 coding(s): qualcode codes text only; skipped" in text
    assert "set 'Focus groups' groups sources" in text
    assert (
        "code 'Language' appears twice in the file; the second became 'Language (Support)'" in text
    )
    assert "credited to coder 'unknown'" in text
    codes = codes_by_name(project)
    assert codes["Language"].guid == "ab000000-0000-4000-8000-000000000002"
    assert codes["Language"].colour is None
    assert codes["Language (Support)"].definition == "Language courses offered."
    with project.session(write=False) as s:
        assert s.scalar(select(Source.text)).startswith("Русский язык")
        assert [e.text for e in s.scalars(select(Excerpt))] == ["Русский"]
        theme = s.scalar(select(Theme))
        assert theme.name == "Language codes" and len(theme.code_links) == 2
        assert s.scalar(select(Coder.name)) == "unknown"


def test_atlas_project_texts_outside_the_archive_are_refused_other_encoding_read(project, tmp_path):
    """The .qdpx's relative:// text sits beside the archive (make_qdpx copies it there): it is
    refused all the same, naming the source; so is the absolute:// one."""
    path = make_qdpx(DATA / "atlas", tmp_path)
    assert (tmp_path / "outside" / "beside.txt").is_file()
    summary = refi.import_project(project, path)
    text = "\n".join(summary.warnings)
    assert (
        "source 'Memo doc': its text 'relative://outside/beside.txt' lies outside the archive; "
        "refused" in text
    )
    assert (
        "source 'Elsewhere': its text 'absolute://C:/Users/me/Documents/elsewhere.txt' lies "
        "outside the archive; refused" in text
    )
    assert "sources/cafe.txt read as cp1252 (guessed; REFI-QDA asks for UTF-8)" in text
    assert "Links skipped" in text
    with project.session(write=False) as s:
        by_title = {src.title: src for src in s.scalars(select(Source))}
        assert set(by_title) == {"Café notes"}
        assert by_title["Café notes"].text.startswith("Café au lait; naïve")
        assert "Integration takes years" not in "".join(s.scalars(select(Source.text)))
        assert s.scalar(select(Code).where(Code.name == "Unused")) is not None


def test_maxqda_codebook_without_descriptions_and_with_vendor_attributes(project):
    summary = refi.import_codebook(project, DATA / "maxqda.qdc")
    assert summary.added["codes"] == 4 and summary.added["theme links"] == 2
    codes = codes_by_name(project)
    assert codes["Networks"].colour == "#FF8800"
    assert codes["Diaspora"].colour == "#00AA00"
    assert codes["Family ties"].parent_id == codes["Networks"].id
    assert codes["Networks"].definition is None


def test_codebook_import_from_a_qdpx_reads_only_its_codes(project, tmp_path):
    summary = refi.import_codebook(project, make_qdpx(DATA / "qualcoder", tmp_path))
    assert summary.added["codes"] == 3
    assert counts(project)["sources"] == 0 and counts(project)["codings"] == 0


def test_cli_prints_each_warning_on_its_own_stderr_line(cli, tmp_path):
    path = make_qdpx(DATA / "nvivo", tmp_path)
    result = cli("refi", "import", str(path))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{path}: added 1 coders, 4 codes, 1 themes, 2 theme links")
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) >= 6 and all(line.startswith("warning: ") for line in warnings)
    assert any("selection(s) outside its 35 characters" in line for line in warnings)
