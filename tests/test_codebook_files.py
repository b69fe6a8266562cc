"""Codebook files: YAML and CSV round trips, imports on both backends, and refused bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode import codebook_sync
from qualcode.formats import codebook_files
from qualcode.models import Code, CodeTheme, Event, Memo, Participant, Theme

ROOT = Path(__file__).resolve().parent.parent
THESIS_YAML = ROOT / "codebooks" / "thesis-appendix-b.yaml"
THESIS_CSV = ROOT / "codebooks" / "thesis-appendix-b.csv"

SMALL = """\
# qualcode codebook: the format is described in docs/codebook.md
qualcode_codebook: 1
themes:
- name: Trends
  description: Main theme.
  heading: Migration Trends and Patterns
  themes:
  - name: Reasons
- name: Policies
codes:
- name: Transit country
  themes:
  - Reasons
  - Policies
  count: 9
  example:
    participant: Expert B
    quote: 'Someone comes here to temporarily relocate, get a Schengen visa: and go further'
  colour: '#E69F00'
  provenance: Appendix B, seed line 722.
- name: Transit
  count: null
  status: merged
  merged_into: Transit country
- name: Noise
  parent: Transit country
  definition: Talk about nothing in particular.
  themes:
  - Trends
  count: 0
  status: excluded
  reason: not about migration
  reconstructed: true
