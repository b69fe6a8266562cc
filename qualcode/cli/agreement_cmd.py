"""`qualcode agreement`: inter-coder reliability per code and overall."""

from __future__ import annotations

from typing import Annotated

import typer

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
from qualcode.cli.report_cmd import split_names


@app.command("agreement")
def agreement(
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    coders: Annotated[
        str | None,
        typer.Option("--coders", help="Coders to compare (comma-separated); default: all."),
    ] = None,
    unit: Annotated[
        str, typer.Option("--unit", help="excerpt, sentence or paragraph.")
    ] = "excerpt",
    codes: Annotated[
        str | None, typer.Option("--codes", help="Only these codes (comma-separated).")
    ] = None,
) -> None:
    """Percent agreement, Cohen's kappa (two coders), Krippendorff's alpha, per code and overall."""
    from qualcode.agreement import agreement as compute

    df = compute(open_db(db), split_names(coders), unit, split_names(codes))
    emit(df, fmt, output, title=f"Agreement of {', '.join(df.attrs['coders'])} by {unit}")
