"""`qualcode demo`: build the example project from the model thesis and open it."""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.cli.app import app, emit


@app.command("demo")
def demo(
    db: Annotated[
        str,
        typer.Option(
            "--db", help="Where to build it (a SQLite path or a PostgreSQL URL); rebuilt each time."
        ),
    ] = "qualcode-demo.db",
    no_tui: Annotated[
        bool, typer.Option("--no-tui", help="Print the theme report instead of opening the TUI.")
    ] = False,
) -> None:
    """Build the example project (Appendix A participants, notes, the Appendix B codebook, every
    quote coded) fresh, then open the TUI on it, or print its theme report."""
    from qualcode import demo as example

    project = example.fresh_project(db)
    summary = example.build(project)
    typer.echo(f"built {db}: {summary}")
    if not no_tui:
        try:
            from qualcode.tui.app import run_tui
        except ImportError:
            typer.echo("the TUI is not available in this build; use --no-tui", err=True)
            raise typer.Exit(1) from None
        run_tui(db, coder=example.CODER)
        return
    try:
        from qualcode.reports import themes
    except ImportError:
        from qualcode.formats.appendix import summary as themes_table

        emit(themes_table(project), "table", title="Themes (reported counts)")
    else:
        emit(themes(project, counts="reported"), "table", title="Themes (reported counts)")
    try:
        from qualcode.reports import funnel
    except ImportError:
        pass
    else:
        emit(funnel(project), "table", title="Funnel")
    typer.echo(example.funnel_note(project))
