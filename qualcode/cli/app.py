"""The typer application, its shared options, and the two helpers every command uses.

Only typer and the standard library are imported here: `qualcode --help` must start fast, so the
domain modules (SQLAlchemy, pandas, spaCy, Textual) load inside the commands that need them.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project


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


class QualcodeGroup(TyperGroup):
    """Turns domain errors into one line on stderr and a non-zero exit, from any sub-command."""

    def invoke(self, ctx: typer.Context) -> Any:
        from qualcode.errors import QualcodeError  # light: no third-party imports

        try:
            return super().invoke(ctx)
        except QualcodeError as exc:
            typer.echo(f"qualcode: error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None


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


def open_db(db: str, *, create: bool = False) -> Project:
    """Open the project named by --db; an absent SQLite file is an error unless ``create``."""
    from qualcode.db import open_project

    return open_project(db, create=create)


def emit(df: pd.DataFrame, fmt: Format | str, output: Path | None = None, **kw: Any) -> None:
    """Print or write a DataFrame in the chosen format (see qualcode.formats.tables)."""
    from qualcode.formats import tables

    fmt = Format(fmt)
    if output is None and fmt in (Format.xlsx, Format.docx):
        from qualcode.errors import InputError

        raise InputError(f"--format {fmt.value} writes a file: give --output FILE")
    if fmt is Format.table and output is None:
        tables.print_table(df, **kw)
        return
    result = tables.render(df, fmt.value, output, **kw)
    if output is None and result is not None:
        sys.stdout.write(result if result.endswith("\n") else result + "\n")
    elif output is not None:
        typer.echo(f"wrote {output}", err=True)
