"""`qualcode code TARGET CODE`: scriptable coding (or many codings: `--from FILE.csv`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.app import DEFAULT_DB, DbOption, app, name_project, open_db


@app.command("code")
def code(
    target: Annotated[
        str | None,
        typer.Argument(
            help="#EXCERPT, SOURCE:START-END (characters), SOURCE:sN (sentence), SOURCE:pN "
            "(paragraph), SOURCE:pN.sM (sentence M of paragraph N) or SOURCE:tN (speaker turn); "
            "SOURCE is a title or an id."
        ),
    ] = None,
    code_name: Annotated[
        str | None, typer.Argument(metavar="CODE", help="Code name (created if new).")
    ] = None,
    coder: Annotated[
        str | None, typer.Option(help="Who codes (default: $QUALCODE_CODER or the last coder).")
    ] = None,
    memo: Annotated[str | None, typer.Option(help="A memo on this coding.")] = None,
    no_create: Annotated[
        bool, typer.Option("--no-create", help="Refuse unknown codes instead of creating them.")
    ] = False,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Apply every coding in this CSV (columns source, start, end, code[, coder, memo]; "
            "or a target column with any TARGET address instead of source, start and end, mixed "
            "freely row by row) in one transaction, instead of TARGET CODE.",
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Apply a code to a range of a source, or every coding in a CSV file (--from)."""
    from qualcode.errors import InputError

    if from_file is not None:
        if target is not None or code_name is not None:
            raise InputError("give either TARGET CODE or --from FILE.csv, not both")
        from qualcode.bulk import apply_csv

        bulk = apply_csv(open_db(db), from_file, coder=coder, create=not no_create)
        typer.echo(
            f"{from_file}: {bulk.applied} codings applied, {bulk.already} already there"
            f" ({bulk.excerpts_created} new excerpts, {len(bulk.codes_created)} new codes)"
        )
        return
    if target is None or code_name is None:
        raise InputError("give TARGET and CODE, or --from FILE.csv")
    from qualcode.coding_light import code_light

    name_project(db)
    done = code_light(db, target, code_name, coder, memo=memo, create=not no_create)
    if done is None:  # not a SQLite project at the compiled revision, or an error to report
        from qualcode.coding import code_one

        done = code_one(open_db(db), target, code_name, coder, memo=memo, create=not no_create)
    coding_id, start, end, who = done
    typer.echo(f"coded {target} [{start}-{end}] with {code_name!r} by {who} (coding #{coding_id})")
