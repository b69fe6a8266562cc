"""REFI-QDA round trips on both backends: identities, counts, equal second export, XSD validity."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import select

from qualcode import open_project
from qualcode.formats import refi
from qualcode.models import Code, Coder, Coding, Excerpt, Memo, Participant, Source, Theme
from tests.refi_support import (
    DATA,
    TEXT_A,
    build_sample,
    canonical,
    codes_by_name,
    counts,
    guids,
    qde,
    second_url,
    sources_of,
)

ROOT = Path(__file__).resolve().parent.parent
PROJECT_XSD = xmlschema.XMLSchema(DATA / "Project.xsd")
CODEBOOK_XSD = xmlschema.XMLSchema(DATA / "Codebook.xsd")


@pytest.fixture
def sample(project):
    build_sample(project)
    return project


@pytest.fixture
def fresh(request, db_url, tmp_path):
    proj = open_project(second_url(request, db_url, tmp_path))
    yield proj
    proj.close()


def test_project_export_validates_against_the_standard_xsd(sample, tmp_path):
    path = refi.export_project(sample, tmp_path / "p.qdpx")
    PROJECT_XSD.validate(qde(path).decode("utf-8"))
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert names[0] == "project.qde"
    assert len([n for n in names if n.startswith("sources/") and n.endswith(".txt")]) == 2


def test_codebook_export_validates_against_the_standard_xsd(sample, tmp_path):
    path = refi.export_codebook(sample, tmp_path / "c.qdc")
    CODEBOOK_XSD.validate(str(path))
    text = path.read_text("utf-8")
    assert 'name="Seasonal work"' in text and "<MemberCode guid=" in text


def test_round_trip_keeps_identities_counts_and_gives_an_equal_second_export(
    sample, fresh, tmp_path
):
    first = refi.export_project(sample, tmp_path / "first.qdpx")
    summary = refi.import_project(fresh, first)
    assert summary.warnings == []
    assert counts(fresh) == counts(sample)
    for model in (Coder, Code, Theme, Participant, Source, Excerpt, Coding, Memo):
        assert guids(fresh, model) == guids(sample, model), model.__name__
    second = refi.export_project(fresh, tmp_path / "second.qdpx")
    assert canonical(qde(second)) == canonical(qde(first))
    assert sources_of(second) == sources_of(first)
    assert second.read_bytes() == first.read_bytes()  # deterministic down to the zip


def test_round_trip_keeps_hierarchy_status_counts_and_subthemes(sample, fresh, tmp_path):
    refi.import_project(fresh, refi.export_project(sample, tmp_path / "p.qdpx"))
    codes = codes_by_name(fresh)
    with fresh.session(write=False) as s:
        seasonal = s.scalar(select(Code).where(Code.name == "Seasonal work"))
        assert seasonal.parent.name == "Labour migration"
        assert seasonal.colour == "#56B4E9"
        transit = s.scalar(select(Code).where(Code.name == "Transit"))
        assert transit.status == "merged" and transit.merged_into.name == "Transit country"
        kept = s.scalar(select(Code).where(Code.name == "Transit country"))
        assert kept.reported_count == 9
        assert kept.example_participant.pseudonym == "Expert B"
        reasons = s.scalar(select(Theme).where(Theme.name == "Reasons"))
        assert reasons.parent.name == "Trends"
        assert {link.code.name for link in reasons.code_links} == {
            "Seasonal work",
            "Transit country",
        }
        person = s.scalar(select(Participant).where(Participant.pseudonym == "Expert A"))
        assert (person.organisation, person.role, str(person.interview_date)) == (
            "NGO",
            "Director",
            "2024-04-11",
        )
        assert {a.name: a.value for a in person.attributes} == {"profession": "lawyer"}
        assert [src.title for src in person.sources] == ["Interview A"]
        law = s.scalar(select(Source).where(Source.title == "Law digest"))
        assert (law.kind, law.language) == ("document", "ru")
        memo = s.scalar(select(Coding.memo).where(Coding.memo.is_not(None)))
        assert memo == "clear case"
        targets = {
            m.body: (m.source_id, m.code_id, m.theme_id, m.excerpt_id)
            for m in s.scalars(select(Memo))
        }
        assert targets["Code all interviews twice."] == (None, None, None, None)
        assert targets["Keep apart from remittances."][1] == seasonal.id
        assert targets["The thesis' main theme."][2] == reasons.parent.id
        assert targets["Quote this."][3] is not None
    assert codes["Vague"].status == "excluded"
    assert codes["Vague"].status_reason == "too vague; overlaps"
    assert codes["Labour migration"].definition == "Moving for work."


def test_positions_are_code_points_so_text_after_an_emoji_keeps_its_offsets(
    sample, fresh, tmp_path
):
    path = refi.export_project(sample, tmp_path / "p.qdpx")
    assert 'startPosition="46" endPosition="66"' in qde(path).decode()
    refi.import_project(fresh, path)
    with fresh.session(write=False) as s:
        excerpt = s.scalar(select(Excerpt).where(Excerpt.start == 46))
        assert excerpt.text == TEXT_A[46:66] == "they send money home"


def test_codebook_round_trip_into_a_fresh_project(sample, fresh, tmp_path):
    path = refi.export_codebook(sample, tmp_path / "c.qdc")
    summary = refi.import_codebook(fresh, path)
    assert summary.added["codes"] == 6 and summary.added["themes"] == 3
    assert summary.added["participants"] == 1  # the example's participant, by pseudonym
    assert guids(fresh, Code) == guids(sample, Code)
    again = refi.export_codebook(fresh, tmp_path / "again.qdc")
    assert canonical(again.read_bytes()) == canonical(path.read_bytes())


def test_importing_twice_merges_everything_adds_nothing_and_says_so(sample, tmp_path):
    path = refi.export_project(sample, tmp_path / "p.qdpx")
    before = counts(sample)
    with pytest.raises(refi.NothingImported, match="added nothing: everything in it is already"):
        refi.import_project(sample, path)
    assert counts(sample) == before


def test_merge_by_name_into_an_existing_project(sample, fresh, tmp_path):
    from qualcode import codebook, lookup

    with fresh.session() as s:
        mine = codebook.create_code(s, "remittances", definition="my own definition")
        lookup.coder(s, "Bob")
        mine_guid = mine.guid
    summary = refi.import_project(fresh, refi.export_project(sample, tmp_path / "p.qdpx"))
    assert summary.merged["codes"] == 1 and summary.added["codes"] == 5
    assert summary.merged["coders"] == 1 and summary.added["coders"] == 1
    with fresh.session(write=False) as s:
        code = s.scalar(select(Code).where(Code.guid == mine_guid))
        assert code.definition == "my own definition"  # the project's own row wins
        assert len(code.codings) == 1  # the file's coding of "Remittances" landed on it


def test_export_of_an_empty_codebook_is_refused(project, tmp_path):
    from qualcode.errors import InputError

    with pytest.raises(InputError, match="no codes"):
        refi.export_codebook(project, tmp_path / "c.qdc")
    assert not (tmp_path / "c.qdc").exists()


def test_cli_export_and_import_report_what_was_added(cli, tmp_path, request, db_url):
    from qualcode import open_project as op

    build_sample_via = op(cli.db)
    build_sample(build_sample_via)
    build_sample_via.close()
    out = tmp_path / "p.qdpx"
    result = cli("refi", "export", str(out))
    assert result.exit_code == 0 and out.exists()
    other = second_url(request, db_url, tmp_path)
    # Only init creates a project: an import into an empty database is refused, nothing written.
    result = cli("refi", "import", str(out), "--db", other)
    assert result.exit_code == 1
    assert "qualcode init" in result.stderr
    assert cli("init", "--db", other).exit_code == 0
    result = cli("refi", "import", str(out), "--db", other)
    assert result.exit_code == 0, result.stderr
    assert "added 2 coders, 6 codes, 3 themes" in result.stdout
    assert "4 codings" in result.stdout
    result = cli("refi", "import", str(DATA / "maxqda.qdc"), "--db", other)
    assert result.exit_code == 0
    assert "added 4 codes, 1 themes, 2 theme links" in result.stdout


def test_cli_refuses_other_suffixes(cli, tmp_path):
    result = cli("refi", "import", str(tmp_path / "x.txt"))
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("qualcode: error: ")
    assert ".qdc" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_thesis_codebook_survives_qdc_and_qdpx(project, fresh, tmp_path):
    """The real Appendix B codebook (themes, sub-themes, merged and excluded codes, reported
    counts): valid .qdc and .qdpx, and a fresh project gets it back field for field."""
    from qualcode.formats import codebook_files

    codebook_files.import_codebook(project, ROOT / "codebooks" / "thesis-appendix-b.yaml")
    qdc = refi.export_codebook(project, tmp_path / "thesis.qdc")
    CODEBOOK_XSD.validate(str(qdc))
    qdpx = refi.export_project(project, tmp_path / "thesis.qdpx")
    PROJECT_XSD.validate(qde(qdpx).decode("utf-8"))
    refi.import_codebook(fresh, qdc)

    def fields(proj):
        with proj.session(write=False) as s:
            codes = {
                c.guid: (
                    c.name,
                    c.definition,
                    c.colour and c.colour.upper(),
                    c.parent and c.parent.guid,
                    c.status,
                    c.status_reason,
                    c.merged_into and c.merged_into.guid,
                    c.reported_count,
                    c.example_quote,
                    c.reconstructed,
                    c.provenance,
                    sorted(link.theme.guid for link in c.theme_links),
                )
                for c in s.scalars(select(Code))
            }
            themes = {
                t.guid: (t.name, t.description, t.parent and t.parent.guid)
                for t in s.scalars(select(Theme))
            }
        return codes, themes

    assert fields(fresh) == fields(project)
    again = refi.export_codebook(fresh, tmp_path / "again.qdc")
    assert canonical(again.read_bytes()) == canonical(qdc.read_bytes())


def test_cli_export_into_a_missing_folder_is_one_line(cli, tmp_path):
    result = cli("refi", "export", str(tmp_path / "nowhere" / "p.qdpx"))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"qualcode: error: {tmp_path / 'nowhere' / 'p.qdpx'}: the folder "
        f"{tmp_path / 'nowhere'} does not exist"
    )
