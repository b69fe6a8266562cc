"""`qualcode anonymise check|apply`: find identifying details; swap real names for pseudonyms."""

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

anonymise_app = sub_app("anonymise", "Check sources for identifying details; replace real names.")

NamesOption = Annotated[
    Path | None,
    typer.Option("--names", help="A private file of real names, one per line (not stored)."),
]
ModelOption = Annotated[
    str | None,
    typer.Option(help="A trained spaCy pipeline whose NER adds to the rules for person names."),
]


@anonymise_app.command("check")
def check(
    sources: Annotated[
        list[str] | None, typer.Argument(help="Source titles or ids (default: all sources).")
    ] = None,
    names: NamesOption = None,
    model: ModelOption = None,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """List names, e-mails, phones, URLs, ORCID iDs, IIN/BIN numbers and addresses, each with a
    suggested replacement (edit it and give the file to `apply --map`); exit 1 if any."""
    import pandas as pd

    from qualcode import anonymise

    project = open_db(db)
    with project.session(write=False) as session:
        findings = anonymise.check(session, sources or [], names, model)
        rows = anonymise.review_rows(session, findings)
    table = pd.DataFrame(rows, columns=anonymise.REVIEW_COLUMNS)
    if findings:
        emit(table, fmt, output)
        raise typer.Exit(1)
    typer.echo("nothing found that looks identifying", err=True)


@anonymise_app.command("apply")
def apply(
    map_file: Annotated[
        Path | None,
        typer.Option(
            "--map",
            help="A review file from `check --format csv`, or real,pseudonym rows.",
        ),
    ] = None,
    found: Annotated[
        bool,
        typer.Option("--found", help="Replace what `check` finds by its suggestions, at once."),
    ] = False,
    allow_unused: Annotated[
        bool,
        typer.Option("--allow-unused", help="Apply even if some map rows replace nothing."),
    ] = False,
    names: NamesOption = None,
    model: ModelOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Replace real names (and e-mails, phones...) in every source; codings stay on their words."""
    from qualcode import anonymise
    from qualcode.errors import InputError

    if (map_file is None) == (not found):
        raise InputError("anonymise apply: give either --map FILE or --found")
    project = open_db(db)
    if found:
        summary = project.transaction(lambda session: anonymise.apply_found(session, names, model))
    else:
        assert map_file is not None
        summary = project.transaction(
            lambda session: anonymise.apply_map(session, map_file, allow_unused)
        )
    for row in summary.unused:
        typer.echo(f"warning: map {row} replaced nothing", err=True)
    typer.echo(str(summary))
