"""`qualcode examples DIR`: the shipped example files in a folder of the user's."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.app import app


@app.command("examples")
def examples(
    folder: Annotated[Path, typer.Argument(help="Where to copy them (created if missing).")],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite example files already there.")
    ] = False,
) -> None:
    """Copy the shipped example files (participants, notes, manifest, codebook) to FOLDER, so
    that the README's tour runs from there."""
    from qualcode.examples_copy import copy_examples

    written = copy_examples(folder, overwrite=force)
    typer.echo(f"{folder}: {len(written)} example files (examples/, codebooks/)")
