"""Every report narrowed by --where ATTRIBUTE=VALUE and grouped by --by ATTRIBUTE.

Cases as a thesis on migrants has them: programmers and entrepreneurs, named in English, Russian
and Kazakh; figures worked out by hand from the codings below.
"""

from __future__ import annotations

import pytest

from qualcode import codebook, lookup, reports
from qualcode.models import Participant, ParticipantAttribute
from qualcode.sources import SourceOptions, add_source
from tests.report_projects import code_all

PEOPLE = [
    # pseudonym, profession, city (Kazakh attribute name)
    ("Case 1", "programmer", "Алматы"),
    ("Случай 2", "Программист", "Астана"),
    ("Жағдай 3", "кәсіпкер", "Алматы"),
    ("Case 4", "entrepreneur", None),
]
NOTES = {
    "case1": ("Case 1", "en", "Salaries are high. Visas were slow."),
    "case2": ("Случай 2", "ru", "Зарплаты высокие. Визы долго."),
    "case3": ("Жағдай 3", "kk", "Бизнес ашу оңай. Виза қиын."),
    "case4": ("Case 4", "en", "Business is hard. Visas were quick."),
    "law": (None, "ru", "Статья 1. Визовый режим."),
}
CODINGS = [
    ("case1", "Salaries are high.", "Money", "Ann"),
    ("case1", "Visas were slow.", "Visa", "Ann"),
    ("case1", "Visas were slow.", "Money", "Ann"),
    ("case2", "Зарплаты высокие.", "Money", "Ann"),
    ("case2", "Визы долго.", "Visa", "Ann"),
    ("case3", "Бизнес ашу оңай.", "Business", "Ann"),
    ("case3", "Виза қиын.", "Visa", "Ann"),
    ("case4", "Business is hard.", "Business", "Ann"),
    ("law", "Визовый режим.", "Visa", "Ann"),
]


@pytest.fixture
def cases(project):
    with project.session() as session:
        for i, (name, profession, city) in enumerate(PEOPLE):
            attributes = [ParticipantAttribute(name="profession", value=profession)]
            if city:
                attributes.append(ParticipantAttribute(name="Қала", value=city))
            session.add(Participant(pseudonym=name, position=i, attributes=attributes))
        session.flush()
        ids = {p.pseudonym: p.id for p in session.query(Participant)}
        for title, (who, language, text) in NOTES.items():
            kind = "interview" if who else "document"
            options = SourceOptions(kind=kind, language=language)
            source = add_source(session, text, title=title, options=options)
            source.participant_id = ids.get(who)
        code_all(session, CODINGS)
        theme = codebook.create_theme(session, "Work")
        codebook.assign_code(session, lookup.get_code(session, "Money"), theme)
        codebook.assign_code(session, lookup.get_code(session, "Business"), theme)
    return project


def counts(df, label: str = "code", column: str = "count") -> dict[str, int]:
    return dict(zip(df[label], df[column], strict=True))


def where(*pairs: str) -> reports.Filters:
    return reports.Filters(where=reports.parse_where(list(pairs)))


def test_where_counts_only_the_cases_with_that_value_ignoring_case(cases):
    # "programmer" and "Программист" are two spellings; only the Latin one matches programmer
    df = reports.codes(cases, where("profession=PROGRAMMER"))
    assert counts(df) == {"Money": 2, "Visa": 1}
    df = reports.codes(cases, where("PROFESSION=программист"))
    assert counts(df) == {"Money": 1, "Visa": 1}


def test_kazakh_attribute_names_and_values_ignore_case(cases):
    df = reports.codes(cases, where("қала=АЛМАТЫ"))
    assert counts(df) == {"Money": 2, "Visa": 2, "Business": 1}


def test_values_of_one_attribute_widen_and_attributes_narrow(cases):
    widened = reports.codes(cases, where("profession=кәсіпкер", "profession=entrepreneur"))
    assert counts(widened) == {"Visa": 1, "Business": 2}
    narrowed = reports.codes(cases, where("profession=кәсіпкер", "қала=Астана"))
    assert len(narrowed) == 0


def test_none_matches_participants_without_the_attribute_and_documents(cases):
    df = reports.sources(cases, where("қала=(none)"))
    assert sorted(df["source"]) == ["case4", "law"]


