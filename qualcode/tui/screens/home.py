"""Home: the sources (who, what kind, how long, how much coded) and the codebook with counts."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, Static

from qualcode.tui import bindings
from qualcode.tui.screens.base import WorkbenchScreen
from qualcode.tui.widgets.code_tree import CodeTree
from qualcode.tui.widgets.key_bar import KeyBar
from qualcode.tui.widgets.title_bar import TitleBar

EMPTY = "No sources yet. Import interview notes with: qualcode import FILE --participant NAME"


class HomeScreen(WorkbenchScreen):
    BINDINGS: ClassVar[list[BindingType]] = [*bindings.HOME]

    def compose(self) -> ComposeResult:
        yield TitleBar("Home")
        with Horizontal():
            with Vertical(id="sources-pane", classes="pane"):
                yield Label("Sources", classes="pane-title")
                yield DataTable(id="sources", cursor_type="row", zebra_stripes=True)
                yield Static(EMPTY, id="no-sources")
            with Vertical(id="codebook-pane", classes="pane"):
                yield Label("Codebook", classes="pane-title")
                yield CodeTree(id="codebook")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#sources", DataTable)
        table.add_column("Source", key="source")
        table.add_column("Participant", key="participant")
        table.add_column("Kind", key="kind")
        table.add_column(Text("Words", justify="right"), key="words")
        table.add_column(Text("Coded", justify="right"), key="coded")
        table.add_column(Text("Codings", justify="right"), key="codings")
        table.focus()

    def wanted(self) -> bool:
        return self.app.start_source is None  # not while a source opens over home at start

    async def reload(self) -> None:
        workbench = self.app.workbench
        rows, book = await self.app.in_thread(lambda: (workbench.sources(), workbench.codebook()))
        table = self.query_one("#sources", DataTable)
        keep = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(
                row.title,
                row.participant,
                row.kind,
                Text(f"{row.words:,}", justify="right"),
                Text(f"{row.coded_percent:.0f}%", justify="right"),
                Text(str(row.codings), justify="right"),
                key=str(row.id),
            )
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        self.query_one("#no-sources").display = not rows
        self.query_one(CodeTree).show(book)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_source(int(str(event.row_key.value)))

    def action_open_source(self) -> None:
        table = self.query_one("#sources", DataTable)
        if table.row_count:
            row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
            self.app.open_source(int(str(row_key.value)))
