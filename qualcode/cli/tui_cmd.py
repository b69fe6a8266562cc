"""`qualcode open`: the coding workbench (a Textual app) on a project."""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.cli.app import DEFAULT_DB, DbOption, app


@app.command("open")
def open_cmd(
    db: DbOption = DEFAULT_DB,
    coder: Annotated[
        str | None,
        typer.Option(
            "--coder",
            help="Who is coding (remembered for this project; default: the last coder, "
            "$QUALCODE_CODER or your login name).",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Open this source (title or id) straight away."),
    ] = None,
) -> None:
    """Open the coding workbench: code sources, shape the codebook, read the counts."""
    from qualcode.cli.app import open_db
    from qualcode.tui.app import run_tui

    open_db(db).close()  # a missing file or a foreign database is a one-line error here
    run_tui(db, coder, source)
