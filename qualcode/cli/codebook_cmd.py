"""`qualcode codebook ...`: codebook files in and out, the appendix table, and codebook edits."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from qualcode.cli.app import (
    DEFAULT_DB,
    DbOption,
    Format,
    FormatOption,
    OutputOption,
    emit,
    name_project,
    open_db,
    sub_app,
)

codebook_app = sub_app("codebook", "Codes and themes: files in and out, merge, exclude, assign.")
theme_app = typer.Typer(name="theme", help="Themes and sub-themes.", no_args_is_help=True)
codebook_app.add_typer(theme_app, name="theme")


class ExportFormat(StrEnum):
    yaml = "yaml"
    csv = "csv"
    qdc = "qdc"
    table = "table"
    md = "md"
    xlsx = "xlsx"
    docx = "docx"
    tex = "tex"


CoderOption = Annotated[
    str | None, typer.Option("--coder", help="Who makes the change (for the event log).")
]


def _edit(db: str, coder: str | None, work: Any) -> Any:
    """Run ``work(session, coder)`` in one write transaction on the project."""
    from qualcode import lookup

    project = open_db(db)
    return project.transaction(lambda s: work(s, lookup.coder(s, coder)))


@codebook_app.command("import")
def codebook_import(
    file: Annotated[Path, typer.Argument(help="A codebook: .yaml/.yml, .csv or .qdc (REFI-QDA).")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import a codebook file: codes, themes, links and quoted participants, all or nothing."""
    from qualcode.formats import codebook_files

    summary: Any = None
    if file.suffix.lower() != ".qdc":  # a SQLite project: sqlite3, no SQLAlchemy (if it can)
        from qualcode.codebook_light import import_book

        name_project(db)
        summary = import_book(db, codebook_files.load(file), str(file))
    if summary is None:
        summary = codebook_files.import_codebook(open_db(db), file)
    typer.echo(f"{file}: {summary}", err=True)


