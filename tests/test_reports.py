"""Reports on a small hand-built project, on SQLite and PostgreSQL, with the figures worked out by
hand from tests/report_projects.py:

codings (after Old was excluded and Dup merged into Visa):
  A notes: Ann Labour e1, Ann War e2, Ann Visa e3, Bob Labour e1, Bob War e1
  B notes: Ann Labour e4, Ann Visa e5, Ann Old e6 (excluded), Bob Visa e4 (was Dup)
  C notes: Bob War e7, Bob Loose e8, Ann Labour e10 (the whole text, overlapping e7 and e8)
  Law (a document, no participant): Ann Visa e9
themes: Trends (Labour) > Reasons (War); Policy (Visa, Old, Dup); Loose in no theme.
"""

from __future__ import annotations

import json

import pytest

from qualcode import codebook, lookup, reports
from qualcode.reports import Filters
from tests.report_projects import build_report_project


@pytest.fixture
def built(project):
    build_report_project(project)
    return project


def records(df):
    return [tuple(r) for r in df.itertuples(index=False)]


def test_themes_roll_sub_themes_up_and_leave_out_excluded_and_merged_codes(built):
    # Trends: Labour (e1 Ann, e1 Bob, e4, e10 = 4) + War (e2, e1 Bob, e7 = 3) = 7, by A, B, C.
    # Policy: Visa only (Old excluded, Dup merged): e3, e5, e4 (moved from Dup), e9 = 4; the
    # document has no participant, so A and B = 2.  Total: 4 active codes, 12 codings.
    assert records(reports.themes(built)) == [
        ("Trends", "", 2, 7, 3),
        ("Reasons", "Trends", 1, 3, 2),
        ("Policy", "", 1, 4, 2),
        ("(no theme)", "", 1, 1, 1),
        ("Total", "", 4, 12, 3),
    ]


def test_themes_with_reported_counts_sum_the_printed_tallies(built):
    # Labour 5 + War 3 = 8; Visa 7 (Old's 2 excluded, Dup's 1 merged); Loose has no tally.
    # Participants: those quoted as the codes' examples (Labour: A, War: C, Visa: B).
    assert records(reports.themes(built, "reported")) == [
        ("Trends", "", 2, 8, 2),
        ("Reasons", "Trends", 1, 3, 1),
        ("Policy", "", 1, 7, 1),
        ("(no theme)", "", 1, 0, 0),
        ("Total", "", 4, 15, 3),
    ]


def test_report_themes_csv_has_the_documented_columns(built, cli):
    result = cli("report", "themes", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "theme,parent,codes,count,participants",
        "Trends,,2,7,3",
        "Reasons,Trends,1,3,2",
    ]
    assert result.stdout.splitlines()[-1] == "Total,,4,12,3"


def test_themes_filtered_to_a_theme_keep_its_sub_themes(built):
    assert records(reports.themes(built, filters=Filters(themes=("trends",)))) == [
        ("Trends", "", 2, 7, 3),
        ("Reasons", "Trends", 1, 3, 2),
        ("Total", "", 2, 7, 3),
    ]


def test_a_code_in_two_themes_counts_once_in_each_parent_and_in_the_total(built):
    # Labour also in Reasons (its own theme's sub-theme), War also in Policy: Trends and
    # Reasons both hold Labour (4 codings: A, B, C) and War (3: A, C) = 7, not 11 in Trends;
    # Policy holds Visa (4) and War (3) = 7 by A, B, C; the Total still has 12 codings.
    with built.session() as session:
        get = lambda name: lookup.get_code(session, name)  # noqa: E731
        codebook.assign_code(session, get("Labour"), lookup.get_theme(session, "Reasons"))
        codebook.assign_code(session, get("War"), lookup.get_theme(session, "Policy"))
    assert records(reports.themes(built)) == [
        ("Trends", "", 2, 7, 3),
        ("Reasons", "Trends", 2, 7, 3),
        ("Policy", "", 2, 7, 3),
        ("(no theme)", "", 1, 1, 1),
        ("Total", "", 4, 12, 3),
    ]
    # reported: Labour 5 (A) + War 3 (C) = 8; Visa 7 (B) + War 3 = 10; Loose has no tally
    assert records(reports.themes(built, "reported")) == [
        ("Trends", "", 2, 8, 2),
        ("Reasons", "Trends", 2, 8, 2),
        ("Policy", "", 2, 10, 2),
        ("(no theme)", "", 1, 0, 0),
        ("Total", "", 4, 15, 3),
    ]
    assert records(reports.themes(built, filters=Filters(themes=("policy",)))) == [
        ("Policy", "", 2, 7, 3),
        ("Total", "", 2, 7, 3),
    ]
    # Bob: Labour e1, War e1 and e7, Visa e4 (moved from Dup), Loose e8
    assert records(reports.themes(built, filters=Filters(coders=("bob",)))) == [
        ("Trends", "", 2, 3, 2),
        ("Reasons", "Trends", 2, 3, 2),
        ("Policy", "", 2, 3, 3),
        ("(no theme)", "", 1, 1, 1),
        ("Total", "", 4, 5, 3),
    ]


