"""The review file: `check --format csv` suggests replacements, `apply --map` applies the edited
file, `apply --found` does both; unused and bad rows change nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode.models import Coding, Event
from tests.import_fixtures import counts, one_line_error, source_texts

ARTICLE = (
    "Corresponding Author: Nurlan Baigabylov, e-mail: delovarova@mail.ru, "
    "orcid.org/0000-0002-1168-3842. Tel. +7 (727) 255-14-03.\n\n"
    "The programmer Andrey said the salaries in Omsk were higher. Baigabylov N. agreed.\n\n"
    "Респондент Айгерім деді: жұмыс көп. Burakanova¹ wrote the report at 2 Satpayev Str. later."
)


def _import(cli, tmp_path: Path, text: str = ARTICLE, name: str = "article") -> None:
    path = tmp_path / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    assert cli("import", path).exit_code == 0


def _review(cli, tmp_path: Path, *extra: str) -> list[dict[str, str]]:
    out = tmp_path / "review.csv"
    result = cli("anonymise", "check", "--format", "csv", "--output", out, *extra)
    assert result.exit_code == 1, result.stderr
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))


def _write(tmp_path: Path, rows: list[dict[str, str]], name: str = "review.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["source", "offset", "text", "kind", "replacement"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_review_file_suggests_consistent_replacements(cli, project, tmp_path: Path):
    _import(cli, tmp_path)
    rows = _review(cli, tmp_path, "--names", _names(tmp_path, "Burakanova"))
    suggested = {r["text"]: (r["kind"], r["replacement"]) for r in rows}
    assert suggested["Nurlan Baigabylov"] == ("person", "Person 1")
    assert suggested["Baigabylov N."] == ("person", "Person 1")  # the same person
    assert suggested["Andrey"][1] not in ("Person 1", "")
    assert suggested["delovarova@mail.ru"] == ("email", "[e-mail]")  # whole, not "Delovarova"
    assert suggested["orcid.org/0000-0002-1168-3842"] == ("orcid", "[ORCID]")
    assert suggested["'+7 (727) 255-14-03"] == ("phone", "[phone]")  # no formula for Excel
    assert suggested["2 Satpayev Str."] == ("address", "[address]")
    assert suggested["Burakanova"][0] == "person" and suggested["Айгерім"][0] == "person"
    for row in rows:
        text = row["text"].removeprefix("'")
        assert ARTICLE[int(row["offset"]) : int(row["offset"]) + len(text)] == text


def _names(tmp_path: Path, *names: str) -> Path:
    path = tmp_path / "names.txt"
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    return path


def test_edited_review_file_applies_and_codings_keep_their_words(cli, project, tmp_path: Path):
    _import(cli, tmp_path)
    paragraph_2 = "The programmer Andrey said the salaries in Omsk were higher."
    start = ARTICLE.index("salaries")
    p2 = ARTICLE.index(paragraph_2)
    assert (
        cli("code", f"article:{p2}-{p2 + len(paragraph_2)}", "Salaries", "--coder", "Ann").exit_code
        == 0
    )
    assert cli("code", f"article:{start}-{start + 30}", "Omsk", "--coder", "Ann").exit_code == 0
    kazakh = ARTICLE.index("жұмыс көп")
    assert cli("code", f"article:{kazakh}-{kazakh + 9}", "Жұмыс", "--coder", "Ann").exit_code == 0
    with project.session(write=False) as session:
        before = {c.code.name: c.excerpt.text for c in session.scalars(select(Coding))}
    assert before["Salaries"] == paragraph_2
    rows = _review(cli, tmp_path)
    for row in rows:  # the researcher edits one suggestion and ignores (deletes) another
        if row["text"] == "Andrey":
            row["replacement"] = "Engineer B"
    rows = [r for r in rows if r["kind"] != "address"]
    result = cli("anonymise", "apply", "--map", _write(tmp_path, rows))
    assert result.exit_code == 0, result.stderr
    text = source_texts(project)["article"]
    assert "Corresponding Author: Person 1, e-mail: [e-mail], [ORCID]. Tel. [phone]." in text
    assert (
        "The programmer Engineer B said the salaries in Omsk were higher. Person 1 agreed." in text
    )
    assert "2 Satpayev Str." in text  # the deleted row: kept as it was
    for real in ("Baigabylov", "delovarova", "0000-0002", "255-14-03", "Andrey", "Айгерім"):
        assert real not in text
    with project.session(write=False) as session:
        after = {c.code.name: c.excerpt.text for c in session.scalars(select(Coding))}
        logged = session.scalars(select(Event).where(Event.action == "anonymise.apply")).one()
    assert after == {
        "Salaries": "The programmer Engineer B said the salaries in Omsk were higher.",
        "Omsk": before["Omsk"],
        "Жұмыс": "жұмыс көп",
    }
    assert logged.payload["file"] == "review.csv" and "Andrey" not in str(logged.payload)
    # applying the same review file again: every row is stale now, nothing changes
    again = cli("anonymise", "apply", "--map", _write(tmp_path, rows))
    one_line_error(again, "review.csv", "map rows replaced nothing", "nothing changed")
    assert source_texts(project)["article"] == text


def test_apply_found_checks_and_replaces_at_once(cli, project, tmp_path: Path):
    _import(cli, tmp_path)
    _import(cli, tmp_path, "Later Nurlan Baigabylov wrote to Andrey again.", "letter")
    result = cli("anonymise", "apply", "--found", "--names", _names(tmp_path, "Burakanova"))
    assert result.exit_code == 0, result.stderr
    texts = source_texts(project)
    assert texts["letter"] == "Later Person 1 wrote to Person 2 again."  # same people, same names
    assert texts["article"].startswith("Corresponding Author: Person 1, e-mail: [e-mail]")
    assert "Person 4¹ wrote the report at [address] later." in texts["article"]
    names = _names(tmp_path, "Burakanova", "Nurlan Baigabylov", "Andrey")
    assert cli("anonymise", "check", "--names", names).exit_code == 0  # clean now


def test_footnote_marks_do_not_block_a_map_row_and_emails_stay_whole(cli, project, tmp_path):
    _import(cli, tmp_path, "Burakanova¹ and Delovarova L.F.; delovarova@mail.ru; Issina³.", "a")
    path = tmp_path / "map.csv"
    path.write_text(
        "real,pseudonym\nBurakanova,Author A\nDelovarova,Author E\nIssina,Author I\n",
        encoding="utf-8",
    )
    result = cli("anonymise", "apply", "--map", path)
    assert result.exit_code == 0, result.stderr
    assert source_texts(project)["a"] == (
        "Author A¹ and Author E L.F.; delovarova@mail.ru; Author I³."
    )


def test_unused_rows_are_listed_and_change_nothing_unless_allowed(cli, project, tmp_path):
    _import(cli, tmp_path, "Aigerim Sadykova met Bolat.", "a")
    path = tmp_path / "map.csv"
    path.write_text("Aigerim Sadykova,Person 1\nYerlan,Person 2\nBolat,Person 3\n", "utf-8")
    before = counts(project), source_texts(project)
    one_line_error(
        cli("anonymise", "apply", "--map", path),
        "map.csv",
        "1 map rows replaced nothing",
        "row 2 'Yerlan'",
        "--allow-unused",
    )
    assert (counts(project), source_texts(project)) == before
    result = cli("anonymise", "apply", "--map", path, "--allow-unused")
    assert result.exit_code == 0
    assert "warning: map row 2 'Yerlan' replaced nothing" in result.stderr
    assert source_texts(project)["a"] == "Person 1 met Person 3."


def test_a_map_that_replaces_nothing_at_all_is_an_error_even_when_unused_rows_are_allowed(
    cli, project, tmp_path
):
    _import(cli, tmp_path, "Айгерім Садықова Боламен кездесті.", "a")
    path = tmp_path / "map.csv"
    path.write_text("real,pseudonym\nЕрлан,Person 2\nYerlan,Person 3\n", "utf-8")
    before = counts(project), source_texts(project)
    one_line_error(
        cli("anonymise", "apply", "--map", path, "--allow-unused"),
        "map.csv: none of its 2 map rows replaced anything",
    )
    assert (counts(project), source_texts(project)) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "source,offset,text,kind,replacement\na,0,Aigerim,person,P1\na,0,Aigerim,person,P2\n",
            "row 3, column offset: is the same place as row 2",
        ),
        (
            "source,offset,text,kind,replacement\na,0,Aigerim Sadykova,person,P1\n"
            "a,8,Sadykova,person,P2\n",
            "row 3, column offset: overlaps row 2",
        ),
        ("source,offset,text,kind,replacement\na,0,Aigerim,person,\n", "row 2, column replacement"),
        ("source,offset,text,kind,replacement\na,x,Aigerim,person,P\n", "row 2, column offset"),
        ("source,offset,text,kind,replacement\nb,0,Aigerim,person,P\n", "row 2, column source"),
        ('real,pseudonym\nAigerim,"P1\nBolat,P2\n', "malformed CSV"),
        ("source,offset,text,kind,replacement\na,0,Aigerim,person\n", "row 2: want 5 cells"),
        ("text,kind\nAigerim,person\n", "row 1: want a 'text' and a 'replacement' column"),
    ],
)
def test_a_bad_review_file_changes_nothing(cli, project, tmp_path: Path, content, message):
    _import(cli, tmp_path, "Aigerim Sadykova met Bolat.", "a")
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    before = counts(project), source_texts(project)
    one_line_error(cli("anonymise", "apply", "--map", path), "bad.csv", message)
    assert (counts(project), source_texts(project)) == before


def test_apply_needs_a_map_or_found(cli, project):
    one_line_error(cli("anonymise", "apply"), "give either --map FILE or --found")


def test_names_the_project_knows_and_names_found_in_other_sources(cli, project, tmp_path):
    people = tmp_path / "participants.csv"
    people.write_text("pseudonym,organisation,real name\nExpert A,NGO,Kuat Zhomartov\n", "utf-8")
    assert cli("participants", "import", people).exit_code == 0
    # "kuat" in lower case: no rule finds it, the participant's attribute does
    _import(cli, tmp_path, "We met kuat in the office; Zhomartov was late.", "one")
    _import(cli, tmp_path, "The welder Daniyar came in 2015.", "two")
    _import(cli, tmp_path, "Later Daniyar wrote to us.", "three")  # no cue: known from "two"
    rows = _review(cli, tmp_path)
    found = {(r["source"], r["text"]) for r in rows}
    assert {
        ("one", "kuat"),
        ("one", "Zhomartov"),
        ("two", "Daniyar"),
        ("three", "Daniyar"),
    } <= found
    by_text = {(r["source"], r["text"]): r["replacement"] for r in rows}
    assert by_text["two", "Daniyar"] == by_text["three", "Daniyar"]  # one person, one pseudonym
