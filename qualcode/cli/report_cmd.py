"""`qualcode report ...`: counts for the thesis, as tables or files.

Every report takes the same filters (``--participants``, ``--coders``, ``--kind``, ``--themes``,
``--where``): they are declared once in ``FILTER_OPTIONS`` and added to each command by
``@filtered``, which hands the command one ``reports.Filters``, or None when none was given: then
a count report on a SQLite project runs its SQL compiled ahead on sqlite3 (``report_table``),
loading neither SQLAlchemy nor pandas.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, cast

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
from qualcode.table import Table

report_app = sub_app("report", "Counts of codes, themes and participants.")

FILTER_OPTIONS: dict[str, Any] = {
    "participants": Annotated[
        str | None,
        typer.Option("--participants", help="Only these participants (comma-separated)."),
    ],
    "coders": Annotated[
        str | None, typer.Option("--coders", help="Only these coders (comma-separated).")
    ],
    "kind": Annotated[
        str | None,
        typer.Option("--kind", help="Only sources of this kind: interview or document."),
    ],
    "themes": Annotated[
        str | None, typer.Option("--themes", help="Only codes in these themes (comma-separated).")
    ],
    "where": Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            metavar="ATTRIBUTE=VALUE",
            help="Only sources whose participant attribute (e.g. profession=programmer) or "
            "built-in field (participant, source, kind, language, organisation, role, location, "
            "mode) has this value; repeat it: values of one attribute widen, attributes narrow.",
        ),
    ],
}
FILTER_OPTIONS["speaker"] = Annotated[
    list[str] | None,
    typer.Option(
        "--speaker",
        help="Only passages in this speaker's turns (repeat it for several speakers).",
    ),
]
FILTER_OPTIONS["no_interviewer"] = Annotated[
    bool,
    typer.Option(
        "--no-interviewer",
        help="Leave out the interviewer's turns (labels: Interviewer, I, Q, ... and --speakers).",
    ),
]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="ATTRIBUTE",
        help="Group by the values of a participant attribute or built-in field.",
    ),
]


def split_names(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else ()


def make_filters(
    participants: str | None = None,
    coders: str | None = None,
    kind: str | None = None,
    themes: str | None = None,
    where: list[str] | None = None,
    speaker: list[str] | None = None,
    no_interviewer: bool | None = False,
):
    """The one place where report options become ``reports.Filters``."""
    from qualcode.reports import Filters, parse_where

    return Filters(
        participants=split_names(participants),
        coders=split_names(coders),
        kinds=split_names(kind),
        themes=split_names(themes),
        where=parse_where(where),
        speakers=tuple(s.strip() for s in speaker or () if s.strip()),
        no_interviewer=bool(no_interviewer),
    )


def filtered(
    command: Callable[..., None] | None = None, *, only: tuple[str, ...] = tuple(FILTER_OPTIONS)
) -> Any:
    """Give a command the shared filter options (all, or ``only`` some: a search has no coders
    or themes); it receives them as one ``filters`` argument."""
    if command is None:
        return functools.partial(filtered, only=only)
    options = {name: FILTER_OPTIONS[name] for name in only}
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "filters"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for name, kind in options.items()
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        chosen = {name: kwargs.pop(name) for name in options}
        command(filters=make_filters(**chosen) if any(chosen.values()) else None, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=own + added)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {
        **{k: v for k, v in command.__annotations__.items() if k != "filters"},
        **options,
    }
    return wrapper


def all_codings(filters):
    """The filters a report command was given, or no filter (``reports.Filters()``)."""
    from qualcode.reports import Filters

    return Filters() if filters is None else filters


def report_table(db: str, report: str, filters, **options):
    """A count report as a Table: with no filter on a SQLite project through the SQL compiled
    ahead (qualcode.report_plans: no SQLAlchemy, no pandas), else through qualcode.reports."""
    if filters is None:
        from qualcode.report_plans import light_table

        table = light_table(db, report, **options)
        if table is not None:
            return table
    from qualcode import reports

    return reports.table(report, open_db(db), all_codings(filters), **options)


def _table_report(name: str, function: str, title: str, help: str) -> None:
    """Register `qualcode report NAME`: one reports function, the filters, and emit."""

    @report_app.command(name, help=help)
    @filtered
    def command(
        db: DbOption = DEFAULT_DB,
        fmt: FormatOption = Format.table,
        output: OutputOption = None,
        filters: Any = None,
    ) -> None:
        emit(report_table(db, function, filters), fmt, output, title=title)


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


TopOption = Annotated[
    int | None,
    typer.Option("--top", help="Only the N codes with the most codings (table and chart)."),
]


def _emit_with_chart(
    df, chart: Path | None, draw: str, chart_title: str, fmt, output, title, chart_df=None
):
    """Emit a report, drawing it first with ``charts.<draw>`` when --chart names a file."""
    if chart is not None:
        from qualcode import charts

        drawn = df if chart_df is None else chart_df
        getattr(charts, draw)(
            drawn.to_dataframe() if isinstance(drawn, Table) else drawn, chart, title=chart_title
        )
        typer.echo(f"wrote {chart}", err=True)
    emit(df, fmt, output, title=title)


def _top_codes(project, df, top: int | None, filters, chart: Path | None, square: bool):
    """The report limited to --top N codes, and what its chart draws: with no --top, a heat map
    of more codes than fit on a page draws the codes with most codings that fit (and says so)."""
    from qualcode import reports

    if top is not None:
        if top < 1:
            from qualcode.errors import InputError

            raise InputError(f"--top must be 1 or more, not {top}")
        df = reports.keep_codes(df, reports.top_codes(project, top, filters), square)
        return df, df
    if chart is None:
        return df, df
    from qualcode import charts

    rows, columns = charts.fits(len(df), len(df.columns) - 1)
    limit = min(rows, columns) if square else rows
    if len(df) <= limit:
        return df, df
    typer.echo(
        f"{chart}: {len(df)} codes do not fit on a page; the chart shows the {limit} with the "
        "most codings (choose with --top N or --themes)",
        err=True,
    )
    return df, reports.keep_codes(df, reports.top_codes(project, limit, filters), square)


@report_app.command("themes")
@filtered
def report_themes(
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    counts: Annotated[
        str,
        typer.Option("--counts", help="observed (codings) or reported (imported tallies)."),
    ] = "observed",
    chart: ChartOption = None,
    by: ByOption = None,
    filters: Any = None,
) -> None:
    """Per theme and sub-theme: codes, count, participants; then a Total row."""
    if by is None:
        df = report_table(db, f"themes:{counts}", filters)
    else:
        from qualcode import reports

        observed_or_reported = cast(Literal["observed", "reported"], counts)
        df = reports.themes(open_db(db), observed_or_reported, all_codings(filters), by=by)
    _emit_with_chart(
        df, chart, "themes_bar", f"Codes per theme ({counts} counts)", fmt, output, "Themes"
    )


@report_app.command("codes")
@filtered
def report_codes(
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    chart: ChartOption = None,
    top: TopOption = None,
    filters: Any = None,
) -> None:
    """Per code: themes, number of codings, participants, status; --chart draws a bar chart."""
    if top is None and chart is None:
        df = drawn = report_table(db, "codes", filters)
    else:
        from qualcode import reports

        project, filters = open_db(db), all_codings(filters)
        df = reports.codes(project, filters)
        df, drawn = _top_codes(project, df, top, filters, chart, square=False)
    title = "Codings per code"
    _emit_with_chart(df, chart, "codes_bar", title, fmt, output, "Codes", drawn)


@report_app.command("matrix")
@filtered
def report_matrix(
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    presence: PresenceOption = False,
    chart: ChartOption = None,
    top: TopOption = None,
    by: ByOption = None,
    filters: Any = None,
) -> None:
    """Code x participant: codings (or 1/0 with --presence); --chart draws a heat map."""
    if by is None and top is None and chart is None:
        df = drawn = report_table(db, "matrix", filters, presence=presence)
    else:
        from qualcode import reports

        project, filters = open_db(db), all_codings(filters)
        df = reports.matrix(project, filters, presence=presence, by=by)
        df, drawn = _top_codes(project, df, top, filters, chart, square=False)
    title = f"Codes by {by}" if by else "Codes by participant"
    _emit_with_chart(df, chart, "heatmap", title, fmt, output, title, drawn)


@report_app.command("cooccurrence")
@filtered
def report_cooccurrence(
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    chart: ChartOption = None,
    top: TopOption = None,
    by: ByOption = None,
    filters: Any = None,
) -> None:
    """Code x code: overlapping coded spans, one coded with each code."""
    if by is None and top is None and chart is None:
        df = drawn = report_table(db, "cooccurrence", filters)
    else:
        from qualcode import reports

        project, filters = open_db(db), all_codings(filters)
        df = reports.cooccurrence(project, filters, by=by)
        df, drawn = _top_codes(project, df, top, filters, chart, square=True)
    title = "Code co-occurrence"
    _emit_with_chart(df, chart, "heatmap", title, fmt, output, title, drawn)


@report_app.command("funnel")
@filtered
def report_funnel(
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    filters: Any = None,
) -> None:
    """Code applications -> unique codes -> codes used, beside the thesis's 556 / 226 / 197."""
    from qualcode import reports

    emit(reports.funnel(open_db(db), all_codings(filters)), fmt, output, title="Codes funnel")


@report_app.command("by-attribute")
@filtered
def report_by_attribute(
    attribute: Annotated[
        str,
        typer.Argument(
            help="A participant attribute (e.g. profession) or organisation, role, location, mode."
        ),
    ],
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    presence: Annotated[
        bool, typer.Option("--presence", help="Count participants, not codings.")
    ] = False,
    filters: Any = None,
) -> None:
    """Code x the values of a participant attribute."""
    from qualcode import reports

    df = reports.by_attribute(open_db(db), attribute, all_codings(filters), presence=presence)
    emit(df, fmt, output, title=f"Codes by {attribute}")


@report_app.command("quotes")
@filtered
def report_quotes(
    code: Annotated[str | None, typer.Option("--code", help="The quotes of this code.")] = None,
    theme: Annotated[
        str | None, typer.Option("--theme", help="The quotes of every code in this theme.")
    ] = None,
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    by: ByOption = None,
    filters: Any = None,
) -> None:
    """The excerpts of a code or theme with who said them, ready to paste (Expert X: 'quote')."""
    from qualcode import reports

    df = reports.quotes(open_db(db), code, theme, all_codings(filters), by=by)
    emit(df, fmt, output, title="Quotes")
