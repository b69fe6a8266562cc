"""Anonymisation: the check lists what may identify someone (exit 1 when anything is found), and
apply --map swaps real names for pseudonyms while every coding stays on the same words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode import anonymise
from qualcode.models import Coding, Event, Segment, Source
from tests.import_fixtures import counts, one_line_error, source_texts

NOTES = (
    "Interview with Aigerim Sadykova at Dostyk str. 16, Almaty. Call +7 (701) 123-45-67 "
    "or 8 (727) 272-10-10, write to a.sadykova@mail.kz, see https://wpk.kz/team.\n\n"
    "Her IIN is 880101300123. Mr. Brown met her at Korgalzhyn hwy. 13. "
    "Респондент Иванов Иван Иванович живёт на ул. Абая 10."
)


def _import(cli, tmp_path: Path, text: str = NOTES, name: str = "expert-a") -> None:
    path = tmp_path / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    result = cli("import", path)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("mail me at a.sadykova@mail.kz today", "a.sadykova@mail.kz"),
        ("phone +7 (701) 123-45-67 please", "+7 (701) 123-45-67"),
        ("phone +77011234567 please", "+77011234567"),
        ("phone 8 (727) 272-10-10 please", "8 (727) 272-10-10"),
        ("phone 8 701 123 45 67 please", "8 701 123 45 67"),
        ("phone +49 30 1234 5678 please", "+49 30 1234 5678"),
        ("see https://wpk.kz/team.", "https://wpk.kz/team"),
        ("see www.enbek.kz, then", "www.enbek.kz"),
        ("IIN 880101300123.", "880101300123"),
        ("at Dostyk str. 16, Almaty", "Dostyk str. 16"),
        ("at Korgalzhyn hwy. 13", "Korgalzhyn hwy. 13"),
        ("at 12 Baker Street today", "12 Baker Street"),
        ("живёт на ул. Абая 10.", "ул. Абая 10"),
        ("на пр. Назарбаева 223/1 жил", "пр. Назарбаева 223/1"),
        ("Абай көшесі 5 үйде", "Абай көшесі 5"),
        ("Mr. Brown came", "Brown"),  # the title stays: "Mr. Person 1"
        ("Респондент Иванов Иван Иванович сказал", "Иванов Иван Иванович"),
        ("Говорил Петров П. П. вчера", "Петров П. П."),
        ("Нұрлан Серікұлы келді", "Нұрлан Серікұлы"),
    ],
)
def test_scan_finds_each_kind(text: str, kind: str):
    found = [text[s:e] for s, e, _ in anonymise.scan(text)]
    assert kind in found


def test_scan_kinds_are_named():
    kinds = {k for _, _, k in anonymise.scan(NOTES)}
    assert kinds == {"person", "email", "phone", "url", "iin", "address"}


def test_plain_notes_and_pseudonyms_are_clean():
    text = "Expert A said the influx had recovered in 2019. Salaries grew by 12 percent."
    assert anonymise.scan(text) == []


def test_check_lists_findings_and_exits_1(cli, project, tmp_path: Path):
    _import(cli, tmp_path)
    result = cli("anonymise", "check", "--format", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert {r["kind"] for r in rows} == {"person", "email", "phone", "url", "iin", "address"}
    first = rows[0]
    assert set(first) == {"source", "offset", "text", "kind", "replacement"}
    assert NOTES[first["offset"] : first["offset"] + len(first["text"])] == first["text"]
    assert {"source": "expert-a", "offset": NOTES.index("880101300123")} | {
        "text": "880101300123",
        "kind": "iin",
        "replacement": "[IIN]",
    } in rows


def test_names_file_finds_names_the_rules_miss(cli, project, tmp_path: Path):
    _import(cli, tmp_path, "Aigerim told me that Sadykova is her family name.", "a")
    _import(cli, tmp_path, "Nothing personal here.", "b")
    assert cli("anonymise", "check", "b").exit_code == 0
    names = tmp_path / "names.txt"
    names.write_text("# real names, never committed\nAigerim Sadykova\n", encoding="utf-8")
    result = cli("anonymise", "check", "a", "b", "--names", names, "--format", "csv")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:] == [
        "a,0,Aigerim,person,Person 1",
        "a,21,Sadykova,person,Person 2",
    ]


def test_check_exits_0_when_clean(cli, project, tmp_path: Path):
    _import(cli, tmp_path, "Expert A said the influx had recovered.")
    result = cli("anonymise", "check")
    assert result.exit_code == 0
    assert "nothing found" in result.stderr


def test_check_of_an_unknown_source_is_an_error(cli, project):
    one_line_error(cli("anonymise", "check", "nosuch"), "no source 'nosuch'")


def test_a_trained_ner_finds_person_names(project, tmp_path: Path):
    import spacy

    nlp_ = spacy.blank("en")
    ruler = nlp_.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": [{"LOWER": "bolat"}]}])
    nlp_.to_disk(tmp_path / "ner")
    text = "We met Bolat in Astana."
    found = anonymise.scan(text, model=str(tmp_path / "ner"))
    assert [(text[s:e], k) for s, e, k in found] == [("Bolat", "person")]


# --- apply --------------------------------------------------------------------------------


def _map(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "map.csv"
    path.write_text(rows, encoding="utf-8")
    return path


def test_apply_replaces_names_and_codings_keep_their_words(cli, project, tmp_path: Path):
    text = (
        "Aigerim Sadykova said the influx had recovered.\n\n"
        "Later Aigerim added that salaries grew. Brown agreed with aigerim."
    )
    _import(cli, tmp_path, text, "notes")
    assert cli("code", "notes:s2", "Salaries", "--coder", "Ann").exit_code == 0
    assert cli("code", "notes:p1", "Recovery", "--coder", "Ann").exit_code == 0
    partial = f"notes:{text.index('Sadykova')}-{text.index(' the influx')}"
    assert cli("code", partial, "Name", "--coder", "Ann").exit_code == 0
    mapping = _map(
        tmp_path, "real,pseudonym\nAigerim Sadykova,Expert A\nAigerim,Expert A\nBrown,Expert B\n"
    )
    result = cli("anonymise", "apply", "--map", mapping)
    assert result.exit_code == 0, result.stderr
    assert "4 replacements in 1 sources" in result.stdout
    expected = (
        "Expert A said the influx had recovered.\n\n"
        "Later Expert A added that salaries grew. Expert B agreed with Expert A."
    )
    assert source_texts(project) == {"notes": expected}
    with project.session(write=False) as session:
        coded = {c.code.name: c.excerpt.text for c in session.scalars(select(Coding))}
        source = session.scalar(select(Source))
        units = [source.text[s.start : s.end] for s in session.scalars(select(Segment))]
        logged = session.scalars(select(Event).where(Event.action == "anonymise.apply")).one()
        applies = session.scalars(select(Event).where(Event.action == "coding.apply")).all()
    assert coded == {
        "Salaries": "Later Expert A added that salaries grew.",
        "Recovery": "Expert A said the influx had recovered.",
        "Name": "Expert A said",
    }
    assert (
        "Expert B agreed with Expert A." in units
        and "Expert A said the influx had recovered." in units
    )
    assert logged.payload["file"] == "map.csv" and logged.payload["replacements"] == {"notes": 4}
    assert "Aigerim" not in json.dumps(logged.payload)
    for event in applies:  # undo/redo payloads follow the text too
        p = event.payload
        assert expected[p["start"] : p["end"]] in coded.values()
    names = tmp_path / "names.txt"
    names.write_text("Aigerim Sadykova\nBrown\n", encoding="utf-8")
    assert cli("anonymise", "check", "--names", names).exit_code == 0


def test_undo_after_apply_removes_the_coding_on_the_moved_words(cli, project, tmp_path: Path):
    from qualcode import events

    _import(cli, tmp_path, "Aigerim Sadykova spoke. Salaries grew.", "n")
    assert cli("code", "n:s2", "Salaries", "--coder", "Ann").exit_code == 0
    assert cli("anonymise", "apply", "--map", _map(tmp_path, "Aigerim Sadykova,A\n")).exit_code == 0
    with project.session() as session:
        events.undo(session)
        assert session.scalar(select(Coding)) is None
        events.redo(session)
        assert session.scalar(select(Coding)).excerpt.text == "Salaries grew."


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("real,pseudonym\n", "no names to replace"),
        ("Aigerim\n", "want 2 cells"),
        ("Aigerim,A\naigerim,B\n", "mapped twice"),
        ("Aigerim,Bolat\nBolat,C\n", "also a real name"),
    ],
)
def test_a_bad_map_changes_nothing(cli, project, tmp_path: Path, rows: str, message: str):
    _import(cli, tmp_path, "Aigerim and Bolat spoke.", "n")
    before = counts(project), source_texts(project)
    one_line_error(cli("anonymise", "apply", "--map", _map(tmp_path, rows)), "map.csv", message)
    assert (counts(project), source_texts(project)) == before


def test_offset_map_moves_boundaries_inside_a_name_to_its_edges():
    new, offsets, n = anonymise.replace_names("ab Aigerim cd", {"aigerim": "X"})
    assert (new, n) == ("ab X cd", 1)
    assert [offsets.start(p) for p in (0, 3, 5, 10, 13)] == [0, 3, 3, 4, 7]
    assert [offsets.end(p) for p in (2, 5, 10, 13)] == [2, 4, 4, 7]
