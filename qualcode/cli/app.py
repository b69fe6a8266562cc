"""The typer application, its shared options, and the two helpers every command uses.

Only typer and the standard library are imported here: `qualcode --help` must start fast, so the
domain modules (SQLAlchemy, pandas, spaCy, Textual) load inside the commands that need them.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project
    from qualcode.table import Table


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"
    xlsx = "xlsx"
    docx = "docx"
    tex = "tex"


DEFAULT_DB = "qualcode.db"

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="QUALCODE_DB",
        help="Project: a SQLite file path, or a postgresql+psycopg:// URL.",
        show_default=True,
    ),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (needed for xlsx and docx)."),
]


# The project the running command opened (its name with the password masked), for error lines.
_opened: dict[str, str] = {}


class QualcodeGroup(TyperGroup):
    """The error contract: our errors, and every database, file-system and driver error a user
    can act on (qualcode.errors.describe), become one line on stderr and a non-zero exit."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]  # typer's own click
        from qualcode.errors import QualcodeError, describe  # light: no third-party imports

        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, click.exceptions.ClickException):
            raise
        except Exception as exc:
            line = describe(exc, _opened.get("project"))
            if line is None:
                raise  # a bug: the traceback is what a bug report needs
            typer.echo(f"qualcode: error: {line}", err=True)
            code = exc.exit_code if isinstance(exc, QualcodeError) else 1
            raise typer.Exit(code) from None


app = typer.Typer(
    name="qualcode",
    cls=QualcodeGroup,
    help="Code anonymised interview notes, build a codebook of themes, report the counts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def sub_app(name: str, help: str) -> typer.Typer:
    """A command group (e.g. `qualcode report ...`) registered on the main app."""
    group = typer.Typer(name=name, help=help, no_args_is_help=True, add_completion=False)
    app.add_typer(group, name=name)
    return group


def name_project(db: str) -> None:
    """Remember the project the command works on, for its error lines (password masked)."""
    from qualcode.project_file import display_name

    _opened["project"] = display_name(db)


def open_db(db: str, *, create: bool = False, migrate: bool = True) -> Project:
    """Open the project named by --db; an absent or empty database is an error unless ``create``."""
    from qualcode.db import open_project

    name_project(db)
    return open_project(db, create=create, migrate=migrate)


def emit(
    df: pd.DataFrame | Table, fmt: Format | str, output: Path | None = None, **kw: Any
) -> None:
    """Print or write a report in the chosen format: a light Table as text without pandas
    (qualcode.formats.text), anything else through a DataFrame (qualcode.formats.tables)."""
    fmt = Format(fmt)
    if output is None and fmt in (Format.xlsx, Format.docx):
        from qualcode.errors import InputError

        raise InputError(f"--format {fmt.value} writes a file: give --output FILE")
    from qualcode.table import Table

    if isinstance(df, Table):
        from qualcode.formats import text

        if fmt.value in text.LIGHT_FORMATS and output is None:
            if fmt is Format.table:
                text.print_table(df, kw.get("title"))
            else:
                _write_text(text.render(df, fmt.value, kw.get("title")))
            return
        df = df.to_dataframe()
    from qualcode.formats import tables

    if fmt is Format.table and output is None:
        tables.print_table(df, **kw)
        return
    try:
        result = tables.render(df, fmt.value, output, **kw)
    except OSError as exc:  # a full disk says which file it was writing
        if exc.filename is None and output is not None:
            exc.filename = str(output)
        raise
    if output is None and result is not None:
        _write_text(result)
    elif output is not None:
        typer.echo(f"wrote {output}", err=True)


def _write_text(result: str) -> None:
    sys.stdout.write(result if result.endswith("\n") else result + "\n")
