"""`qualcode import --from sources.csv`: a folder of cases in one command, all or nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.models import Event, Participant, ParticipantAttribute, Segment, Source

CASES = {
    "case1.txt": "I am a programmer. Visas were slow.\n\nWe opened a shop.",
    "случай2.txt": "Я программист. Визы долго.\n\nМы открыли магазин.",
    "жағдай3.md": "Мен кәсіпкермін. Виза қиын болды.",
}
HEADER = ["file", "title", "participant", "kind", "language", "profession", "қала"]
ROWS = [
    ["cases/case1.txt", "Case one", "Case 1", "interview", "en", "programmer", "Алматы"],
    ["cases/случай2.txt", "", "Случай 2", "", "ru", "Программист", "Астана"],
    ["cases/жағдай3.md", "Жағдай үш", "Жағдай 3", "interview", "kk", "кәсіпкер", ""],
]


def write_manifest(folder: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    (folder / "cases").mkdir(exist_ok=True)
    for name, text in CASES.items():
        (folder / "cases" / name).write_text(text, encoding="utf-8")
    path = folder / "sources.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def counts(project) -> dict[str, int]:
    with project.session(write=False) as session:
        return {
            m.__name__: session.scalar(select(func.count()).select_from(m))
            for m in (Source, Participant, ParticipantAttribute, Segment, Event)
        }


def test_a_manifest_imports_every_case_with_its_participant_and_attributes(cli, project, tmp_path):
    manifest = write_manifest(tmp_path, ROWS)
    result = cli("import", "--from", manifest)
    assert result.exit_code == 0, result.stderr
    assert f"{manifest}: 3 sources imported" in result.stdout
    assert "cases/жағдай3.md: imported as source #3" in result.stdout
    with project.session(write=False) as session:
        rows = session.execute(
            select(Source.title, Source.kind, Source.language, Participant.pseudonym)
            .join(Participant, Participant.id == Source.participant_id)
            .order_by(Source.id)
        ).all()
        attributes = {
            (p, a.name): a.value
            for p, a in session.execute(
                select(Participant.pseudonym, ParticipantAttribute).join(
                    ParticipantAttribute.participant
                )
            ).all()
        }
    assert [tuple(r) for r in rows] == [
        ("Case one", "interview", "en", "Case 1"),
        ("случай2", "interview", "ru", "Случай 2"),
        ("Жағдай үш", "interview", "kk", "Жағдай 3"),
    ]
    assert attributes == {
        ("Case 1", "profession"): "programmer",
        ("Case 1", "қала"): "Алматы",
        ("Случай 2", "profession"): "Программист",
        ("Случай 2", "қала"): "Астана",
        ("Жағдай 3", "profession"): "кәсіпкер",
    }
    crosstab = cli("report by-attribute қала --format csv")
    assert crosstab.exit_code == 0
    assert counts(project)["Segment"] > 6


def test_a_manifest_updates_a_known_participant_instead_of_adding_one(cli, project, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("pseudonym,organisation\nCase 1,NGO\n", encoding="utf-8")
    assert cli("participants", "import", people).exit_code == 0
    manifest = write_manifest(tmp_path, ROWS[:1])
    assert cli("import", "--from", manifest).exit_code == 0
    with project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == 1
        person = session.scalar(select(Participant))
        assert person.organisation == "NGO"
        assert {a.name: a.value for a in person.attributes}["profession"] == "programmer"


BAD = [
    (
        [["cases/missing.txt", "", "Case 1", "", "en", "", ""]],
        HEADER,
        "row 2, column file: cases/missing.txt: no such file",
    ),
    (
        [ROWS[0], ["cases/случай2.txt", "CASE ONE", "Случай 2", "", "ru", "", ""]],
        HEADER,
        "row 3, column title: the title 'CASE ONE' is used by row 2 too",
    ),
    (
        [ROWS[0], ["cases/случай2.txt", "", "", "", "ru", "Программист", ""]],
        HEADER,
        "row 3, column profession: a participant column, but this row names no participant",
    ),
    (
        [["cases/case1.txt", "Case 1", "", "", ""]],
        ["file", "title", "participant", "", "language"],
        "row 1: column 4 has no name",
    ),
    (
        [ROWS[0], ["cases/случай2.txt", "", "Случай 2", "memo", "ru", "", ""]],
        HEADER,
        "row 3, column kind: 'memo' is not a kind",
    ),
    (
        [["", "Case 1", "", "", ""]],
        ["title", "participant", "kind", "language", "x"],
        "row 1: no column 'file'",
    ),
]


@pytest.mark.parametrize(("rows", "header", "problem"), BAD)
def test_a_bad_manifest_is_one_line_naming_file_and_row_and_imports_nothing(
    cli, project, tmp_path, rows, header, problem
):
    manifest = write_manifest(tmp_path, rows, header)
    before = counts(project)
    result = cli("import", "--from", manifest)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"qualcode: error: {manifest}: {problem}" + result.stderr.split(problem, 1)[1]
    )
    assert result.stderr.count("\n") == 1
    assert counts(project) == before


def test_a_title_the_project_has_already_stops_the_whole_manifest(cli, project, tmp_path):
    (tmp_path / "old.txt").write_text("Already here.", encoding="utf-8")
    assert cli("import", tmp_path / "old.txt", "--title", "СЛУЧАЙ2").exit_code == 0
    manifest = write_manifest(tmp_path, ROWS)
    before = counts(project)
    result = cli("import", "--from", manifest)
    assert result.exit_code == 1
    assert "row 3, column title: a source titled 'СЛУЧАЙ2' exists already" in result.stderr
    assert counts(project) == before


def test_an_unreadable_file_names_its_row_and_nothing_is_imported(cli, project, tmp_path):
    manifest = write_manifest(tmp_path, ROWS)
    (tmp_path / "cases" / "жағдай3.md").write_bytes(b"")
    before = counts(project)
    result = cli("import", "--from", manifest)
    assert result.exit_code == 1
    assert f"{manifest}: row 4, column file:" in result.stderr
    assert "the file is empty" in result.stderr
    assert counts(project) == before


def test_files_and_a_manifest_are_not_mixed(cli, tmp_path):
    manifest = write_manifest(tmp_path, ROWS)
    result = cli("import", tmp_path / "cases" / "case1.txt", "--from", manifest)
    assert result.exit_code == 1
    assert "give FILE... or --from MANIFEST.csv" in result.stderr
