"""`qualcode import FILE...`: interview notes and documents become sources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.app import DbOption, app, open_db


@app.command("import")
def import_files(
    files: Annotated[list[Path], typer.Argument(help="Notes or documents (.txt, .md).")],
    participant: Annotated[
        str | None, typer.Option(help="The interviewee these notes belong to.")
    ] = None,
    kind: Annotated[str, typer.Option(help="interview or document.")] = "interview",
    language: Annotated[str, typer.Option(help="Language code, e.g. en, ru, kk.")] = "en",
    title: Annotated[str | None, typer.Option(help="Title (default: the file name).")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding, e.g. cp1251 (default: UTF-8).")
    ] = None,
    db: DbOption = "qualcode.db",
) -> None:
    """Import files as sources; each file all or nothing, failures named at the end."""
    from qualcode import sources
    from qualcode.errors import InputError, QualcodeError

    if title and len(files) > 1:
        raise InputError("--title names one file; import the files one by one")
    project = open_db(db)
    options = sources.SourceOptions(participant, kind, language, title, encoding)
    failed: list[str] = []
    for path in files:
        try:
            source_id = sources.import_file(project, path, options)
        except QualcodeError as exc:
            if len(files) == 1:
                raise
            typer.echo(f"qualcode: error: {exc}", err=True)
            failed.append(str(path))
        else:
            typer.echo(f"{path}: imported as source #{source_id}")
    if failed:
        raise InputError(f"{len(failed)} of {len(files)} files not imported: {', '.join(failed)}")
