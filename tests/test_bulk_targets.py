"""`code --from FILE.csv` with a `target` column: every address `code` takes, mixed with offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode import events
from tests.test_bulk import codings, snapshot, write_csv

NOTES = {
    "case1.txt": "Salaries are high. Visas were slow.\n\nWe opened a shop.",
    "интервью.txt": "Зарплаты высокие. Визы долго.\n\nМы открыли магазин.",
    "сұхбат.txt": "Бизнес ашу оңай. Виза қиын.",
}


@pytest.fixture
def cases(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALCODE_CODER", "cases-coder")
    for name, text in NOTES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = cli("import", tmp_path / name, "--language", "en")
        assert result.exit_code == 0, result.stderr


def test_targets_and_offsets_mix_in_one_file(cli, project, cases, tmp_path):
    path = write_csv(
        tmp_path / "codings.csv",
        [
            ["case1:s2", "", "", "", "Visa"],
            ["интервью:p2", "", "", "", "Бизнес"],
            ["сұхбат:s1", "", "", "", "Бизнес"],
            ["", "case1", "0", "8", "Money"],
            ["сұхбат:0-6", "", "", "", "Бизнес"],
        ],
        header=("target", "source", "start", "end", "code"),
    )
    result = cli("code", "--from", path)
    assert result.exit_code == 0, result.stderr
    assert "5 codings applied" in result.stdout
    assert codings(project) == sorted(
        [
            ("case1", 19, 35, "Visa", "cases-coder"),
            ("case1", 0, 8, "Money", "cases-coder"),
            ("интервью", 31, 50, "Бизнес", "cases-coder"),
            ("сұхбат", 0, 16, "Бизнес", "cases-coder"),
            ("сұхбат", 0, 6, "Бизнес", "cases-coder"),
        ]
    )


def test_a_target_only_file_and_an_excerpt_address(cli, project, cases, tmp_path):
    assert cli("code", "case1:p1", "Visa").exit_code == 0
    path = write_csv(
        tmp_path / "codings.csv",
        [["#1", "Money"], ["case1:p2", "Shop"]],
        header=("target", "code"),
    )
    result = cli("code", "--from", path)
    assert result.exit_code == 0, result.stderr
    assert ("case1", 0, 35, "Money", "cases-coder") in codings(project)
    assert ("case1", 37, 54, "Shop", "cases-coder") in codings(project)
    with project.session() as session:
        assert events.undo(session).action == "coding.bulk"
    assert [c[3] for c in codings(project)] == ["Visa"]


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("case1:s9", "row 3, column target: source 'case1' has no sentence 9"),
        ("nowhere:p1", "row 3, column target: no source 'nowhere'"),
        ("case1:x1", "row 3, column target: cannot read 'case1:x1'"),
    ],
)
def test_a_bad_target_names_its_row_and_nothing_is_applied(
    cli, project, cases, tmp_path, target, problem
):
    before = snapshot(project)
    path = write_csv(
        tmp_path / "codings.csv",
        [["case1:s1", "Money"], [target, "Visa"]],
        header=("target", "code"),
    )
    result = cli("code", "--from", path)
    assert result.exit_code == 1
    assert f"{path}: {problem}" in result.stderr
    assert result.stderr.count("\n") == 1
    assert snapshot(project) == before


def test_a_row_with_both_a_target_and_offsets_is_refused(cli, project, cases, tmp_path):
    path = write_csv(
        tmp_path / "codings.csv",
        [["case1:s1", "case1", "0", "4", "Money"]],
        header=("target", "source", "start", "end", "code"),
    )
    result = cli("code", "--from", path)
    assert result.exit_code == 1
    assert "row 2, column target: give either a target or source, start and end" in result.stderr


def test_a_row_with_neither_names_the_target_column(cli, project, cases, tmp_path):
    path = write_csv(
        tmp_path / "codings.csv",
        [["", "", "", "", "Money"]],
        header=("target", "source", "start", "end", "code"),
    )
    result = cli("code", "--from", path)
    assert result.exit_code == 1
    assert "row 2, column target: empty" in result.stderr
