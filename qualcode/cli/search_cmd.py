"""`qualcode search PATTERN`: keyword in context across sources, and coding every hit."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from qualcode import wording
from qualcode.cli.app import (
    DEFAULT_DB,
    DbOption,
    Format,
    FormatOption,
    OutputOption,
    app,
    emit,
    open_db,
)
from qualcode.cli.report_cmd import all_codings, filtered


@app.command("search")
@filtered(only=("participants", "kind", "where", "speaker", "no_interviewer"))
def search(
    pattern: Annotated[str, typer.Argument(help="Words to find (ignoring case), or a regex.")],
    regex: Annotated[
        bool, typer.Option("--regex", help="PATTERN is a Python regular expression.")
    ] = False,
    unit: Annotated[
        str,
        typer.Option(
            "--unit", help="What a hit is: match, sentence, paragraph or turn (its speaker turn)."
        ),
    ] = "match",
    code: Annotated[
        str | None,
        typer.Option("--code", help="Code every hit with this code, in one undoable step."),
    ] = None,
    coder: Annotated[
        str | None, typer.Option(help="Who codes (default: $QUALCODE_CODER or the last coder).")
    ] = None,
    no_create: Annotated[
        bool, typer.Option("--no-create", help="Refuse an unknown --code instead of creating it.")
    ] = False,
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    filters: Any = None,
) -> None:
    """Find PATTERN in every source (keyword in context, with addresses); --code codes the hits."""
    from qualcode import search as searching

    project = open_db(db)
    hits = searching.search(project, pattern, regex=regex, unit=unit, filters=all_codings(filters))
    counted = wording.counted(len(hits), "hit")
    if code is not None:
        done = searching.code_hits(
            project, hits, code, coder=coder, create=not no_create, label=f"search {pattern!r}"
        )
        typer.echo(
            f"coded {counted} with {code!r}: {done.applied} new codings, "
            f"{done.already} already there (one step: undo takes it back)"
        )
        return
    emit(searching.kwic(project, hits), fmt, output, title=f"{pattern}: {counted}")
    if fmt != "table" or output is not None:
        typer.echo(counted, err=True)
