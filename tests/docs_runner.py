"""Reads the command examples of README.md and docs/*.md and runs them as a reader would type them.

The convention (the team's docs-convention, summarised in README "Development"):

- Each page is one sequence, run in a fresh temporary folder after ``qualcode examples .`` and
  after copying the page's own inputs from ``tests/data/docs/<page-stem>/``.
- Blocks fenced ``sh``, ``bash``, ``shell`` or ``console`` are run; any other fence (``text``,
  ``python``, none) is not. A bare fence holding ``$ qualcode`` lines is refused: say ``console``
  to run it or ``text`` to show it.
- ``$ `` prompts are stripped. In a ``console`` block the lines after a ``$ qualcode`` line, up to
  the next ``$ `` line, are the output the page shows; it must equal the real output (stdout and
  stderr as a terminal shows them; trailing spaces and trailing blank lines ignored; a line that is
  exactly ``...`` stands for any number of lines).
- ``# exits N`` at the end of a line: the command must exit N. ``# not run: REASON``: the line is
  only form-checked (parsed against the CLI). ``open`` and ``demo`` take the terminal over and are
  form-checked only; ``demo --no-tui`` runs.
- ``export QUALCODE_X=...`` sets the environment of later commands; ``> FILE`` writes stdout to
  FILE; ``| other`` runs only the qualcode part; ``a && b`` runs both. Other shell lines: only
  ``cat FILE...``, ``ls [DIR]``, ``cd DIR`` and ``touch FILE...``.
- A hidden ``<!-- docs-setup:`` comment (one qualcode command a line, ended by ``-->``) runs first.

Every page's transcript is recorded to ``tests/data/docs/<page-stem>.txt`` after normalising what
changes per run (see ``normalise``).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import shlex
import shutil
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click
import typer
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DATA = Path(__file__).parent / "data" / "docs"
RUN_LANGUAGES = {"sh", "bash", "shell", "console"}
INTERACTIVE = {"open", "demo"}  # full-screen: checked for form, not run
SHELL = {"cat", "ls", "cd", "touch"}
_FENCE = re.compile(r"^(\s*)(`{3,})\s*([\w+-]*)")
_EXITS = re.compile(r"#\s*exits\s+(\d+)\b")
_NOT_RUN = re.compile(r"#\s*not run:\s*(\S.*)")
_SETUP = re.compile(r"<!--\s*docs-setup:\s*\n(.*?)-->", re.S)
# A page whose examples name a PostgreSQL server of the reader's: the test gives it a database on
# the test server and the runner swaps the page's HOST:PORT/DATABASE for it (and back in output).
_POSTGRESQL = re.compile(r"<!--\s*docs-postgresql:\s*(\S+)\s*-->")
_OPERATORS = {"|", "||", ">", ">>", "&&", ";", "&", "<", "2>"}
# the environment every command sees: a fixed terminal width, so rich tables do not vary, and no
# variable a CI service sets to force colours or a terminal (None: removed while a command runs)
BASE_ENV: dict[str, str | None] = {
    "COLUMNS": "80",
    "LINES": "40",
    "NO_COLOR": "1",
    "TERM": "dumb",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "JUPYTER_COLUMNS": None,
}


@dataclass
class Step:
    """One simple command of a page, as written and as it will be run."""

    page: str
    line: int
    text: str  # the whole line as the page shows it (prompt stripped, continuations joined)
    words: list[str]  # the simple command's words, with no operator
    exits: int = 0
    not_run: str | None = None
    stdout_to: str | None = None
    shown: list[str] | None = None  # the output a console block shows, if any
    hidden: bool = False

    @property
    def is_qualcode(self) -> bool:
        return bool(self.words) and self.words[0] == "qualcode"

    @property
    def argv(self) -> list[str]:
        return self.words[1:]

    def where(self) -> str:
        return f"{self.page}:{self.line}: {self.text}"


def split_comment(line: str) -> tuple[str, str]:
    """(command, comment): the comment starts at the first unquoted ``#`` that begins a word."""
    quote = ""
    escaped = False
    for i, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i:]
    return line.rstrip(), ""


def tokens(command: str) -> list[str]:
    """Shell words and operators (``|``, ``>``, ``&&`` ...) of one line, quotes removed."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    return list(lexer)


def words(command: str) -> list[str]:
    """The arguments of one documented qualcode command, up to any pipe or redirection."""
    argv = tokens(split_comment(command)[0])
    for i, word in enumerate(argv):
        if word in _OPERATORS:
            return argv[1:i]
    return argv[1:]


def fenced_blocks(text: str) -> Iterator[tuple[str, int, list[str]]]:
    """(language, line number of the first line inside, lines) of every fenced block, the fence's
    indentation removed."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        if not opened:
            i += 1
            continue
        indent, fence, language = opened.groups()
        body: list[str] = []
        i += 1
        start = i + 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        yield language.lower(), start, body