@codebook_app.command("export")
def codebook_export(
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="yaml, csv or qdc (the codebook file); with --appendix: table, md, csv, xlsx, "
            "docx or tex.",
        ),
    ] = None,
    appendix: Annotated[
        bool, typer.Option("--appendix", help="Print the codebook as a thesis appendix table.")
    ] = False,
    output: OutputOption = None,
    counts: Annotated[
        str,
        typer.Option(
            "--counts",
            help="Number of codes (--appendix): codings, participants, excerpts, or reported "
            "(the tallies of an imported printed codebook, in its printed order).",
        ),
    ] = "codings",
    max_quote_words: Annotated[
        int,
        typer.Option(
            "--max-quote-words", help="Cut longer example quotes with [...] (0: never cut)."
        ),
    ] = 60,
    paper: Annotated[
        str, typer.Option("--paper", help="docx page size (--appendix): a4 or letter.")
    ] = "a4",
    landscape: Annotated[
        bool, typer.Option("--landscape", help="docx pages in landscape (--appendix).")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Export the codebook as a file (yaml, csv, qdc) or as an appendix table (--appendix)."""
    import sys

    project = open_db(db)
    if appendix:
        from qualcode.formats import appendix as appendix_table

        layout = appendix_table.Layout(counts, max_quote_words, paper.lower(), landscape)
        text = appendix_table.render(project, (fmt or ExportFormat.table).value, output, layout)
    else:
        from qualcode.formats import codebook_files

        text = codebook_files.export_codebook(project, (fmt or ExportFormat.yaml).value, output)
    if text is not None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        typer.echo(f"wrote {output}", err=True)


@codebook_app.command("example")
def codebook_example(
    code: Annotated[str, typer.Argument(help="The code.")],
    excerpt: Annotated[
        str | None,
        typer.Argument(
            help="The coded excerpt to quote: #ID or any address `code` takes (SOURCE:START-END, "
            "SOURCE:sN, SOURCE:pN); without it, show the example the appendix prints."
        ),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Forget the chosen example (back to the default rule).")
    ] = False,
    db: DbOption = DEFAULT_DB,
    coder: CoderOption = None,
) -> None:
    """Choose the excerpt the appendix quotes for a code (undoable), or show the current one."""
    from qualcode import code_examples, codebook, lookup
    from qualcode.errors import InputError

    if excerpt is not None and clear:
        raise InputError("give EXCERPT or --clear, not both")
    if excerpt is None and not clear:
        project = open_db(db)
        with project.session(write=False) as session:
            found = lookup.get_code(session, code)
            quote = code_examples.example_of(session, found)
            name = found.name
        origin = f" ({quote.origin})" if quote is not None else ""
        typer.echo(f"{name}: {code_examples.cite(quote)}{origin}")
        return

    def work(session, who):
        found = lookup.get_code(session, code)
        chosen = codebook.example_excerpt(session, excerpt) if excerpt is not None else None
        codebook.set_example(session, found, chosen, who)
        return found.name, chosen.id if chosen is not None else None

    name, excerpt_id = _edit(db, coder, work)
    if excerpt_id is None:
        typer.echo(f"{name!r}: example cleared (the default rule applies)", err=True)
    else:
        typer.echo(f"{name!r}: example is excerpt #{excerpt_id}", err=True)


@codebook_app.command("list")
def codebook_list(
    db: DbOption = DEFAULT_DB, fmt: FormatOption = Format.table, output: OutputOption = None
) -> None:
    """The codes in codebook order: themes, reported count, status, example's participant."""
    from qualcode import codebook_sync

    emit(codebook_sync.codebook_frame(open_db(db)), fmt, output, title="Codebook")


@codebook_app.command("rename")
def codebook_rename(
    old: str, new: str, db: DbOption = DEFAULT_DB, coder: CoderOption = None
) -> None:
    """Rename a code (names are unique, ignoring case)."""
    from qualcode import codebook, lookup

    _edit(db, coder, lambda s, c: codebook.rename_code(s, lookup.get_code(s, old), new, c))
    typer.echo(f"renamed {old!r} to {new!r}", err=True)


@codebook_app.command("merge")
def codebook_merge(
    keep: Annotated[str, typer.Argument(help="The code that stays.")],
    merged: Annotated[str, typer.Argument(help="The code merged into it (kept, marked merged).")],
    db: DbOption = DEFAULT_DB,
    coder: CoderOption = None,
) -> None:
    """Merge a code into another: its codings move; it stays in the audit trail as merged."""
    from qualcode import codebook, lookup

    moved = _edit(
        db,
        coder,
        lambda s, c: codebook.merge_codes(
            s, lookup.get_code(s, keep), lookup.get_code(s, merged), c
        ),
    )
    typer.echo(f"merged {merged!r} into {keep!r}: {moved} codings moved", err=True)


@codebook_app.command("exclude")
def codebook_exclude(
    code: str,
    reason: Annotated[str, typer.Option("--reason", help="Why the code is left out.")],
    db: DbOption = DEFAULT_DB,
    coder: CoderOption = None,
) -> None:
    """Leave a code out of the analysis (its codings stay), with a reason."""
    from qualcode import codebook, lookup

    _edit(db, coder, lambda s, c: codebook.exclude_code(s, lookup.get_code(s, code), reason, c))
    typer.echo(f"excluded {code!r}", err=True)


@codebook_app.command("include")
def codebook_include(code: str, db: DbOption = DEFAULT_DB, coder: CoderOption = None) -> None:
    """Take an excluded code back into the analysis."""
    from qualcode import codebook, lookup

    _edit(db, coder, lambda s, c: codebook.include_code(s, lookup.get_code(s, code), c))
    typer.echo(f"included {code!r}", err=True)


@codebook_app.command("assign")
def codebook_assign(
    code: str, theme: str, db: DbOption = DEFAULT_DB, coder: CoderOption = None
) -> None:
    """Put a code in a theme (a code can be in several)."""
    from qualcode import codebook, lookup

    added = _edit(
        db,
        coder,
        lambda s, c: codebook.assign_code(
            s, lookup.get_code(s, code), lookup.get_theme(s, theme), c
        ),
    )
    typer.echo(f"{code!r} {'assigned to' if added else 'is already in'} {theme!r}", err=True)


@theme_app.command("add")
def theme_add(
    name: str,
    parent: Annotated[str | None, typer.Option("--parent", help="Make it a sub-theme.")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    db: DbOption = DEFAULT_DB,
    coder: CoderOption = None,
) -> None:
    """Create a theme, or a sub-theme with --parent."""
    from qualcode import codebook, lookup

    _edit(
        db,
        coder,
        lambda s, c: codebook.create_theme(
            s,
            name,
            parent=lookup.get_theme(s, parent) if parent else None,
            description=description,
            coder=c,
        ),
    )
    typer.echo(f"added theme {name!r}", err=True)
