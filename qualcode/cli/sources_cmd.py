"""`qualcode import FILE...`: interview notes and documents become segmented sources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.app import DbOption, app, open_db


@app.command("import")
def import_files(
    files: Annotated[
        list[Path], typer.Argument(help="Notes or documents (.txt, .md, .docx, .odt, .pdf).")
    ],
    participant: Annotated[
        str | None, typer.Option(help="The interviewee these notes belong to.")
    ] = None,
    kind: Annotated[str, typer.Option(help="interview or document.")] = "interview",
    language: Annotated[str, typer.Option(help="Language code, e.g. en, ru, kk.")] = "en",
    title: Annotated[str | None, typer.Option(help="Title (default: the file name).")] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="Text encoding, e.g. cp1251 (default: UTF-8, UTF-16 or detected)."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(help="An installed trained spaCy pipeline for sentences (default: blank)."),
    ] = None,
    db: DbOption = "qualcode.db",
) -> None:
    """Import files as sources; each file all or nothing, failures named at the end."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    from qualcode import nlp, sources
    from qualcode.errors import InputError, QualcodeError

    if title and len(files) > 1:
        raise InputError("--title names one file; import the files one by one")
    if model:
        nlp.pipeline(language, model)  # a missing model fails once, before any file
    project = open_db(db)
    options = sources.SourceOptions(participant, kind, language, title, encoding, model)
    failed: list[str] = []
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn())
    # Bars only on a terminal: in a pipe or a log they would be noise around the one-line errors.
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        overall = bar.add_task("files", total=len(files))
        current = bar.add_task("", total=None)
        for path in files:
            bar.update(current, description=path.name, completed=0, total=None)

            def progress(done: int, total: int) -> None:
                bar.update(current, completed=done, total=total)

            try:
                source_id = sources.import_file(project, path, options, progress)
            except QualcodeError as exc:
                if len(files) == 1:
                    raise
                console.print(
                    f"qualcode: error: {exc}", markup=False, highlight=False, soft_wrap=True
                )
                failed.append(str(path))
            else:
                typer.echo(f"{path}: imported as source #{source_id}")
            bar.advance(overall)
        bar.update(current, visible=False)
    if failed:
        raise InputError(f"{len(failed)} of {len(files)} files not imported: {', '.join(failed)}")