def _joined(body: list[str], start: int) -> Iterator[tuple[int, str]]:
    """(line number, line) with ``\\`` continuations joined."""
    pending = ""
    first = start
    for number, line in enumerate(body, start=start):
        if not pending:
            first = number
        if line.rstrip().endswith("\\") and not line.lstrip().startswith("#"):
            pending += line.rstrip()[:-1] + " "
            continue
        yield first, pending + line
        pending = ""
    if pending:
        yield first, pending


def is_synopsis(line: str) -> bool:
    """A usage line such as ``qualcode agreement [--coders A,B] [--unit excerpt|sentence]``: an
    unquoted word opens a ``[`` optional part. It shows a form, not a command to check."""
    try:
        return any(
            word.startswith("[") for word in shlex.split(split_comment(line)[0], posix=False)
        )
    except ValueError:
        return False


def code_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, command) for each ``qualcode ...`` or ``export QUALCODE_...`` line in any
    fenced block (prompts stripped, continuations joined): what the form check parses."""
    found: list[tuple[int, str]] = []
    for _language, start, body in fenced_blocks(path.read_text(encoding="utf-8")):
        for number, line in _joined(body, start):
            text = line.strip().removeprefix("$ ")
            if is_synopsis(text):
                continue
            if text.startswith("qualcode ") or text.startswith("export QUALCODE_"):
                found.append((number, text))
    return found


def _steps_of_line(page: str, number: int, text: str, hidden: bool = False) -> list[Step]:
    """The simple commands of one command line (``a && b`` gives two)."""
    command, comment = split_comment(text)
    exits = _EXITS.search(comment)
    not_run = _NOT_RUN.search(comment)
    found: list[Step] = []
    current: list[str] = []
    stdout_to: str | None = None
    skipping = False  # after a pipe: the rest of this simple command is another tool's

    def close() -> None:
        if current:
            found.append(
                Step(
                    page,
                    number,
                    text.strip(),
                    list(current),
                    exits=int(exits.group(1)) if exits else 0,
                    not_run=not_run.group(1).strip() if not_run else None,
                    stdout_to=stdout_to,
                    hidden=hidden,
                )
            )

    all_tokens = tokens(command)
    i = 0
    while i < len(all_tokens):
        word = all_tokens[i]
        if word in {"&&", ";"}:
            close()
            current, stdout_to, skipping = [], None, False
        elif word in {">", ">>"} and not skipping:
            stdout_to = all_tokens[i + 1] if i + 1 < len(all_tokens) else None
            i += 1
        elif word == "|":
            skipping = True
        elif not skipping:
            current.append(word)
        i += 1
    close()
    return found


def page_steps(path: Path) -> list[Step]:
    """Every command of a page in the order it runs: the hidden set-up first, then each run block."""
    text = path.read_text(encoding="utf-8")
    steps: list[Step] = []
    setup = _SETUP.search(text)
    if setup:
        first = text[: setup.start(1)].count("\n") + 1
        for number, line in enumerate(setup.group(1).splitlines(), start=first):
            if line.strip() and not line.strip().startswith("#"):
                steps.extend(_steps_of_line(path.name, number, line, hidden=True))
    for language, start, body in fenced_blocks(text):
        if language not in RUN_LANGUAGES:
            if not language and any(line.lstrip().startswith("$ qualcode") for line in body):
                raise ValueError(
                    f"{path.name}:{start - 1}: a bare ``` block shows `$ qualcode` commands: "
                    "fence it ```console to run it or ```text to only show it"
                )
            continue
        console = language == "console"
        last: Step | None = None
        for number, line in _joined(body, start):
            stripped = line.strip()
            if console and not line.startswith("$ "):
                if last is not None and last.shown is not None:
                    last.shown.append(line)
                continue
            if not stripped or stripped.startswith("#"):
                continue
            made = _steps_of_line(path.name, number, stripped.removeprefix("$ "))
            steps.extend(made)
            last = made[-1] if made else None
            if console and last is not None:
                last.shown = []
    return steps


def _click_errors() -> tuple[tuple[type[Exception], ...], tuple[type[BaseException], ...]]:
    """(usage errors, --help exits) of click and of the click typer vendors (typer >= 0.25 ships
    its own copy, ``typer._click``, whose classes are not click's)."""
    usage: list[type[Exception]] = [click.ClickException]
    exits: list[type[BaseException]] = [click.exceptions.Exit]
    try:
        from typer._click import exceptions as vendored
        from typer.exceptions import Exit
    except ImportError:
        pass
    else:
        usage.append(vendored.ClickException)
        exits.append(Exit)
    return tuple(usage), tuple(exits)


@functools.cache
def _cli_command() -> Any:
    """The click command tree typer builds from the app (built once: it takes a while)."""
    from qualcode.cli import app

    return typer.main.get_command(app)


def check_form(argv: list[str]) -> None:
    """Parse argv as the CLI would, without running it: unknown commands and options fail."""
    command: Any = _cli_command()
    context = command.make_context("qualcode", list(argv))
    while hasattr(command, "resolve_command"):  # a group, whichever click defines it
        protected = getattr(context, "_protected_args", None)
        if protected is None:
            protected = context.protected_args
        rest = [*protected, *context.args]
        if not rest:
            return
        name, command, rest = command.resolve_command(context, rest)
        context = command.make_context(name, rest, parent=context)


def form_problem(argv: list[str]) -> str | None:
    """None when argv parses, else click's message."""
    usage, exits = _click_errors()
    try:
        check_form(argv)
    except exits:
        return None  # --help and the like
    except usage as exc:
        return str(exc.format_message())  # type: ignore[attr-defined]
    return None


@dataclass
class Normaliser:
    """What changes from run to run, replaced by a placeholder in transcripts and shown output."""

    folder: Path
    replacements: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from qualcode.db import SCHEMA_HEAD

        paths = {str(self.folder), str(self.folder.resolve())}
        today = date.today()
        self.replacements = [
            *[(re.compile(re.escape(p)), "<tmp>") for p in sorted(paths, key=len, reverse=True)],
            # the schema head moves with every migration; pages should not have to follow it
            (re.compile(rf"\b{SCHEMA_HEAD}\b(?= \(up to date\))"), "<head>"),
            (re.compile(rf"(?<=schema ){SCHEMA_HEAD}\b"), "<head>"),
            (re.compile(rf"(?<=schema at ){SCHEMA_HEAD}\b"), "<head>"),
            # timestamps and today's date
            (
                re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?"),
                "<time>",
            ),
            (re.compile(re.escape(today.isoformat())), "<today>"),
            (re.compile(rf"\b{today:%B} {today.day}, {today.year}\b"), "<today>"),
        ]

    def __call__(self, text: str) -> str:
        for pattern, placeholder in self.replacements:
            text = pattern.sub(placeholder, text)
        return text


def _tidy(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def shown_matches(shown: list[str], actual: list[str]) -> bool:
    """Whether the output a page shows equals the real one; a ``...`` line matches any lines."""
    shown, actual = _tidy(shown), _tidy(actual)
    if "..." not in shown:
        return shown == actual
    segments: list[list[str]] = [[]]
    for line in shown:
        if line == "...":
            segments.append([])
        else:
            segments[-1].append(line)
    head, *middle, tail = segments
    if actual[: len(head)] != head or (tail and actual[-len(tail) :] != tail):
        return False
    position, end = len(head), len(actual) - len(tail)
    for segment in middle:
        while (
            position + len(segment) <= end and actual[position : position + len(segment)] != segment
        ):
            position += 1
        if position + len(segment) > end:
            return False
        position += len(segment)
    return position <= end


class TerminalRunner(CliRunner):
    """A CliRunner whose stdout is written through as a terminal's is line-buffered, so that the
    interleaved output (``result.output``) keeps the order in which stdout and stderr were written."""

    @contextlib.contextmanager
    def isolation(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with super().isolation(*args, **kwargs) as streams:
            for stream in (sys.stdout, sys.stderr):
                if isinstance(stream, io.TextIOWrapper):
                    stream.reconfigure(write_through=True)
            yield streams


class PageFailure(AssertionError):
    """A documented command failed or printed something other than what the page shows."""


class PageRun:
    """Runs one page's steps in the current folder (the caller chdirs into a fresh one)."""

    def __init__(self, folder: Path, servers: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.env: dict[str, str | None] = dict(BASE_ENV)
        self.runner = TerminalRunner()
        self.normalise = Normaliser(folder)
        # the page's HOST:PORT/DATABASE -> the test server's; output is mapped back
        self.servers = servers or {}
        for shown, real in self.servers.items():
            self.normalise.replacements.insert(0, (re.compile(re.escape(real)), shown))
        self.transcript: list[str] = []

    def _to_server(self, word: str) -> str:
        for shown, real in self.servers.items():
            word = word.replace(shown, real)
        return word

    def qualcode(self, step: Step) -> None:
        from qualcode.cli import app

        redirect = f" > {shlex.quote(step.stdout_to)}" if step.stdout_to else ""
        self.transcript.append(f"$ qualcode {shlex.join(step.argv)}{redirect}")
        if step.not_run is not None or is_full_screen(step.argv):
            problem = form_problem(step.argv)
            if problem:
                raise PageFailure(f"{step.where()}\n    the CLI refuses it: {problem}")
            self.transcript.append("[not run]")
            return
        argv = [self._to_server(word) for word in step.argv]
        result = self.runner.invoke(app, argv, env=self.env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            trace = "".join(traceback.format_exception(result.exception))
            raise PageFailure(f"{step.where()}\n    raised:\n{trace}")
        stdout, stderr = result.stdout, result.stderr
        if step.stdout_to:
            Path(step.stdout_to).write_bytes(result.stdout_bytes)
        elif stdout:
            self.transcript.append(self.normalise(stdout.rstrip("\n")))
        if stderr:
            self.transcript.append("[stderr]")
            self.transcript.append(self.normalise(stderr.rstrip("\n")))
        if result.exit_code:
            self.transcript.append(f"[exit {result.exit_code}]")
        if result.exit_code != step.exits:
            raise PageFailure(
                f"{step.where()}\n    exit {result.exit_code}, expected {step.exits}"
                f"\n    stderr: {stderr.strip()}\n    stdout: {stdout.strip()[-2000:]}"
            )
        self.compare(step, stderr if step.stdout_to else result.output)

    def compare(self, step: Step, printed: str) -> None:
        """Fail when a console block shows other output than the command printed."""
        if step.shown is None:
            return
        actual = self.normalise(printed).splitlines()
        shown = self.normalise("\n".join(step.shown)).splitlines()
        if not shown_matches(shown, actual):
            raise PageFailure(
                f"{step.where()}\n    the page shows:\n"
                + "\n".join(f"      {line}" for line in _tidy(shown))
                + "\n    it prints:\n"
                + "\n".join(f"      {line}" for line in _tidy(actual))
            )

    def shell(self, step: Step) -> None:
        name, args = step.words[0], step.words[1:]
        if step.not_run is not None:
            self.transcript.append(f"$ {shlex.join(step.words)}\n[not run]")
            return
        if name not in SHELL:
            raise PageFailure(
                f"{step.where()}\n    the docs runner runs qualcode, export, "
                f"{', '.join(sorted(SHELL))} only: fence the block ```text or end the line "
                "with `# not run: REASON`"
            )
        redirect = f" > {shlex.quote(step.stdout_to)}" if step.stdout_to else ""
        self.transcript.append(f"$ {shlex.join(step.words)}{redirect}")
        if name == "cd":
            os.chdir(args[0] if args else self.folder)
            return
        if name == "touch":
            for arg in args:
                Path(arg).touch()
            return
        if name == "ls":
            folder = Path(args[0]) if args else Path()
            printed = "\n".join(sorted(p.name for p in folder.iterdir()))
        else:
            printed = "".join(Path(a).read_text(encoding="utf-8") for a in args).rstrip("\n")
        if step.stdout_to:
            Path(step.stdout_to).write_text(printed + "\n", encoding="utf-8")
        else:
            self.transcript.append(self.normalise(printed))
        self.compare(step, "" if step.stdout_to else printed)

    def run(self, step: Step) -> None:
        if step.words[0] == "export":
            for assignment in step.words[1:]:
                name, _, value = assignment.partition("=")
                self.env[name] = self._to_server(value)
            self.transcript.append(f"$ {shlex.join(step.words)}")
        elif step.is_qualcode:
            self.qualcode(step)
        else:
            self.shell(step)


def is_full_screen(argv: list[str]) -> bool:
    """``open`` and ``demo`` take the terminal over (form-checked only); ``demo --no-tui`` prints."""
    return bool(argv) and argv[0] in INTERACTIVE and "--no-tui" not in argv


def page_server(page: Path) -> str | None:
    """The PostgreSQL URL a page's examples name (``<!-- docs-postgresql: URL -->``), if any."""
    found = _POSTGRESQL.search(page.read_text(encoding="utf-8"))
    return found.group(1) if found else None


def page_record(page: Path) -> Path:
    return DATA / f"{page.stem}.txt"


def run_page(page: Path, folder: Path, servers: dict[str, str] | None = None) -> str:
    """Run a page in folder (the current directory): the shipped examples, the page's inputs, its
    hidden set-up and every run block; return the normalised transcript. ``servers`` maps a
    PostgreSQL HOST:PORT/DATABASE the page names to the test server's."""
    steps = page_steps(page)
    run = PageRun(folder, servers)
    if not steps or steps[0].words[:2] != ["qualcode", "examples"]:  # README's tour does it itself
        run.run(Step(page.name, 0, "qualcode examples .", ["qualcode", "examples", "."]))
    inputs = DATA / page.stem
    if inputs.is_dir():
        shutil.copytree(inputs, folder, dirs_exist_ok=True)
    for step in steps:
        run.run(step)
    return "\n".join(run.transcript) + "\n"
