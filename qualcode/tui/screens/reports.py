"""The reports screen: code and theme counts as a table and a bar chart, filtered, exportable."""

from __future__ import annotations

import numbers
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Select, Static

from qualcode import reports
from qualcode.errors import QualcodeError
from qualcode.sources import SOURCE_KINDS
from qualcode.tui import bindings
from qualcode.tui.export import export_table
from qualcode.tui.screens.base import WorkbenchScreen
from qualcode.tui.screens.prompt import PromptScreen
from qualcode.tui.widgets.key_bar import KeyBar
from qualcode.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    import pandas as pd

BAR_WIDTH = 24
CHART_ROWS = 30
MIN_TEXT_WIDTH = 8
CELL_PADDING = 2  # DataTable's cell padding, one each side
SCROLLBAR = 2


def fit_widths(natural: list[int], fixed: list[bool], available: int) -> list[int]:
    """Column widths that fit ``available`` cells: numbers keep their width; text columns are
    capped at the largest width that fits (never below MIN_TEXT_WIDTH), the widest cut first."""
    room = available - sum(w for w, f in zip(natural, fixed, strict=True) if f)
    flexible = [w for w, f in zip(natural, fixed, strict=True) if not f]
    if sum(flexible) <= room:
        return list(natural)
    cap = MIN_TEXT_WIDTH
    for candidate in range(max(flexible, default=0), MIN_TEXT_WIDTH - 1, -1):
        if sum(min(w, candidate) for w in flexible) <= room:
            cap = candidate
            break
    return [w if f else min(w, cap) for w, f in zip(natural, fixed, strict=True)]


def parse_where_text(text: str) -> tuple[tuple[str, str], ...]:
    """The reports screen's where field: ``profession=programmer, қала=Алматы``."""
    return reports.parse_where([part for part in text.split(",") if part.strip()])


