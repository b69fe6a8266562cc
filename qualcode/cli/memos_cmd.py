"""`qualcode memos list | export`: the memos of the project, sources, codes, themes, excerpts and
codings, outside the TUI."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from qualcode.cli.app import (
    DEFAULT_DB,
    DbOption,
    Format,
    FormatOption,
    OutputOption,
    emit,
    open_db,
    sub_app,
)

memos_app = sub_app("memos", "Memos on the project, sources, codes, themes, excerpts, codings.")

KindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        help="Only memos on these (comma-separated): project, source, code, theme, excerpt, "
        "coding.",
    ),
]


class MemoFormat(StrEnum):
    md = "md"
    docx = "docx"
    csv = "csv"


def _kinds(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in value.split(",") if v.strip()) if value else ()


@memos_app.command("list")
def memos_list(
    kind: KindOption = None,
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
) -> None:
    """Every memo: kind, what it is on, title, text, coder, date, quote."""
    from qualcode import memos

    emit(memos.memos(open_db(db), _kinds(kind)), fmt, output, title="Memos")


@memos_app.command("export")
def memos_export(
    fmt: Annotated[
        MemoFormat, typer.Option("--format", "-f", help="md or docx (a document) or csv.")
    ] = MemoFormat.md,
    output: OutputOption = None,
    kind: KindOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """The memos as a document to read or quote (md, docx) or a sheet (csv)."""
    from qualcode.formats import memos

    text = memos.export(open_db(db), fmt.value, output, _kinds(kind))
    if output is None:
        sys.stdout.write(text)
    else:
        typer.echo(f"wrote {output}", err=True)
