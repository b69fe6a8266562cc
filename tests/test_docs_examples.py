"""Every `qualcode ...` line in README.md and docs/*.md is a command with options the CLI has
(also the lines the docs runner does not run); `qualcode examples` copies the shipped files.
tests/test_docs_run.py runs the examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.docs_runner import DOCS, code_lines, form_problem, is_synopsis, words


@pytest.mark.parametrize("page", DOCS, ids=lambda p: p.name)
def test_every_documented_command_is_one_the_cli_takes(page: Path):
    problems = []
    for number, command in code_lines(page):
        if command.startswith("export "):
            continue
        problem = form_problem(words(command))
        if problem:
            problems.append(f"{page.name}:{number}: {command}\n    {problem}")
    assert not problems, "documented commands the CLI refuses:\n" + "\n".join(problems)


def test_examples_refuses_to_overwrite_and_force_does(tmp_path: Path):
    from qualcode.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["examples", str(tmp_path / "here")])
    assert first.exit_code == 0, first.stderr
    assert (tmp_path / "here" / "examples" / "notes" / "expert-i.md").exists()
    assert (tmp_path / "here" / "codebooks" / "thesis-appendix-b.yaml").exists()
    assert not list((tmp_path / "here").rglob("__init__.py"))
    (tmp_path / "here" / "examples" / "sources.csv").write_text("mine", encoding="utf-8")
    again = runner.invoke(app, ["examples", str(tmp_path / "here")])
    assert again.exit_code == 1
    assert ": exists already (nothing copied; --force overwrites)" in again.stderr
    assert (tmp_path / "here" / "examples" / "sources.csv").read_text() == "mine"
    forced = runner.invoke(app, ["examples", str(tmp_path / "here"), "--force"])
    assert forced.exit_code == 0
    assert (tmp_path / "here" / "examples" / "sources.csv").read_text().startswith("file,")


def test_the_form_check_refuses_unknown_commands_and_options():
    assert form_problem(["report", "codes", "--format", "csv"]) is None
    assert form_problem(["report", "codes", "--help"]) is None
    assert "--nope" in (form_problem(["report", "codes", "--nope"]) or "")
    assert "отчёт" in (form_problem(["report", "отчёт"]) or "")
    assert form_problem(["init", "--nope"])


def test_a_synopsis_is_not_a_command_but_a_bracketed_pattern_is():
    assert is_synopsis("qualcode agreement [--coders A,B,...] [--unit excerpt|sentence]")
    assert not is_synopsis('qualcode search "[Вв]иза|қиын" --regex')