def bar_chart(df: pd.DataFrame, label: str) -> Table:
    """Horizontal bars of the ``count`` column, biggest first (rows with no count left out)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, max_width=28)
    table.add_column(no_wrap=True)
    table.add_column(justify="right")
    shown = df[(df["count"] > 0) & (df[label] != reports.TOTAL)]
    ranked = shown.sort_values("count", ascending=False, kind="stable")
    top = int(ranked["count"].max()) if len(ranked) else 0
    for name, count in ranked[[label, "count"]].head(CHART_ROWS).itertuples(index=False):
        cells = round(BAR_WIDTH * int(count) / top) if top else 0
        table.add_row(
            Text(str(name), overflow="ellipsis"), Text("█" * max(cells, 1), "cyan"), str(count)
        )
    if not len(ranked):
        table.add_row(Text("nothing coded yet", "dim"), "", "")
    return table


class ReportsScreen(WorkbenchScreen):
    BINDINGS: ClassVar[list[BindingType]] = [*bindings.REPORTS]

    def __init__(self) -> None:
        super().__init__()
        self.kind = "codes"
        self.frame: pd.DataFrame | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar("Reports")
        with Horizontal(id="filters"):
            yield Select([], prompt="All participants", id="participant")
            yield Select([], prompt="All coders", id="coder")
            yield Select([(k, k) for k in SOURCE_KINDS], prompt="All kinds", id="kind")
            yield Input(placeholder="where: profession=programmer, қала=Алматы", id="where")
        with Horizontal():
            with Vertical(id="table-pane", classes="pane"):
                yield Label("Codes", id="report-title", classes="pane-title")
                yield DataTable(id="report", zebra_stripes=True, cursor_type="row")
            with Vertical(id="chart-pane", classes="pane"):
                yield Label("Counts", classes="pane-title")
                yield Static(id="chart")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#report", DataTable).focus()

    async def on_screen_resume(self) -> None:
        await self._fill_filters()  # then WorkbenchScreen's handler reloads (Textual calls both)

    async def _fill_filters(self) -> None:
        people, coders = await self.app.in_thread(self.app.workbench.filter_choices)
        for select_id, names in (("#participant", people), ("#coder", coders)):
            widget = self.query_one(select_id, Select)
            keep = widget.value
            widget.set_options([(n, n) for n in names])
            if keep in names:
                widget.value = keep

    def _chosen(self, select_id: str) -> tuple[str, ...]:
        value = self.query_one(select_id, Select).value
        return () if value is Select.NULL or value is None else (str(value),)

    async def on_select_changed(self, _event: Select.Changed) -> None:
        await self.reload()

    async def on_input_submitted(self, _event: Input.Submitted) -> None:
        await self.reload()
        self.query_one("#report", DataTable).focus()

    async def reload(self) -> None:
        kind, project, workbench = self.kind, self.app.project, self.app.workbench
        chosen_coders = self._chosen("#coder")
        try:
            filters = reports.Filters(
                participants=self._chosen("#participant"),
                kinds=self._chosen("#kind"),
                where=parse_where_text(self.query_one("#where", Input).value),
            )
        except QualcodeError as exc:  # a where field that is not ATTRIBUTE=VALUE
            self.notify(str(exc), severity="error", timeout=6)
            return

        def read() -> pd.DataFrame:
            # blind mode: only this coder's codings
            counted = replace(filters, coders=workbench.report_coders(chosen_coders))
            if kind == "themes":
                return reports.themes(project, filters=counted)
            return reports.codes(project, counted)

        try:
            frame = await self.app.in_thread(read)
        except QualcodeError as exc:  # an unknown attribute or value in the where field
            self.notify(str(exc), severity="error", timeout=6)
            return
        label = "theme" if kind == "themes" else "code"
        self.frame = frame
        title = "Themes" if kind == "themes" else "Codes"
        self.query_one("#report-title", Label).update(f"{title} ({len(frame)} rows)")
        self.draw_table()
        self.query_one("#chart", Static).update(bar_chart(frame, label))

    def on_resize(self) -> None:
        self.draw_table()

    def draw_table(self) -> None:
        """Fill the table so that every column shows at the screen's width: numbers keep their
        width, long names are cut with an ellipsis (the export keeps them whole)."""
        frame, table = self.frame, self.query_one("#report", DataTable)
        if frame is None:
            return
        if not table.size.width:
            self.call_after_refresh(self.draw_table)
            return
        table.clear(columns=True)
        numeric = [frame[c].dtype.kind in "iuf" for c in frame.columns]
        natural = [max([len(str(c)), *(len(str(v)) for v in frame[c])]) for c in frame.columns]
        available = table.size.width - CELL_PADDING * len(natural) - SCROLLBAR
        widths = fit_widths(natural, numeric, available)
        for column, is_number, width in zip(frame.columns, numeric, widths, strict=True):
            header = Text(str(column), justify="right" if is_number else "left")
            table.add_column(header, key=column, width=width)
        for row in frame.itertuples(index=False):
            table.add_row(
                *(
                    Text(str(v), justify="right")
                    if isinstance(v, numbers.Number)
                    else Text(str(v), overflow="ellipsis", no_wrap=True)
                    for v in row
                )
            )

    async def action_toggle_report(self) -> None:
        if not hasattr(reports, "themes"):
            self.notify("the theme report is not available in this version", severity="warning")
            return
        self.kind = "themes" if self.kind == "codes" else "codes"
        await self.reload()

    def action_focus_filters(self) -> None:
        self.query_one("#participant", Select).focus()

    def action_export(self) -> None:
        frame = self.frame
        if frame is None:
            return

        async def write(name: str | None) -> None:
            if name:
                path = await self.app.act(export_table, frame, name, f"{self.kind} report")
                if path is not None:
                    self.notify(f"wrote {path}")

        self.app.push_screen(
            PromptScreen(
                "Export this table to…", f"{self.kind}.csv", "csv, xlsx, md, json, tex, docx"
            ),
            write,
        )
