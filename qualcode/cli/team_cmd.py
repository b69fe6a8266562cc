"""`qualcode team ...`, `qualcode backup|restore FILE` and `qualcode db check`."""

from __future__ import annotations

from pathlib import Path
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
    sub_app,
)
from qualcode.cli.project_cmd import db_app

team_app = sub_app("team", "Coding as a team: blind mode, status, reconciliation.")


@team_app.command("mode")
def team_mode(
    mode: Annotated[
        str, typer.Argument(metavar="blind|reconcile", help="blind: each coder sees only their own")
    ],
    coder: Annotated[str | None, typer.Option(help="Who switches (for the log).")] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Switch the project to blind (independent) coding or to reconciliation."""
    from qualcode import team

    def work(session):
        return team.set_mode(session, mode.strip().lower(), team.ensure_coder(session, coder))

    old = open_db(db).transaction(work)
    typer.echo(f"team mode: {mode.strip().lower()} (was {old})")


@team_app.command("status")
def team_status(
    db: DbOption = DEFAULT_DB, fmt: FormatOption = Format.table, output: OutputOption = None
) -> None:
    """The mode and, per coder, how much they have coded."""
    from qualcode import team

    mode, df = team.status(open_db(db))
    typer.echo(f"team mode: {mode}", err=fmt != "table")
    emit(df, fmt, output, title="Coders")


@team_app.command("reconcile")
def team_reconcile(
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Show it even in blind mode (reveals the codings).")
    ] = False,
) -> None:
    """Excerpts where coders disagree: a code one coder applied and another did not."""
    from qualcode import team

    emit(team.disagreements(open_db(db), force=force), fmt, output, title="Disagreements")


@app.command("backup")
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write.")],
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace FILE.")] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Copy the whole project into FILE (SQLite online backup; pg_dump for a server)."""
    from qualcode import backup as backups

    project = open_db(db)
    backups.backup(project, file, overwrite=overwrite)
    project.close()
    typer.echo(f"backed up {backups.label(project)} to {file}")


@app.command("restore")
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by 'qualcode backup'.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a project that holds data.")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Restore a backup into an empty project (or over one with --force)."""
    from qualcode import backup as backups
    from qualcode.db import current_revision

    backups.check_backup(file)  # a damaged or newer backup is refused before the project is touched
    # Not migrated: restoring over a project that a newer qualcode made must stay possible.
    project = open_db(db, create=True, migrate=False)
    where = backups.label(project)
    backups.restore(project, file, force=force)
    reopened = open_db(db)  # upgrades a backup made by an older qualcode
    typer.echo(f"restored {file} into {where} (schema {current_revision(reopened)})")
    reopened.close()


@db_app.command("check")
def db_check(db: DbOption = DEFAULT_DB) -> None:
    """Check the database: integrity, foreign keys, excerpt ranges, schema revision."""
    from qualcode import integrity
    from qualcode.db import display_name
    from qualcode.errors import ProjectError

    project = open_db(db, migrate=False)
    db = display_name(db)
    problems = integrity.check(project)
    rows = sum(integrity.counts(project).values())
    project.close()
    for problem in problems:
        typer.echo(problem)
    if problems:
        found = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        raise ProjectError(f"{db}: {found} found (listed above)")
    typer.echo(f"{db}: ok ({rows} rows checked)")
