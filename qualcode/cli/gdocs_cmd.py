"""`qualcode gdocs import|themes`: the thesis team's Google Docs comments and Sheets themes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.app import DEFAULT_DB, DbOption, open_db, sub_app

gdocs_app = sub_app("gdocs", "Google Docs exports: comments as codings, a sheet of themes.")


@gdocs_app.command("import")
def import_doc(
    file: Annotated[Path, typer.Argument(help="A Google Docs document downloaded as .docx.")],
    participant: Annotated[str, typer.Option(help="The interviewee the notes belong to.")],
    coder_map: Annotated[
        list[str] | None,
        typer.Option(
            "--coder-map", help="AUTHOR=CODER: record a comment author as this coder (repeat)."
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title (default: the file name).")] = None,
    kind: Annotated[str, typer.Option(help="interview or document.")] = "interview",
    language: Annotated[
        str | None,
        typer.Option(help="Force one language, e.g. en, ru, kk (default: each paragraph's own)."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="An installed trained spaCy pipeline for sentences.")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import the document as a source; each comment codes the text it is anchored to."""
    from qualcode.errors import InputError
    from qualcode.formats import gdocs
    from qualcode.sources import SourceOptions

    mapping: dict[str, str] = {}
    for item in coder_map or []:
        author, sep, coder = item.partition("=")
        if not sep or not author.strip() or not coder.strip():
            raise InputError(f"--coder-map {item!r}: write AUTHOR=CODER")
        mapping[author.strip()] = coder.strip()
    project = open_db(db)
    options = SourceOptions(participant, kind, language, title, None, model)
    typer.echo(str(gdocs.import_gdocs(project, file, options, mapping)))


@gdocs_app.command("themes")
def themes(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx with code, theme, sub-theme.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Create the sheet's themes and sub-themes and assign each code to its theme."""
    from qualcode.formats import gdocs

    project = open_db(db)
    summary = project.transaction(lambda session: gdocs.apply_theme_sheet(session, file))
    typer.echo(str(summary))
