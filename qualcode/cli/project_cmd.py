"""`qualcode init` and `qualcode db upgrade|current`."""

from __future__ import annotations

import typer

from qualcode.cli.app import DEFAULT_DB, DbOption, app, name_project, open_db, sub_app

db_app = sub_app("db", "The project's database: schema revision and upgrades.")


@app.command()
def init(db: DbOption = DEFAULT_DB) -> None:
    """Create a project (a SQLite file, or the schema on a PostgreSQL server)."""
    from qualcode.project_file import display_name
    from qualcode.schema_script import create_sqlite

    name_project(db)
    revision = create_sqlite(db)  # a new SQLite file: the schema compiled ahead, no Alembic
    if revision is None:
        from qualcode.db import current_revision

        project = open_db(db, create=True)
        revision = current_revision(project)
        project.close()
    typer.echo(f"project ready: {display_name(db)} (schema {revision})")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = DEFAULT_DB) -> None:
    """Bring the schema up to this qualcode's revision (opening a project does it too)."""
    from qualcode.db import current_revision

    project = open_db(db)
    typer.echo(f"schema at {current_revision(project)} (head)")
    project.close()


@db_app.command("current")
def db_current(db: DbOption = DEFAULT_DB) -> None:
    """Show the schema revision of the project and the one this qualcode expects."""
    from qualcode.db import current_revision, head_revision, known_revisions

    project = open_db(db, migrate=False)
    current = current_revision(project)
    project.close()
    head = head_revision()
    if current == head:
        state = "up to date"
    elif current is not None and current not in known_revisions():
        state = f"ahead: made by a newer qualcode; this one knows up to {head}, upgrade qualcode"
    else:
        state = f"behind: qualcode expects {head}"
    typer.echo(f"{current or 'empty'} ({state})")
