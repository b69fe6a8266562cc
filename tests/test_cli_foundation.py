"""The foundation commands as a researcher types them: init, participants, import, code, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.db import SCHEMA_HEAD
from qualcode.models import Code, Coding, Participant, Source

APPENDIX_A = """date,pseudonym,organisation,location,mode,profession
"April 11, 2024",Expert A,Representative of WPK company,"Talan Towers Offices, Dostyk str. 16",in person,lawyer
"April 17, 2024",Expert C,Representative of Dos-Immigration company,Interview via Zoom,Zoom,consultant
"""


def counts(project) -> dict[str, int]:
    with project.session(write=False) as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Participant, Source, Code, Coding)
        }


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "expert-a.txt"
    path.write_text(
        "Expert A said the influx had recovered.\n\nNow everything is already normalised, restored.",
        encoding="utf-8",
    )
    return path


def test_init_creates_a_project_file(tmp_path: Path, cli):
    target = tmp_path / "new.db"
    result = cli("init", "--db", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.exists() and f"schema {SCHEMA_HEAD}" in result.stdout


def test_db_current_says_up_to_date(cli):
    result = cli("db", "current")
    assert result.exit_code == 0
    assert f"{SCHEMA_HEAD} (up to date)" in result.stdout


def test_participants_import_and_list_as_appendix_a(cli, project, tmp_path: Path):
    csv_file = tmp_path / "participants.csv"
    csv_file.write_text(APPENDIX_A, encoding="utf-8")
    result = cli("participants", "import", csv_file)
    assert result.exit_code == 0, result.stderr
    assert "2 participants added" in result.stdout
    listing = cli("participants", "list", "--format", "csv")
    lines = listing.stdout.splitlines()
    assert lines[0] == "Date,Name,Organisation,Location,Mode,profession"
    assert lines[1].startswith('"April 11, 2024",Expert A,Representative of WPK company')
    with project.session(write=False) as session:
        expert = session.scalar(select(Participant).where(Participant.pseudonym == "Expert C"))
        assert expert.mode == "Zoom"
        assert {a.name: a.value for a in expert.attributes} == {"profession": "consultant"}


def test_participants_reimport_updates_instead_of_duplicating(cli, project, tmp_path: Path):
    csv_file = tmp_path / "participants.csv"
    csv_file.write_text(APPENDIX_A, encoding="utf-8")
    cli("participants", "import", csv_file)
    csv_file.write_text(APPENDIX_A.replace("lawyer", "notary"), encoding="utf-8")
    result = cli("participants", "import", csv_file)
    assert "0 participants added, 2 updated" in result.stdout
    assert counts(project)["Participant"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("date,pseudonym\nnot a date,Expert A\n", "row 2, column 'date'"),
        ("date,organisation\n2024-04-11,WPK\n", "no 'pseudonym'"),
        (
            "pseudonym,mode\nExpert A,Zoom\nExpert A,Zoom\n",
            "row 3: pseudonym 'Expert A' repeats row 2",
        ),
        ("pseudonym,mode\nExpert A,Zoom,extra\n", "row 2 has more cells than the header"),
        ("pseudonym,mode\n,Zoom\n", "row 2: the pseudonym is empty"),
    ],
    ids=["bad-date", "no-pseudonym", "repeated", "extra-cell", "empty-pseudonym"],
)
def test_malformed_participants_csv_is_refused_whole(cli, project, tmp_path, content, message):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(content, encoding="utf-8")
    result = cli("participants", "import", csv_file)
    assert result.exit_code == 1
    error = result.stderr.strip()
    assert len(error.splitlines()) == 1
    assert str(csv_file) in error and message in error
    assert counts(project)["Participant"] == 0


def test_import_notes_and_code_them(cli, project, notes: Path):
    cli("participants", "import", _write(notes.parent / "p.csv", APPENDIX_A))
    result = cli("import", notes, "--participant", "Expert A")
    assert result.exit_code == 0, result.stderr
    coded = cli("code", "expert-a:41-88", "Recovery of patterns", "--coder", "Aigerim")
    assert coded.exit_code == 0, coded.stderr
    with project.session(write=False) as session:
        coding = session.scalar(select(Coding))
        assert coding.excerpt.text == "Now everything is already normalised, restored."
        assert coding.code.name == "Recovery of patterns"
        assert coding.coder.name == "Aigerim"
        assert coding.excerpt.source.participant.pseudonym == "Expert A"


def test_report_codes_in_every_text_format(cli, notes: Path, tmp_path: Path):
    cli("participants", "import", _write(tmp_path / "p.csv", APPENDIX_A))
    cli("import", notes, "--participant", "Expert A")
    cli("code", "expert-a:0-38", "Recovery of patterns", "--coder", "A")
    cli("code", "expert-a:41-88", "Recovery of patterns", "--coder", "A")
    cli("code", "expert-a:41-88", "Influx", "--coder", "B")
    csv_out = cli("report", "codes", "--format", "csv").stdout.splitlines()
    assert csv_out == [
        "code,themes,count,participants,status",
        "Recovery of patterns,,2,Expert A,active",
        "Influx,,1,Expert A,active",
    ]
    records = json.loads(cli("report", "codes", "--format", "json").stdout)
    assert records[1] == {
        "code": "Influx",
        "themes": "",
        "count": 1,
        "participants": "Expert A",
        "status": "active",
    }
    md = cli("report", "codes", "--format", "md").stdout
    assert "| Recovery of patterns |" in md
    table = cli("report", "codes").stdout
    assert "Recovery of patterns" in table and "Influx" in table
    out = tmp_path / "codes.xlsx"
    assert cli("report", "codes", "--format", "xlsx", "--output", out).exit_code == 0
    import openpyxl

    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[1]] == ["code", "themes", "count", "participants", "status"]
    assert sheet["C2"].value == 2


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_importing_the_same_file_twice_is_refused(cli, project, notes: Path):
    assert cli("import", notes).exit_code == 0
    again = cli("import", notes)
    assert again.exit_code == 1
    assert (
        again.stderr.strip() == f"qualcode: error: {notes}: already imported as source 'expert-a'"
    )
    assert counts(project)["Source"] == 1


def test_a_non_utf8_text_file_is_refused_untouched(cli, project, tmp_path: Path):
    # Latin-1: neither UTF-8 nor an encoding qualcode detects on its own (cp1251, UTF-16)
    path = tmp_path / "latin1.txt"
    path.write_bytes("L'expert a dit : déjà vu à Genève, façade, garçon.".encode("latin-1"))
    result = cli("import", path)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(path) in result.stderr and "not UTF-8" in result.stderr
    assert counts(project)["Source"] == 0


def test_coding_outside_the_text_is_refused(cli, project, notes: Path):
    cli("import", notes)
    result = cli("code", "expert-a:80-500", "Too far")
    assert result.exit_code == 1
    assert "outside source 'expert-a'" in result.stderr
    assert counts(project)["Coding"] == 0 and counts(project)["Code"] == 0


def test_missing_folder_in_the_path(cli, tmp_path: Path):
    result = cli("init", "--db", str(tmp_path / "no" / "such" / "p.db"))
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("does not exist")
    assert not (tmp_path / "no").exists()


def test_unreachable_server_url(cli):
    result = cli("report", "codes", "--db", "postgresql+psycopg://me@127.0.0.1:1/thesis")
    assert result.exit_code == 1
    assert result.stderr.startswith("qualcode: error: postgresql+psycopg://me@127.0.0.1:1/thesis")
    assert len(result.stderr.strip().splitlines()) == 1


def test_commands_other_than_init_do_not_create_projects(cli, tmp_path: Path):
    result = cli("report", "codes", "--db", str(tmp_path / "typo.db"))
    assert result.exit_code == 1 and "run 'qualcode init' first" in result.stderr
    assert not (tmp_path / "typo.db").exists()
