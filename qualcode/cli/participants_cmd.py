"""`qualcode participants import|list`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.app import (
    DEFAULT_DB,
    DbOption,
    Format,
    FormatOption,
    OutputOption,
    emit,
    open_db,
    sub_app,
)

participants_app = sub_app("participants", "Interviewees (Appendix A) and their attributes.")


@participants_app.command("import")
def participants_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: date, pseudonym, organisation, location, "
            "mode, role; other columns become attributes."
        ),
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import or update participants from a CSV file (all rows or none)."""
    from qualcode import participants

    project = open_db(db)
    created, updated = participants.import_csv(project, file)
    typer.echo(f"{file}: {created} participants added, {updated} updated")


@participants_app.command("list")
def participants_list(
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
) -> None:
    """List participants as Appendix A does (Date, Name, Organisation, Location, ...)."""
    from qualcode import participants

    emit(participants.table(open_db(db)), fmt, output, title="List of Interviewees")