"""


def _counts(project) -> tuple[int, int, int, int]:
    with project.session(write=False) as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) for m in (Code, Theme, CodeTheme, Memo)
        )


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_thesis_yaml_export_after_import_is_the_same_file(cli, tmp_path):
    assert cli("init").exit_code == 0
    result = cli("codebook", "import", THESIS_YAML)
    assert result.exit_code == 0, result.stderr
    assert "192 codes created" in result.stderr
    out = tmp_path / "again.yaml"
    assert cli("codebook", "export", "--format", "yaml", "--output", out).exit_code == 0
    assert out.read_bytes() == THESIS_YAML.read_bytes()
    assert cli("codebook", "export").stdout.encode() == THESIS_YAML.read_bytes()


def test_thesis_csv_export_after_import_is_the_same_file(cli):
    assert cli("init").exit_code == 0
    assert cli("codebook", "import", THESIS_CSV).exit_code == 0
    result = cli("codebook", "export", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.encode() == THESIS_CSV.read_bytes()


def test_csv_twin_holds_the_same_codes_as_the_yaml():
    from_yaml = codebook_files.load(THESIS_YAML)
    from_csv = codebook_files.load(THESIS_CSV)
    assert from_csv.codes == from_yaml.codes
    assert [t.name for t in from_csv.themes] != []
    assert {t.name for t in from_csv.themes} == {t.name for t in from_yaml.themes}


def test_small_codebook_round_trips_status_parent_links_and_heading(project, small, tmp_path):
    codebook_files.import_codebook(project, small)
    with project.session(write=False) as s:
        codes = {c.name: c for c in s.scalars(select(Code))}
        assert codes["Transit"].status == "merged"
        assert codes["Transit"].merged_into_id == codes["Transit country"].id
        assert codes["Noise"].status == "excluded"
        assert codes["Noise"].status_reason == "not about migration"
        assert codes["Noise"].parent_id == codes["Transit country"].id
        assert codes["Noise"].reconstructed is True
        assert codes["Transit country"].reported_count == 9
        pseudonym = s.get(Participant, codes["Transit country"].example_participant_id).pseudonym
        assert pseudonym == "Expert B"
        reasons = s.scalar(select(Theme).where(Theme.name == "Reasons"))
        assert reasons.parent.name == "Trends"
        assert s.scalar(select(Memo.body).where(Memo.title == codebook_sync.HEADING_MEMO)) == (
            "Migration Trends and Patterns"
        )
    assert codebook_files.export_codebook(project, "yaml") == SMALL
    out = tmp_path / "small.csv"
    codebook_files.export_codebook(project, "csv", out)
    assert "Transit country,Trends; Policies,Reasons" in out.read_text()


def test_importing_twice_updates_instead_of_doubling(project, small):
    codebook_files.import_codebook(project, small)
    before = _counts(project)
    summary = codebook_files.import_codebook(project, small)
    assert (summary.codes_created, summary.codes_updated) == (0, 3)
    assert _counts(project) == before
    assert codebook_files.export_codebook(project, "yaml") == SMALL


def test_import_changes_a_count_and_moves_a_code_between_themes(project, small, tmp_path):
    codebook_files.import_codebook(project, small)
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        SMALL.replace("count: 9", "count: 10").replace(
            "  - Reasons\n  - Policies\n", "  - Policies\n"
        )
    )
    codebook_files.import_codebook(project, edited)
    with project.session(write=False) as s:
        code = s.scalar(select(Code).where(Code.name == "Transit country"))
        assert code.reported_count == 10
        assert [link.theme.name for link in code.theme_links] == ["Policies"]
    assert codebook_files.export_codebook(project, "yaml") == edited.read_text()


def test_a_quoted_participant_is_created_once(project, small):
    codebook_files.import_codebook(project, small)
    codebook_files.import_codebook(project, small)
    with project.session(write=False) as s:
        assert s.scalars(select(Participant.pseudonym)).all() == ["Expert B"]


BAD = {
    "malformed.yaml": ("codes:\n- name: A\n  count: [1\n", "not valid YAML at line"),
    "theme.yaml": ("codes:\n- name: A\n  themes: [Nowhere]\n", "unknown theme 'Nowhere'"),
    "negative.yaml": ("codes:\n- name: A\n- name: B\n  count: -2\n", "count -2 is not a whole"),
    "twice.yaml": ("codes:\n- name: A\n- name: a\n", "code 'a' appears twice"),
    "key.yaml": ("codes:\n- name: A\n  colour_: red\n", "unknown key(s) colour_"),
    "status.yaml": ("codes:\n- name: A\n  status: merged\n", "needs merged_into"),
    "negative.csv": ("code,count\nA,1\nB,-1\n", "count '-1' is not a whole"),
    "short.csv": ("code,theme,sub_theme\nA,,Lonely\n", "a sub_theme without its theme"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_is_one_line_error_and_changes_nothing(cli, project, small, tmp_path, name):
    codebook_files.import_codebook(project, small)
    before = _counts(project)
    text, message = BAD[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = cli("codebook", "import", path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"qualcode: error: {path}")
    assert message in lines[0]
    assert _counts(project) == before


def test_a_file_refused_half_way_through_writing_rolls_back(project, small, tmp_path):
    """'Transit' is merged in the project: a file that lists it as active is refused after the
    first codes were already written in the transaction, and nothing of it stays."""
    codebook_files.import_codebook(project, small)
    with project.session(write=False) as s:
        events_before = s.scalar(select(func.count()).select_from(Event))
    path = tmp_path / "unmerge.yaml"
    path.write_text("codes:\n- name: Brand new\n  count: 3\n- name: Transit\n", encoding="utf-8")
    from qualcode.errors import InputError

    with pytest.raises(InputError, match="merged in the project"):
        codebook_files.import_codebook(project, path)
    with project.session(write=False) as s:
        assert s.scalar(select(Code).where(Code.name == "Brand new")) is None
        assert s.scalar(select(func.count()).select_from(Event)) == events_before


def test_missing_file_and_unknown_suffix_are_refused(cli):
    assert cli("init").exit_code == 0
    result = cli("codebook", "import", "nowhere.yaml")
    assert result.exit_code == 1
    assert "nowhere.yaml: no such file" in result.stderr
    result = cli("codebook", "import", "codebook.json")
    assert result.exit_code == 1
    assert "must be .yaml, .yml, .csv or .qdc" in result.stderr


def test_codebook_commands_edit_the_project(cli, project, small):
    codebook_files.import_codebook(project, small)
    assert cli("codebook rename 'Transit country' 'Transit hub'").exit_code == 0
    assert cli("codebook theme add Routes --parent Trends").exit_code == 0
    assert cli("codebook assign 'Transit hub' Routes").exit_code == 0
    assert cli("codebook include Noise").exit_code == 0
    assert cli("codebook exclude 'Transit hub' --reason 'too broad'").exit_code == 0
    with project.session(write=False) as s:
        code = s.scalar(select(Code).where(Code.name == "Transit hub"))
        assert code.status == "excluded" and code.status_reason == "too broad"
        assert "Routes" in [link.theme.name for link in code.theme_links]
        assert s.scalar(select(Theme).where(Theme.name == "Routes")).parent.name == "Trends"
        assert s.scalar(select(Code.status).where(Code.name == "Noise")) == "active"
    assert cli("codebook include 'Transit hub'").exit_code == 0
    assert cli("codebook merge 'Transit hub' Noise").exit_code == 0
    listing = cli("codebook list --format csv")
    assert "Noise,Trends,0,merged into Transit hub,yes," in listing.stdout
    missing = cli("codebook exclude Nothing --reason x")
    assert missing.exit_code == 1
    assert "no code named 'Nothing'" in missing.stderr


def test_qdc_files_go_through_refi_qda(cli, project, small, tmp_path):
    codebook_files.import_codebook(project, small)
    out = tmp_path / "codebook.qdc"
    result = cli("codebook", "export", "--format", "qdc", "--output", out)
    assert result.exit_code == 0, result.stderr
    assert b"Transit country" in out.read_bytes()
    other = tmp_path / "other.db"
    assert cli("init", "--db", other).exit_code == 0
    assert cli("codebook", "import", out, "--db", other).exit_code == 0
    from qualcode import open_project

    with open_project(other) as again, again.session(write=False) as s:
        assert "Transit country" in s.scalars(select(Code.name)).all()


def test_a_codebook_is_not_exported_as_a_table_format_without_appendix(cli):
    assert cli("init").exit_code == 0
    result = cli("codebook", "export", "--format", "md")
    assert result.exit_code == 1
    assert "cannot export a codebook as 'md'" in result.stderr
