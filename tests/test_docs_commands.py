"""Every command and option of the CLI is documented: the docs cannot drift from the code.

The typer app is walked as the click command tree it builds; each command must appear as
``qualcode PATH`` in README.md or docs/*.md, and each of its options (its long name) in the same
text. A new command or option without docs fails here with its name.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest
import typer

ROOT = Path(__file__).resolve().parent.parent
# Options every command shares or click adds; README "The command line" documents them once.
COMMON = {"--help", "--db", "--format", "--output"}


def docs_text() -> str:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in pages)


def commands() -> list[tuple[str, click.Command]]:
    """(path, command) for every runnable command, e.g. ("report themes", ...)."""
    from qualcode.cli import app

    found: list[tuple[str, click.Command]] = []

    def walk(prefix: str, command: click.Command) -> None:
        if hasattr(command, "commands"):
            for name, sub in sorted(command.commands.items()):
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found.append((prefix, command))

    walk("", typer.main.get_command(app))
    return found


COMMANDS = commands()
TEXT = docs_text()


def test_the_walk_finds_the_commands():
    paths = {path for path, _ in COMMANDS}
    assert {"init", "report themes", "codebook import", "code"} <= paths


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS])
def test_every_command_is_documented(path):
    assert f"qualcode {path}" in TEXT, f"`qualcode {path}` appears in no README.md or docs/*.md"


@pytest.mark.parametrize(
    ("path", "option"),
    [
        (path, name)
        for path, command in COMMANDS
        for param in command.params
        if getattr(param, "param_type_name", "") == "option"
        for name in param.opts
        if name.startswith("--") and name not in COMMON
    ],
)
def test_every_option_is_documented(path, option):
    assert option in TEXT, f"`qualcode {path} {option}` is documented nowhere"
