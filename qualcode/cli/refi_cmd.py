"""`qualcode refi import|export`: codebooks (.qdc) and projects (.qdpx) for other QDA tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.app import DbOption, open_db, sub_app

refi = sub_app("refi", "Exchange with NVivo, ATLAS.ti, MAXQDA, QualCoder: REFI-QDA .qdc / .qdpx.")

FileArg = Annotated[Path, typer.Argument(help="A .qdc codebook or a .qdpx project.")]
SUFFIXES = (".qdc", ".qdpx")


def _kind(path: Path) -> str:
    from qualcode.errors import InputError

    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{path}: REFI-QDA files end in .qdc (codebook) or .qdpx (project)")
    return suffix


@refi.command("export")
def export(file: FileArg, db: DbOption = "qualcode.db") -> None:
    """Write the codebook (.qdc) or the whole project (.qdpx)."""
    from qualcode.formats import refi as exchange

    kind = _kind(file)
    project = open_db(db)
    if kind == ".qdc":
        exchange.export_codebook(project, file)
    else:
        exchange.export_project(project, file)
    typer.echo(f"wrote {file}")


@refi.command("import")
def import_(file: FileArg, db: DbOption = "qualcode.db") -> None:
    """Merge a .qdc or .qdpx into the project (by GUID, then by name); all or nothing."""
    from qualcode.formats import refi as exchange

    kind = _kind(file)
    project = open_db(db, create=True)
    if kind == ".qdc":
        summary = exchange.import_codebook(project, file)
    else:
        summary = exchange.import_project(project, file)
    for line in summary.lines():
        typer.echo(line)
    for warning in summary.warnings:
        typer.echo(f"warning: {warning}", err=True)