def test_themes_filtered_by_participant_and_coder(built, cli):
    # Bob on Expert A's notes: Labour e1 and War e1.
    result = cli("report themes --participants 'Expert A' --coders bob --format csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "theme,parent,codes,count,participants",
        "Trends,,2,2,1",
        "Reasons,Trends,1,1,1",
        "Policy,,1,0,0",
        "(no theme),,1,0,0",
        "Total,,4,2,1",
    ]


def test_reported_counts_refuse_coding_filters(built, cli):
    result = cli("report themes --counts reported --coders Ann")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "--counts reported" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        ("--participants 'Expert Z'", "no participant 'Expert Z'"),
        ("--coders Zoe", "no coder named 'Zoe'"),
        ("--themes Trnds", "no theme named 'Trnds' (did you mean 'Trends'"),
        ("--kind novel", "unknown source kind 'novel'"),
        ("--counts guessed", "--counts must be observed or reported"),
    ],
)
def test_a_filter_naming_nothing_is_a_one_line_error(built, cli, args, message):
    result = cli(f"report themes {args}")
    assert result.exit_code == 1
    assert result.stderr.startswith("qualcode: error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_codes_report_names_participants_the_thesis_way(built):
    df = reports.codes(built)
    assert records(df) == [
        ("Labour", "Trends", 4, "A,B,C", "active"),
        ("War", "Reasons", 3, "A,C", "active"),
        ("Visa", "Policy", 4, "A,B", "active"),
        ("Old", "Policy", 1, "Expert B", "excluded"),
        ("Loose", "", 1, "Expert C", "active"),
    ]


def test_participants_report_counts_codings_and_codes(built):
    assert records(reports.participants(built)) == [
        ("Expert A", 1, 5, 3),
        ("Expert B", 1, 3, 2),  # Old's coding is left out: the code is excluded
        ("Expert C", 1, 3, 3),
        ("(no participant)", 1, 1, 1),
    ]
    narrowed = reports.participants(built, Filters(kinds=("document",)))
    assert records(narrowed) == [
        ("Expert A", 0, 0, 0),
        ("Expert B", 0, 0, 0),
        ("Expert C", 0, 0, 0),
        ("(no participant)", 1, 1, 1),
    ]


def test_sources_report_counts_per_source(built, cli):
    assert records(reports.sources(built)) == [
        ("A notes", "interview", "Expert A", 3, 5, 3),
        ("B notes", "interview", "Expert B", 2, 3, 2),
        ("C notes", "interview", "Expert C", 3, 3, 3),
        ("Law", "document", "", 1, 1, 1),
    ]
    result = cli("report sources --kind document --format json")
    assert json.loads(result.stdout) == [
        {
            "source": "Law",
            "kind": "document",
            "participant": "",
            "excerpts": 1,
            "codings": 1,
            "codes": 1,
        }
    ]


def test_matrix_counts_and_presence(built):
    df = reports.matrix(built)
    assert list(df.columns) == ["code", "Expert A", "Expert B", "Expert C", "(no participant)"]
    assert records(df) == [
        ("Labour", 2, 1, 1, 0),
        ("War", 2, 0, 1, 0),
        ("Visa", 1, 2, 0, 1),
        ("Loose", 0, 0, 1, 0),
    ]
    assert records(reports.matrix(built, presence=True)) == [
        ("Labour", 1, 1, 1, 0),
        ("War", 1, 0, 1, 0),
        ("Visa", 1, 1, 0, 1),
        ("Loose", 0, 0, 1, 0),
    ]


def test_matrix_narrowed_to_a_coder_keeps_only_what_they_coded(built, cli):
    result = cli("report matrix --coders Bob --presence --format csv")
    assert result.stdout.splitlines() == [
        "code,Expert A,Expert B,Expert C",
        "Labour,1,0,0",
        "War,1,0,1",
        "Visa,0,1,0",
        "Loose,0,0,1",
    ]


def test_cooccurrence_counts_same_and_overlapping_excerpts(built):
    # Labour-War: e1 carries both (1), and e10 (Labour) overlaps e7 (War) (1) = 2.
    # Labour-Visa: e4 carries both (Ann Labour, Bob's Dup now Visa) = 1.
    # Labour-Loose: e10 overlaps e8 = 1.  Visa's e3 does not touch e1/e2: sentences differ.
    df = reports.cooccurrence(built)
    assert list(df.columns) == ["code", "Labour", "War", "Visa", "Loose"]
    cells = df.set_index("code")
    assert cells.loc["Labour", "War"] == cells.loc["War", "Labour"] == 2
    assert cells.loc["Labour", "Visa"] == 1
    assert cells.loc["Labour", "Loose"] == 1
    assert cells.loc["War", "Visa"] == cells.loc["War", "Loose"] == cells.loc["Visa", "Loose"] == 0
    assert cells.isna().sum().sum() == 4  # the diagonal is left empty


def test_funnel_accounts_for_merged_and_excluded_codes_beside_the_thesis(built, cli):
    df = reports.funnel(built).set_index("stage")
    assert df.loc["code applications (codings)", "project"] == 13
    assert df.loc["code applications (codings)", "thesis"] == 556
    assert df.loc["code applications (sum of reported counts)", "project"] == 15
    assert df.loc["codes created", "project"] == 6
    assert df.loc["unique codes (not merged)", ["project", "thesis"]].tolist() == [5, 226]
    assert df.loc["codes used (active)", ["project", "thesis"]].tolist() == [4, 197]
    assert "1 of them on excluded codes" in df.loc["code applications (codings)", "note"]
    assert (
        "the printed tallies of 3 of the 4 active codes"
        in df.loc["code applications (sum of reported counts)", "note"]
    )
    assert "556 code applications" in df.loc["note", "note"]
    assert "226 unique codes" in df.loc["note", "note"]
    result = cli("report funnel --format md")
    assert result.exit_code == 0
    assert "| unique codes (not merged)" in result.stdout and "226" in result.stdout


def test_funnel_without_reported_counts_has_no_tally_row(project):
    from tests.report_projects import add_people_and_notes, code_all

    with project.session() as session:
        add_people_and_notes(session)
        code_all(session, [("A notes", "Labour is short.", "Labour", "Ann")])
    stages = list(reports.funnel(project)["stage"])
    assert "code applications (sum of reported counts)" not in stages


def test_crosstab_by_a_free_attribute_and_a_built_in_field(built, cli):
    df = reports.by_attribute(built, "Profession")
    assert list(df.columns) == ["code", "(none)", "economist", "lawyer"]
    assert records(df) == [
        ("Labour", 0, 1, 3),
        ("War", 0, 1, 2),
        ("Visa", 1, 0, 3),
        ("Loose", 0, 1, 0),
    ]
    result = cli("report by-attribute organisation --presence --format csv")
    assert result.stdout.splitlines() == [
        "code,(none),Government,NGO",
        "Labour,0,1,2",
        "War,0,0,2",
        "Visa,0,1,1",
        "Loose,0,0,1",
    ]


def test_crosstab_of_an_unknown_attribute_is_an_error(built, cli):
    result = cli("report by-attribute shoe-size")
    assert result.exit_code == 1
    assert "no participant has an attribute 'shoe-size'" in result.stderr


def test_quotes_of_a_code_are_ready_to_paste(built, cli):
    df = reports.quotes(built, code="visa")
    assert list(df["cite"]) == [
        "Expert A: 'Visas are easier now.'",
        "Expert B: 'Salaries are low.'",  # coded Dup by Bob, merged into Visa
        "Expert B: 'Visas take long.'",
        "Law: 'Visa regime.'",
    ]
    result = cli("report quotes --theme Trends --participants 'Expert C' --format csv")
    lines = result.stdout.splitlines()
    assert lines[0] == "code,participant,source,excerpt,quote,cite"
    assert len(lines) == 3  # Labour's e10 and War's e7; sub-theme Reasons included
    assert lines[2].endswith("Expert C: 'The war changed everything.'")


def test_quotes_need_a_known_code_or_theme(built, cli):
    assert "quotes need either a code or a theme" in cli("report quotes").stderr
    result = cli("report quotes --code Labor")
    assert result.exit_code == 1
    assert "no code named 'Labor' (did you mean 'Labour'" in result.stderr


def test_themes_export_to_every_file_format(built, cli, tmp_path):
    import docx
    import openpyxl

    xlsx, word = tmp_path / "themes.xlsx", tmp_path / "themes.docx"
    assert cli("report", "themes", "--format", "xlsx", "--output", xlsx).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("theme", "parent", "codes", "count", "participants")
    assert rows[-1] == ("Total", None, 4, 12, 3)  # an empty cell reads back as None
    assert cli("report", "themes", "--format", "docx", "--output", word).exit_code == 0
    table = docx.Document(word).tables[0]
    assert [c.text for c in table.rows[1].cells] == ["Trends", "", "2", "7", "3"]
    tex = cli("report themes --format tex").stdout
    assert "\\begin{longtable}" in tex and "(no theme)" in tex
    rows = json.loads(cli("report themes --format json").stdout)
    assert rows[-1] == {"theme": "Total", "parent": "", "codes": 4, "count": 12, "participants": 3}
    md = cli("report themes --format md").stdout
    assert md.splitlines()[2].startswith("| Trends")


def test_empty_project_reports_are_empty_not_errors(project, cli):
    assert records(reports.themes(project)) == [("Total", "", 0, 0, 0)]
    for name in ("codes", "participants", "sources", "matrix", "cooccurrence", "funnel"):
        result = cli("report", name, "--format", "csv")
        assert result.exit_code == 0, (name, result.stderr)
    assert len(reports.cooccurrence(project)) == 0


def test_reports_read_without_changing_the_project(built):
    from sqlalchemy import func, select

    from qualcode.models import Coding, Event

    with built.session(write=False) as s:
        before = (s.scalar(select(func.count(Coding.id))), s.scalar(select(func.count(Event.id))))
    reports.themes(built)
    reports.funnel(built)
    with built.session(write=False) as s:
        after = (s.scalar(select(func.count(Coding.id))), s.scalar(select(func.count(Event.id))))
    assert before == after