def test_built_in_fields_filter_sources(cases):
    assert counts(reports.codes(cases, where("kind=document"))) == {"Visa": 1}
    assert counts(reports.codes(cases, where("language=RU"))) == {"Money": 1, "Visa": 2}
    df = reports.participants(cases, where("participant=жағдай 3"))
    assert list(df["participant"]) == ["Жағдай 3"]
    assert counts(reports.codes(cases, where("source=CASE4"))) == {"Business": 1}


def test_themes_funnel_and_quotes_take_where(cases):
    themes = reports.themes(cases, filters=where("profession=entrepreneur"))
    assert counts(themes, "theme") == {"Work": 1, reports.NO_THEME: 0, reports.TOTAL: 1}
    funnel = reports.funnel(cases, where("language=kk"))
    assert funnel["project"].iloc[0] == 2
    quotes = reports.quotes(cases, code="Visa", filters=where("қала=Алматы"))
    assert sorted(quotes["quote"]) == ["Visas were slow.", "Виза қиын."]


def test_matrix_by_attribute_makes_one_column_per_value(cases):
    df = reports.matrix(cases, by="Қала")
    assert list(df.columns) == ["code", reports.NONE_VALUE, "Алматы", "Астана"]
    assert df.set_index("code").loc["Visa"].tolist() == [1, 2, 1]
    presence = reports.matrix(cases, by="profession", presence=True)
    assert presence.set_index("code").loc["Money", "programmer"] == 1


def test_themes_by_attribute_adds_a_count_per_value(cases):
    df = reports.themes(cases, by="profession").set_index("theme")
    assert df.loc["Work", "programmer"] == 2
    assert df.loc["Work", "кәсіпкер"] == 1
    assert df.loc[reports.TOTAL, "Программист"] == 2
    assert df.loc[reports.TOTAL, "count"] == 9


def test_cooccurrence_and_quotes_by_attribute_give_sections(cases):
    co = reports.cooccurrence(cases, by="profession")
    programmers = co[co["profession"] == "programmer"].set_index("code")
    assert programmers.loc["Money", "Visa"] == 1
    entrepreneurs = co[co["profession"] == "entrepreneur"]
    assert list(entrepreneurs["code"]) == ["Business"]
    quotes = reports.quotes(cases, code="Visa", by="kind")
    assert counts(quotes, "quote", "kind") == {
        "Visas were slow.": "interview",
        "Визы долго.": "interview",
        "Виза қиын.": "interview",
        "Визовый режим.": "document",
    }


@pytest.mark.parametrize(
    "command",
    [
        "codes",
        "participants",
        "sources",
        "themes",
        "matrix",
        "cooccurrence",
        "funnel",
        "by-attribute profession",
        "quotes --code Visa",
    ],
)
def test_every_report_command_takes_where(cases, cli, command):
    result = cli(f"report {command} --where қала=алматы --format csv")
    assert result.exit_code == 0, result.stderr
    assert "Визовый режим" not in result.stdout and "Case 4" not in result.stdout


@pytest.mark.parametrize("command", ["matrix", "cooccurrence", "themes", "quotes --code Visa"])
def test_grouping_reports_take_by(cases, cli, command):
    result = cli(f"report {command} --by profession --format csv")
    assert result.exit_code == 0, result.stderr
    assert "programmer" in result.stdout


def test_unknown_attribute_is_one_line_with_the_nearest_names(cases, cli):
    result = cli("report codes --where profesion=programmer")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "no participant has an attribute 'profesion'" in result.stderr
    assert "did you mean 'profession'" in result.stderr


def test_unknown_value_suggests_the_stored_values(cases, cli):
    result = cli("report", "matrix", "--where", "қала=Алмата")
    assert result.exit_code == 1
    assert "no қала 'Алмата'" in result.stderr and "'Алматы'" in result.stderr
    result = cli("report themes --by profesion")
    assert result.exit_code == 1 and "did you mean 'profession'" in result.stderr


def test_where_without_a_value_is_refused(cases, cli):
    result = cli("report codes --where profession")
    assert result.exit_code == 1
    assert "write ATTRIBUTE=VALUE" in result.stderr
