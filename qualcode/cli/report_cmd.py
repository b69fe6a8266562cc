"""`qualcode report ...`: counts for the thesis, as tables or files."""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.cli.app import DbOption, FormatOption, OutputOption, emit, open_db, sub_app

report_app = sub_app("report", "Counts of codes, themes and participants.")

ParticipantsFilter = Annotated[
    str | None, typer.Option("--participants", help="Only these participants (comma-separated).")
]
CodersFilter = Annotated[
    str | None, typer.Option("--coders", help="Only these coders (comma-separated).")
]
KindFilter = Annotated[
    str | None, typer.Option("--kind", help="Only sources of this kind: interview or document.")
]
ThemesFilter = Annotated[
    str | None, typer.Option("--themes", help="Only codes in these themes (comma-separated).")
]


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else ()


def make_filters(participants, coders, kind, themes):
    from qualcode.reports import Filters

    return Filters(_split(participants), _split(coders), _split(kind), _split(themes))


@report_app.command("codes")
def report_codes(
    db: DbOption = "qualcode.db",
    fmt: FormatOption = "table",
    output: OutputOption = None,
    participants: ParticipantsFilter = None,
    coders: CodersFilter = None,
    kind: KindFilter = None,
    themes: ThemesFilter = None,
) -> None:
    """Per code: themes, number of codings, participants, status."""
    from qualcode import reports

    filters = make_filters(participants, coders, kind, themes)
    emit(reports.codes(open_db(db), filters), fmt, output, title="Codes")
