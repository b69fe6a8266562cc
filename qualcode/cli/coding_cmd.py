"""`qualcode code TARGET CODE`: scriptable coding."""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.cli.app import DbOption, app, open_db


@app.command("code")
def code(
    target: Annotated[
        str,
        typer.Argument(
            help="#EXCERPT, SOURCE:START-END (characters), SOURCE:sN (sentence) or SOURCE:pN "
            "(paragraph); SOURCE is a title or an id."
        ),
    ],
    code_name: Annotated[str, typer.Argument(metavar="CODE", help="Code name (created if new).")],
    coder: Annotated[
        str | None, typer.Option(help="Who codes (default: $QUALCODE_CODER or the last coder).")
    ] = None,
    memo: Annotated[str | None, typer.Option(help="A memo on this coding.")] = None,
    no_create: Annotated[
        bool, typer.Option("--no-create", help="Refuse unknown codes instead of creating them.")
    ] = False,
    db: DbOption = "qualcode.db",
) -> None:
    """Apply a code to a range of a source."""
    from qualcode.coding import code_range

    project = open_db(db)

    def work(session):
        coding = code_range(session, target, code_name, coder, create=not no_create, memo=memo)
        excerpt = coding.excerpt
        return coding.id, excerpt.start, excerpt.end, coding.coder.name

    coding_id, start, end, who = project.transaction(work)
    typer.echo(f"coded {target} [{start}-{end}] with {code_name!r} by {who} (coding #{coding_id})")
