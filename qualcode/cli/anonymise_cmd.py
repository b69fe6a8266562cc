"""`qualcode anonymise check|apply`: find identifying details; swap real names for pseudonyms."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.app import DbOption, Format, FormatOption, OutputOption, emit, open_db, sub_app

anonymise_app = sub_app("anonymise", "Check sources for identifying details; replace real names.")


@anonymise_app.command("check")
def check(
    sources: Annotated[
        list[str] | None, typer.Argument(help="Source titles or ids (default: all sources).")
    ] = None,
    names: Annotated[
        Path | None,
        typer.Option("--names", help="A private file of real names, one per line (not stored)."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="A trained spaCy pipeline for person names (NER).")
    ] = None,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    db: DbOption = "qualcode.db",
) -> None:
    """List names, e-mails, phones, URLs, IIN/BIN numbers and addresses; exit 1 if any."""
    import pandas as pd

    from qualcode import anonymise

    project = open_db(db)
    with project.session(write=False) as session:
        findings = anonymise.check(session, sources or [], names, model)
    table = pd.DataFrame(
        [(f.source, f.start, f.text, f.kind) for f in findings],
        columns=["source", "offset", "text", "kind"],
    )
    if findings:
        emit(table, fmt, output)
        raise typer.Exit(1)
    typer.echo("nothing found that looks identifying", err=True)


@anonymise_app.command("apply")
def apply(
    map_file: Annotated[
        Path, typer.Option("--map", help="CSV of real,pseudonym rows (header optional).")
    ],
    db: DbOption = "qualcode.db",
) -> None:
    """Replace real names by pseudonyms in every source; codings stay on the same words."""
    from qualcode import anonymise

    project = open_db(db)
    summary = project.transaction(lambda session: anonymise.apply_map(session, map_file))
    typer.echo(str(summary))
