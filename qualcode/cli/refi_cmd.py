"""`qualcode refi import|export`: codebooks (.qdc) and projects (.qdpx) for other QDA tools."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.app import DEFAULT_DB, DbOption, open_db, sub_app

refi = sub_app("refi", "Exchange with NVivo, ATLAS.ti, MAXQDA, QualCoder: REFI-QDA .qdc / .qdpx.")

FileArg = Annotated[Path, typer.Argument(help="A .qdc codebook or a .qdpx project.")]
SUFFIXES = (".qdc", ".qdpx", ".qde")


class Reader(StrEnum):
    """Whose way of counting positions an exported .qdpx uses (see docs/refi.md)."""

    standard = "standard"
    nvivo = "nvivo"
    atlas = "atlas"
    maxqda = "maxqda"


def _kind(path: Path, allowed: tuple[str, ...] = SUFFIXES) -> str:
    from qualcode.errors import InputError

    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise InputError(
            f"{path}: REFI-QDA files end in .qdc (codebook) or .qdpx (project)"
            + (" or .qde (a project's XML alone)" if ".qde" in allowed else "")
        )
    return suffix


@refi.command("export")
def export(
    file: FileArg,
    for_: Annotated[
        Reader,
        typer.Option(
            "--for",
            help="Write positions (and line breaks) as this reader counts them: standard "
            "(code points), nvivo (UTF-16 units, CR+LF), atlas, maxqda.",
        ),
    ] = Reader.standard,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the codebook (.qdc) or the whole project (.qdpx)."""
    from qualcode.formats import refi as exchange

    kind = _kind(file, (".qdc", ".qdpx"))
    project = open_db(db)
    if kind == ".qdc":
        exchange.export_codebook(project, file)
    else:
        exchange.export_project(project, file, for_.value)
    typer.echo(f"wrote {file}")


@refi.command("import")
def import_(
    file: FileArg,
    allow_outside: Annotated[
        Path | None,
        typer.Option(
            "--allow-outside",
            help="A bare .qde only: read source texts it names from inside this folder.",
            file_okay=False,
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Merge a .qdc, .qdpx or .qde into the project (by GUID, then by name); all or nothing."""
    from qualcode.errors import InputError
    from qualcode.formats import refi as exchange

    kind = _kind(file)
    if allow_outside is not None and kind != ".qde":
        raise InputError(
            f"{file}: --allow-outside is for a bare .qde; a .qdpx reads texts only from inside"
        )
    project = open_db(db)
    try:
        if kind == ".qdc":
            summary = exchange.import_codebook(project, file)
        else:
            summary = exchange.import_project(project, file, allow_outside=allow_outside)
    except exchange.NothingImported as exc:
        for warning in exc.summary.warnings:
            typer.echo(f"warning: {warning}", err=True)
        raise
    for line in summary.lines():
        typer.echo(line)
    for warning in summary.warnings:
        typer.echo(f"warning: {warning}", err=True)
