"""The anonymisation review of one source: its findings highlighted, each accepted, ignored or
given another replacement with the keyboard, then applied (the same domain call as
`qualcode anonymise apply`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from qualcode import views
from qualcode.anonymise import Finding, MapRow
from qualcode.tui import bindings
from qualcode.tui.screens.prompt import PromptScreen
from qualcode.tui.units import Units
from qualcode.tui.widgets.key_bar import KeyBar
from qualcode.tui.widgets.source_text import SourceText
from qualcode.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from textual import getters

    from qualcode.tui.app import QualcodeApp

ACCEPTED_COLOUR = "#d9534f"
IGNORED_COLOUR = "#777777"


@dataclass
class Item:
    """One finding under review and what the researcher decided."""

    finding: Finding
    replacement: str
    accepted: bool = True


class AnonymiseScreen(Screen[bool]):
    """Returns True when replacements were applied (the source's text changed)."""

    if TYPE_CHECKING:
        app = getters.app(QualcodeApp)  # self.app is the workbench app

    BINDINGS: ClassVar[list[BindingType]] = [*bindings.ANONYMISE]

    def __init__(self, source_id: int) -> None:
        super().__init__()
        self.source_id = source_id
        self.items: list[Item] = []

    def compose(self) -> ComposeResult:
        yield TitleBar("Anonymise")
        with Horizontal():
            yield SourceText(id="text")
            with Vertical(id="sidebar"):
                yield Static(id="review-info")
                yield DataTable(id="findings", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    async def on_mount(self) -> None:
        workbench = self.app.workbench
        view, found = await self.app.in_thread(
            lambda: (
                workbench.source_view(self.source_id),
                workbench.anonymise_findings(self.source_id),
            )
        )
        self.query_one(TitleBar).show(f"Anonymise: {view.title}")
        self.items = [Item(f, r) for f, r in found]
        self.query_one(SourceText).load(
            view.text, self._spans(), Units.of(view.text, view.segments)
        )
        table = self.query_one("#findings", DataTable)
        table.add_columns("found", "kind", "replacement")
        for index, item in enumerate(self.items):
            table.add_row(*self._cells(item), key=str(index))
        self._show_info()
        table.focus()
        if self.items:
            self._select(0)

    def _spans(self) -> list[views.Span]:
        return [
            views.Span(
                coding_id=index,
                excerpt_id=index,
                start=item.finding.start,
                end=item.finding.end,
                code_id=0,
                code=item.finding.kind,
                colour=ACCEPTED_COLOUR if item.accepted else IGNORED_COLOUR,
                coder="",
                memo="",
            )
            for index, item in enumerate(self.items)
        ]

    @staticmethod
    def _cells(item: Item) -> tuple[Text, str, Text]:
        style = "" if item.accepted else "dim strike"
        return (
            Text(item.finding.text, style),
            item.finding.kind,
            Text(item.replacement if item.accepted else "(ignored)", style),
        )

    def _show_info(self) -> None:
        accepted = sum(item.accepted for item in self.items)
        info = Text.assemble((f"{len(self.items)} findings", "bold"), f", {accepted} to replace")
        if not self.items:
            info = Text("Nothing found that looks identifying", "dim")
        self.query_one("#review-info", Static).update(info)

    def _current(self) -> int | None:
        table = self.query_one("#findings", DataTable)
        return table.cursor_row if self.items else None

    def _select(self, index: int) -> None:
        finding = self.items[index].finding
        self.query_one(SourceText).select(finding.start, finding.end, center=True)

    def _refresh(self, index: int) -> None:
        table = self.query_one("#findings", DataTable)
        for column, value in zip(table.columns, self._cells(self.items[index]), strict=True):
            table.update_cell(str(index), column, value)
        self.query_one(SourceText).set_spans(self._spans())
        self._select(index)
        self._show_info()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.items and event.cursor_row < len(self.items):
            self._select(event.cursor_row)

    def _decide(self, accepted: bool) -> None:
        index = self._current()
        if index is None:
            return
        self.items[index].accepted = accepted
        self._refresh(index)
        table = self.query_one("#findings", DataTable)
        if index + 1 < len(self.items):
            table.move_cursor(row=index + 1)

    def action_accept(self) -> None:
        self._decide(True)

    def action_ignore(self) -> None:
        self._decide(False)

    def action_edit(self) -> None:
        index = self._current()
        if index is None:
            return
        item = self.items[index]

        def save(value: str | None) -> None:
            if value:  # an empty answer keeps the replacement: ignore the finding instead
                item.replacement, item.accepted = value, True
                self._refresh(index)

        self.app.push_screen(
            PromptScreen(f"Replace {item.finding.text!r} with", item.replacement), save
        )

    async def action_apply(self) -> None:
        rows = [
            MapRow(n, i.finding.text, i.replacement, i.finding.source, i.finding.start)
            for n, i in enumerate(self.items, start=1)
            if i.accepted
        ]
        if not rows:
            self.notify("nothing to replace: accept a finding first", severity="warning")
            return
        if await self.app.act(self.app.workbench.anonymise, rows) is not None:
            self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
