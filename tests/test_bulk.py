"""`qualcode code --from FILE.csv`: many codings in one transaction, all or nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode import events
from qualcode.bulk import apply_csv
from qualcode.models import Code, Coder, Coding, Event, Excerpt, Source

NOTES = (
    "Expert A said the brain drain began in the nineties.\n"
    "Remittances paid for the new house.\n"
    "The ministry digitalised the visa process in 2019.\n"
)


def write_csv(path: Path, rows: list[list[object]], header=("source", "start", "end", "code")):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def notes(cli, tmp_path: Path) -> Path:
    path = tmp_path / "expert-a.txt"
    path.write_text(NOTES, encoding="utf-8")
    assert cli("import", path).exit_code == 0
    return path


def snapshot(project) -> dict[str, int]:
    with project.session(write=False) as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Code, Coder, Coding, Event, Excerpt)
        }


def codings(project) -> list[tuple]:
    with project.session(write=False) as session:
        return sorted(
            session.execute(
                select(Source.title, Excerpt.start, Excerpt.end, Code.name, Coder.name)
                .select_from(Coding)
                .join(Excerpt, Excerpt.id == Coding.excerpt_id)
                .join(Source, Source.id == Excerpt.source_id)
                .join(Code, Code.id == Coding.code_id)
                .join(Coder, Coder.id == Coding.coder_id)
            ).all()
        )


def test_codings_from_a_csv_are_applied_with_one_event(cli, project, notes, tmp_path):
    rows = [
        ["expert-a", 0, 52, "Brain drain", "Ann"],
        ["expert-a", 0, 52, "Brain drain", "Bob"],
        ["expert-a", 53, 88, "Remittances", "Ann"],
        ["#1", 89, 139, "Digitalisation", "Bob"],
    ]
    path = write_csv(tmp_path / "codings.csv", rows, ("source", "start", "end", "code", "coder"))
    result = cli("code", "--from", path)
    assert result.exit_code == 0, result.stderr
    assert "4 codings applied" in result.stdout
    assert codings(project) == sorted(
        [
            ("expert-a", 0, 52, "Brain drain", "Ann"),
            ("expert-a", 0, 52, "Brain drain", "Bob"),
            ("expert-a", 53, 88, "Remittances", "Ann"),
            ("expert-a", 89, 139, "Digitalisation", "Bob"),
        ]
    )
    with project.session(write=False) as session:
        actions = session.scalars(select(Event.action).where(Event.action.like("coding.%"))).all()
        assert actions == ["coding.bulk"]
        assert session.scalar(select(func.count()).select_from(Excerpt)) == 3


def test_applying_the_same_file_again_adds_nothing(cli, project, notes, tmp_path):
    path = write_csv(tmp_path / "c.csv", [["expert-a", 0, 52, "Brain drain"]])
    assert cli("code", "--from", path, "--coder", "Ann").exit_code == 0
    before = snapshot(project)
    again = cli("code", "--from", path, "--coder", "Ann")
    assert again.exit_code == 0
    assert "0 codings applied, 1 already there" in again.stdout
    assert snapshot(project) == before


def test_rows_without_a_coder_are_coded_by_the_coder_option(cli, project, notes, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [["expert-a", 0, 52, "Brain drain", ""], ["expert-a", 0, 52, "Brain drain", "Bob"]],
        ("source", "start", "end", "code", "coder"),
    )
    assert cli("code", "--from", path, "--coder", "Carol").exit_code == 0
    assert {row[-1] for row in codings(project)} == {"Carol", "Bob"}


def test_a_bulk_batch_is_undone_and_redone_as_a_whole(project, notes, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", [["expert-a", 0, 52, "Brain drain"], ["expert-a", 53, 88, "Money"]]
    )
    apply_csv(project, path, coder="Ann")
    applied = codings(project)
    assert len(applied) == 2
    project.transaction(lambda s: events.undo(s))
    assert codings(project) == []
    project.transaction(lambda s: events.redo(s))
    assert codings(project) == applied


@pytest.mark.parametrize(
    ("rows", "header", "expected"),
    [
        ([["expert-a", "0", "52", "A"], ["expert-a", "x9", "60", "B"]], None, "row 3, column start"),
        ([["expert-a", "0", "52", "A"], ["nobody", "0", "5", "B"]], None, "row 3, column source"),
        ([["expert-a", "0", "9999", "A"]], None, "row 2, column end"),
        ([["expert-a", "40", "20", "A"]], None, "row 2, column end"),
        ([["expert-a", "0", "52", ""]], None, "row 2, column code"),
        ([["expert-a", "0", "52", "A"]], ("source", "start", "stop", "code"), "row 1"),
        ([["expert-a", "0", "52"]], None, "row 2: 3 cells"),
    ],
    ids=["not-a-number", "unknown-source", "past-the-text", "backwards", "empty-code",
         "bad-header", "short-row"],
)  # fmt: skip
def test_a_bad_row_names_file_row_and_column_and_writes_nothing(
    cli, project, notes, tmp_path, rows, header, expected
):
    path = write_csv(tmp_path / "bad.csv", rows, header or ("source", "start", "end", "code"))
    before = snapshot(project)
    result = cli("code", "--from", path, "--coder", "Ann")
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.count("\n") == 0
    assert message.startswith(f"qualcode: error: {path}: {expected}")
    assert snapshot(project) == before


def test_unknown_codes_are_refused_with_no_create(cli, project, notes, tmp_path):
    path = write_csv(tmp_path / "c.csv", [["expert-a", 0, 52, "Brain drain"]])
    before = snapshot(project)
    result = cli("code", "--from", path, "--no-create")
    assert result.exit_code == 1
    assert "row 2, column code: no code 'Brain drain'" in result.stderr
    assert snapshot(project) == before


def test_an_excluded_code_is_refused(cli, project, notes, tmp_path):
    assert cli("code", "expert-a:0-10", "Old idea", "--coder", "Ann").exit_code == 0
    with project.session() as session:
        code = session.scalar(select(Code))
        code.status, code.status_reason = "excluded", "not used"
    path = write_csv(
        tmp_path / "c.csv", [["expert-a", 0, 52, "New"], ["expert-a", 0, 5, "old idea"]]
    )
    before = snapshot(project)
    result = cli("code", "--from", path, "--coder", "Ann")
    assert result.exit_code == 1
    assert "row 3, column code: code 'Old idea' is excluded" in result.stderr
    assert snapshot(project) == before


def test_target_and_from_together_are_refused(cli, notes, tmp_path):
    path = write_csv(tmp_path / "c.csv", [["expert-a", 0, 52, "A"]])
    result = cli("code", "expert-a:0-5", "A", "--from", path)
    assert result.exit_code == 1
    assert "either TARGET CODE or --from" in result.stderr


def test_ten_thousand_codings_are_all_applied(project, notes, tmp_path):
    length = len(NOTES)
    rows = [
        ["expert-a", i % 100, length - (i // 100) % 30, f"code {i % 40}", f"coder {i % 3}"]
        for i in range(10_000)
    ]
    path = write_csv(tmp_path / "big.csv", rows, ("source", "start", "end", "code", "coder"))
    result = apply_csv(project, path)
    distinct = {(r[1], r[2], r[3], r[4]) for r in rows}
    assert result.applied == len(distinct)
    with project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Coding)) == len(distinct)
        assert session.scalar(select(func.count()).select_from(Code)) == 40
        assert session.scalar(select(func.count()).select_from(Excerpt)) == len(
            {(r[1], r[2]) for r in rows}
        )


def test_rows_applied_in_batches_keep_one_event_and_the_first_row_of_a_coding(
    project, notes, tmp_path, monkeypatch
):
    """Batches of 2 (BATCH is 20,000 in use): duplicates across batches still count once,
    the memo of the first row wins, and one undo removes every batch."""
    import qualcode.bulk

    monkeypatch.setattr(qualcode.bulk, "BATCH", 2)
    rows = [
        ["expert-a", 0, 52, "Утечка мозгов", "Ann", "бірінші"],
        ["expert-a", 53, 88, "Money", "Ann", ""],
        ["expert-a", 0, 52, "Утечка мозгов", "Ann", "second"],  # the same coding again
        ["expert-a", 0, 52, "Ақша аудару", "Bob", ""],
        ["expert-a", 53, 88, "Money", "Ann", ""],
    ]
    header = ("source", "start", "end", "code", "coder", "memo")
    result = apply_csv(project, write_csv(tmp_path / "b.csv", rows, header))
    assert (result.rows, result.applied, result.already) == (5, 3, 2)
    with project.session(write=False) as session:
        memos = session.scalars(select(Coding.memo).where(Coding.memo.is_not(None))).all()
        assert memos == ["бірінші"]
        assert session.scalar(select(func.count()).select_from(Event)) >= 1
    project.transaction(lambda s: events.undo(s))
    assert codings(project) == []


def test_undo_knows_bulk_batches_and_mode_switches_in_any_process():
    """Undo in a process that never imported bulk (the TUI) must still see a bulk batch."""
    import subprocess
    import sys

    probe = (
        "from qualcode import events; events._ensure_handlers(); "
        "assert {'coding.bulk', 'team.mode'} <= set(events._HANDLERS)"
    )
    assert subprocess.run([sys.executable, "-c", probe]).returncode == 0
