"""The README's tour runs from an empty folder (after `qualcode examples .`) and prints what it
printed when the docs were written; every `qualcode ...` line in README.md and docs/*.md is a
command with options the CLI has.

When a change alters the tour's output on purpose, regenerate the record with
``QUALCODE_REGEN_DOCS=1 pytest tests/test_docs_examples.py`` and read the diff.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RECORD = Path(__file__).parent / "data" / "readme_tour.txt"
INTERACTIVE = {"open", "demo"}  # full-screen: checked for form, not run
# `anonymise check` exits 1 when it finds something (docs/import.md), as a linter does
EXIT_CODES: dict[tuple[str, ...], int] = {}  # e.g. ("anonymise", "check"): 1 if it finds some
_FENCE = re.compile(r"^```(\w*)\s*$")


def code_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, command) for each `qualcode ...` line in a fenced block (``$ `` prompts
    stripped, ``\\`` continuations joined)."""
    found: list[tuple[int, str]] = []
    inside = False
    pending = ""
    start = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if _FENCE.match(line.strip()):
            inside = not inside
            continue
        if not inside:
            continue
        text = pending + line.strip().removeprefix("$ ")
        if not pending:
            start = number
        if text.endswith("\\"):
            pending = text[:-1] + " "
            continue
        pending = ""
        if text.startswith("qualcode ") or text.startswith("export QUALCODE_"):
            found.append((start, text))
    return found


def tour() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def words(command: str) -> list[str]:
    """The arguments of one documented command, up to any pipe or redirection."""
    argv = shlex.split(command, comments=True)
    for i, word in enumerate(argv):
        if word in {"|", ">", ">>", "2>", "&&", ";"}:
            return argv[1:i]
    return argv[1:]


def check_form(argv: list[str]) -> None:
    """Parse argv as the CLI would, without running it: unknown commands and options fail."""
    from qualcode.cli import app

    command: click.Command = typer.main.get_command(app)
    context = command.make_context("qualcode", list(argv))
    while isinstance(command, click.Group):
        rest = [*context.protected_args, *context.args]
        if not rest:
            return
        name, command, rest = command.resolve_command(context, rest)
        context = command.make_context(name, rest, parent=context)


@pytest.mark.parametrize("page", DOCS, ids=lambda p: p.name)
def test_every_documented_command_is_one_the_cli_takes(page: Path):
    problems = []
    for number, command in code_lines(page):
        if command.startswith("export "):
            continue
        argv = words(command)
        try:
            check_form(argv)
        except click.exceptions.Exit:
            pass  # --help and the like
        except click.ClickException as exc:
            problems.append(f"{page.name}:{number}: {command}\n    {exc.format_message()}")
    assert not problems, "documented commands the CLI refuses:\n" + "\n".join(problems)


def test_the_readme_tour_runs_from_an_empty_folder(tmp_path: Path, monkeypatch):
    from qualcode.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUALCODE_DB", raising=False)
    monkeypatch.delenv("QUALCODE_CODER", raising=False)
    runner = CliRunner()
    env: dict[str, str] = {}
    transcript: list[str] = []
    for line in tour():
        if line.startswith("export "):
            name, value = line.split(None, 1)[1].split("#", 1)[0].strip().split("=", 1)
            env[name] = value
            continue
        argv = words(line)
        transcript.append(f"$ qualcode {shlex.join(argv)}")
        if argv[0] in INTERACTIVE:
            check_form(argv)
            continue
        result = runner.invoke(app, argv, env=env, catch_exceptions=False)
        expected = EXIT_CODES.get(tuple(argv[:2]), 0)
        assert result.exit_code == expected, f"the README's tour fails at: {line}\n{result.stderr}"
        transcript.append(result.stdout.rstrip())
    assert (tmp_path / "appendix-b.docx").exists() and (tmp_path / "thesis.qdpx").exists()
    recorded = "\n".join(transcript) + "\n"
    if os.environ.get("QUALCODE_REGEN_DOCS"):
        RECORD.write_text(recorded, encoding="utf-8")
    assert recorded == RECORD.read_text(encoding="utf-8"), (
        "the README tour's output changed: check the diff, then regenerate "
        "tests/data/readme_tour.txt with QUALCODE_REGEN_DOCS=1"
    )


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
