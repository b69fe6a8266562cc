"""`qualcode report ...`: counts for the thesis, as tables or files."""

from __future__ import annotations

from pathlib import Path
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


def split_names(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else ()


def make_filters(participants, coders, kind, themes):
    from qualcode.reports import Filters

    return Filters(*(split_names(v) for v in (participants, coders, kind, themes)))


def _table_report(name: str, function: str, title: str, help: str) -> None:
    """Register `qualcode report NAME`: one reports function, the filters, and emit."""

    @report_app.command(name, help=help)
    def command(
        db: DbOption = "qualcode.db",
        fmt: FormatOption = "table",
        output: OutputOption = None,
        participants: ParticipantsFilter = None,
        coders: CodersFilter = None,
        kind: KindFilter = None,
        themes: ThemesFilter = None,
    ) -> None:
        from qualcode import reports

        filters = make_filters(participants, coders, kind, themes)
        emit(getattr(reports, function)(open_db(db), filters), fmt, output, title=title)


_table_report(
    "codes", "codes", "Codes", "Per code: themes, number of codings, participants, status."
)
_table_report(
    "participants",
    "participants",
    "Participants",
    "Per participant: sources, codings and distinct codes.",
)
_table_report(
    "sources",
    "sources",
    "Sources",
    "Per source: kind, participant, coded excerpts, codings and distinct codes.",
)


ChartOption = Annotated[
    Path | None,
    typer.Option("--chart", help="Also draw a chart to FILE.png or FILE.svg."),
]
PresenceOption = Annotated[
    bool, typer.Option("--presence", help="1/0 for coded or not, instead of numbers of codings.")
]


def _emit_with_chart(df, chart: Path | None, draw: str, chart_title: str, fmt, output, title):
    """Emit a report, drawing it first with ``charts.<draw>`` when --chart names a file."""
    if chart is not None:
        from qualcode import charts

        getattr(charts, draw)(df, chart, title=chart_title)
        typer.echo(f"wrote {chart}", err=True)
    emit(df, fmt, output, title=title)


@report_app.command("themes")
def report_themes(
    db: DbOption = "qualcode.db",
    fmt: FormatOption = "table",
    output: OutputOption = None,
    counts: Annotated[
        str,
        typer.Option("--counts", help="observed (codings) or reported (imported tallies)."),
    ] = "observed",
    chart: ChartOption = None,
    participants: ParticipantsFilter = None,
    coders: CodersFilter = None,
    kind: KindFilter = None,
    themes: ThemesFilter = None,
) -> None:
    """Per theme and sub-theme: codes, count, participants; then a Total row."""
    from qualcode import reports

    filters = make_filters(participants, coders, kind, themes)
    df = reports.themes(open_db(db), counts, filters)
    _emit_with_chart(
        df, chart, "themes_bar", f"Codes per theme ({counts} counts)", fmt, output, "Themes"
    )


@report_app.command("matrix")
def report_matrix(
    db: DbOption = "qualcode.db",
    fmt: FormatOption = "table",
    output: OutputOption = None,
    presence: PresenceOption = False,
    chart: ChartOption = None,
    participants: ParticipantsFilter = None,
    coders: CodersFilter = None,
    kind: KindFilter = None,
    themes: ThemesFilter = None,
) -> None:
    """Code x participant: codings (or 1/0 with --presence); --chart draws a heat map."""
    from qualcode import reports

    filters = make_filters(participants, coders, kind, themes)
    df = reports.matrix(open_db(db), filters, presence=presence)
    title = "Codes by participant"
    _emit_with_chart(df, chart, "heatmap", title, fmt, output, title)


@report_app.command("cooccurrence")
def report_cooccurrence(
    db: DbOption = "qualcode.db",
    fmt: FormatOption = "table",
    output: OutputOption = None,
    chart: ChartOption = None,
    participants: ParticipantsFilter = None,
    coders: CodersFilter = None,
    kind: KindFilter = None,
    themes: ThemesFilter = None,
) -> None:
    """Code x code: overlapping coded spans, one coded with each code."""
    from qualcode import reports

    filters = make_filters(participants, coders, kind, themes)
    df = reports.cooccurrence(open_db(db), filters)
    title = "Code co-occurrence"
    _emit_with_chart(df, chart, "heatmap", title, fmt, output, title)


@report_app.command("funnel")
def report_funnel(
    db: DbOption = "qualcode.db",
    fmt: FormatOption = "table",
    output: OutputOption = None,
    participants: ParticipantsFilter = None,
    coders: CodersFilter = None,
    kind: KindFilter = None,
    themes: ThemesFilter = None,
) -> None:
    """Code applications -> unique codes -> codes used, beside the thesis's 556 / 226 / 197."""
    from qualcode import reports

    filters = make_filters(participants, coders, kind, themes)
    emit(reports.funnel(open_db(db), filters), fmt, output, title="Codes funnel")


@report_app.command("by-attribute")
def report_by_attribute(
    attribute: Annotated[
        str,
        typer.Argument(
            help="A participant attribute (e.g. profession) or organisation, role, location, mode."
        ),
    ],
    db: DbOption = "qualcode.db",
    fmt: FormatOption = "table",
    output: OutputOption = None,
    presence: Annotated[
        bool, typer.Option("--presence", help="Count participants, not codings.")
    ] = False,
    participants: ParticipantsFilter = None,
    coders: CodersFilter = None,
    kind: KindFilter = None,
    themes: ThemesFilter = None,
) -> None:
    """Code x the values of a participant attribute."""
    from qualcode import reports

    filters = make_filters(participants, coders, kind, themes)
    df = reports.by_attribute(open_db(db), attribute, filters, presence=presence)
    emit(df, fmt, output, title=f"Codes by {attribute}")


@report_app.command("quotes")
def report_quotes(
    code: Annotated[str | None, typer.Option("--code", help="The quotes of this code.")] = None,
    theme: Annotated[
        str | None, typer.Option("--theme", help="The quotes of every code in this theme.")
    ] = None,
    db: DbOption = "qualcode.db",
    fmt: FormatOption = "table",
    output: OutputOption = None,
    participants: ParticipantsFilter = None,
    coders: CodersFilter = None,
    kind: KindFilter = None,
    themes: ThemesFilter = None,
) -> None:
    """The excerpts of a code or theme with who said them, ready to paste (Expert X: 'quote')."""
    from qualcode import reports

    filters = make_filters(participants, coders, kind, themes)
    emit(reports.quotes(open_db(db), code, theme, filters), fmt, output, title="Quotes")
