"""`qualcode sources list | show | edit`: what a researcher needs to pick and fix sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode import events
from qualcode.models import Participant, Source

NOTES = {
    "case1.txt": "I am a programmer. Visas were slow.\n\nWe opened a shop. It was hard.",
    "интервью.txt": "Я программист. Визы долго.\n\nМы открыли магазин.",
    "сұхбат.txt": "Мен кәсіпкермін. Виза қиын болды.",
}


@pytest.fixture
def cases(cli, project, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("pseudonym\nCase 1\nЖағдай Ә\n", encoding="utf-8")
    assert cli("participants", "import", people).exit_code == 0
    for name, text in NOTES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert cli("import", tmp_path / name).exit_code == 0


def test_sources_list_gives_ids_titles_and_units(cli, cases):
    result = cli("sources list --format json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["id"], r["title"], r["paragraphs"], r["codings"]) for r in rows] == [
        (1, "case1", 2, 0),
        (2, "интервью", 2, 0),
        (3, "сұхбат", 1, 0),
    ]
    assert rows[0]["sentences"] == 4


def test_show_numbers_paragraphs_by_default(cli, cases):
    result = cli("sources show case1 --format csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "address,start,end,text",
        "p1,0,35,I am a programmer. Visas were slow.",
        "p2,37,67,We opened a shop. It was hard.",
    ]


def test_show_sentences_gives_both_addresses(cli, cases):
    result = cli("sources show интервью --sentences --format csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "address,in paragraph,start,end,text",
        "s1,p1.s1,0,14,Я программист.",
        "s2,p1.s2,15,26,Визы долго.",
        "s3,p2.s1,28,47,Мы открыли магазин.",
    ]


def test_an_address_shown_is_one_code_takes(cli, project, cases):
    shown = cli("sources show 3 --sentences --format json")
    address = json.loads(shown.stdout)[1]["address"]
    result = cli("code", f"3:{address}", "Виза", "--coder", "Ann")
    assert result.exit_code == 0, result.stderr
    assert "[17-33]" in result.stdout


def test_show_turns_of_a_source_without_turns_is_an_error(cli, cases):
    result = cli("sources show case1 --turns")
    assert result.exit_code == 1
    assert "has no speaker turns" in result.stderr


def test_show_of_an_unknown_source_suggests_names(cli, cases):
    result = cli("sources show cse1")
    assert result.exit_code == 1
    assert "no source 'cse1' (did you mean 'case1'" in result.stderr


def test_edit_changes_title_participant_kind_language_and_undo_restores(cli, project, cases):
    result = cli("sources", "edit", "2", "--title", "Случай 2", "--participant", "Case 1",
                 "--kind", "document", "--language", "kk")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "changed title, participant, kind, language" in result.stdout
    with project.session(write=False) as session:
        source = session.get(Source, 2)
        assert (source.title, source.kind, source.language) == ("Случай 2", "document", "kk")
        assert source.participant.pseudonym == "Case 1"
    with project.session() as session:
        assert events.undo(session).action == "source.edit"
    with project.session(write=False) as session:
        source = session.get(Source, 2)
        assert (source.title, source.participant_id, source.kind, source.language) == (
            "интервью",
            None,
            "interview",
            "ru",  # detected at import from the Russian text
        )
    with project.session() as session:
        events.redo(session)
    with project.session(write=False) as session:
        assert session.get(Source, 2).title == "Случай 2"


def test_edit_to_a_kazakh_participant_and_back_to_none(cli, project, cases):
    with project.session(write=False) as session:
        pid = session.scalar(select(Participant.id).where(Participant.pseudonym == "Жағдай Ә"))
    assert cli("sources", "edit", "сұхбат", "--participant", "жағдай ә").exit_code == 0
    with project.session(write=False) as session:
        assert session.get(Source, 3).participant_id == pid
    assert cli("sources", "edit", "сұхбат", "--participant", "").exit_code == 0
    with project.session(write=False) as session:
        assert session.get(Source, 3).participant_id is None


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--title", "CASE1"], "--title: a source titled 'case1' exists already"),
        (["--kind", "memo"], "--kind: 'memo' is not a kind"),
        (["--participant", "Case 9"], "no participant 'Case 9' (did you mean 'Case 1'"),
        ([], "give --title, --participant, --kind or --language"),
    ],
)
def test_a_bad_edit_changes_nothing(cli, project, cases, args, problem):
    result = cli("sources", "edit", "интервью", *args)
    assert result.exit_code == 1
    assert problem in result.stderr
    with project.session(write=False) as session:
        source = session.get(Source, 2)
        assert (source.title, source.kind, source.participant_id) == ("интервью", "interview", None)


def test_the_in_paragraph_address_shown_is_one_code_takes(cli, project, cases):
    shown = cli("sources show интервью --sentences --format json")
    row = json.loads(shown.stdout)[2]
    assert row["in paragraph"] == "p2.s1"
    result = cli("code", f"интервью:{row['in paragraph']}", "Бизнес", "--coder", "Ann")
    assert result.exit_code == 0, result.stderr
    assert f"[{row['start']}-{row['end']}]" in result.stdout
