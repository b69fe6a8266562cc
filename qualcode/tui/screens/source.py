"""The source view: read, select and code; the codes of the current paragraph beside the text."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from qualcode import views
from qualcode.tui import bindings
from qualcode.tui.colours import swatch
from qualcode.tui.messages import CursorMoved
from qualcode.tui.screens.base import WorkbenchScreen
from qualcode.tui.screens.choice import ChoiceScreen
from qualcode.tui.screens.prompt import PromptScreen
from qualcode.tui.units import Units
from qualcode.tui.widgets.code_picker import CodePicker
from qualcode.tui.widgets.key_bar import KeyBar
from qualcode.tui.widgets.source_text import SourceText
from qualcode.tui.widgets.title_bar import TitleBar


def _snippet(text: str, width: int = 48) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class SourceScreen(WorkbenchScreen):
    BINDINGS: ClassVar[list[BindingType]] = [*bindings.SOURCE]

    def __init__(self, source_id: int, select: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.source_id = source_id
        self.view: views.SourceView | None = None
        self.first_selection = select

    def compose(self) -> ComposeResult:
        yield TitleBar("Source")
        with Horizontal():
            yield SourceText(id="text")
            with Vertical(id="sidebar"):
                yield Static(id="source-info")
                yield Static(id="selection-info")
                yield Label("Codes in this paragraph", classes="pane-title")
                yield OptionList(id="here")
        yield KeyBar()

    async def on_mount(self) -> None:
        await self._load()

    async def _load(self) -> None:
        self.view = await self.app.in_thread(self.app.workbench.source_view, self.source_id)
        view = self.view
        self.query_one(TitleBar).show(f"Source: {view.title}")
        info = Text.assemble((view.title, "bold"), "\n")
        info.append(f"{view.participant or 'no participant'} · {view.kind}", "dim")
        self.query_one("#source-info", Static).update(info)
        text = self.query_one(SourceText)
        text.load(view.text, view.spans, Units.of(view.text, view.segments))
        self.seen = self.app.changes
        if self.first_selection is not None:
            text.select(*self.first_selection, center=True)
            self.first_selection = None
        text.focus()

    @property
    def text(self) -> SourceText:
        return self.query_one(SourceText)

    async def reload(self) -> None:
        spans = await self.app.in_thread(self.app.workbench.spans, self.source_id)
        self.text.set_spans(spans)

    def on_cursor_moved(self, message: CursorMoved) -> None:
        text = self.text
        target = text.target()
        if target is None:
            about = Text("Nothing selected", "dim")
        else:
            start, end = target
            words = len(text.text[start:end].split())
            kind = "Selection" if message.selection else "Sentence"
            where = text.units.address(start, end)  # p15.s5: what to type after SOURCE:
            unit = f" {where} ·" if where.startswith("p") else ""
            about = Text.assemble((kind, "bold"), f"{unit} {start}–{end} · {words} words")
        at = target[0] if target is not None else message.cursor
        turn = self.view.turn_at(at) if self.view else None
        if turn is not None:
            about.append("\n")
            about.append(f"turn t{turn[0]} · ", "dim")
            about.append(turn[1], "bold italic")
        self.query_one("#selection-info", Static).update(about)
        paragraph = text.units.paragraph_at(message.cursor)
        here = self.query_one("#here", OptionList)
        here.clear_options()
        if paragraph is None:
            return
        for span in text.spans:
            if span.start >= paragraph[1]:
                break
            if span.end <= paragraph[0]:
                continue
            label = Text()
            label.append("■ ", swatch(span.colour))
            label.append(span.code, "bold")
            label.append(f"  {span.coder}\n  ", "dim")
            label.append(_snippet(text.text[span.start : span.end]), "italic")
            if span.memo:
                label.append(f"\n  memo: {_snippet(span.memo)}", "yellow")
            here.add_option(Option(label, id=str(span.coding_id)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "here":
            return
        for span in self.text.spans:
            if str(span.coding_id) == event.option.id:
                self.text.select(span.start, span.end, center=True)
                self.text.focus()
                return

    # --- coding actions -----------------------------------------------------------------

    def _target(self) -> tuple[int, int] | None:
        target = self.text.target()
        if target is None:
            self.notify("select some text first", severity="warning")
        return target

    async def action_code(self) -> None:
        target = self._target()
        if target is None:
            return
        workbench = self.app.workbench
        book, recent = await self.app.in_thread(
            lambda: (workbench.codebook(), workbench.recent_codes())
        )
        picker = CodePicker(f"Code {target[1] - target[0]} characters with…", book.active(), recent)

        async def chosen(codes: list[int | str] | None) -> None:
            if codes:
                await self.app.act(workbench.apply_codes, self.source_id, *target, codes)

        self.app.push_screen(picker, chosen)

    async def action_in_vivo(self) -> None:
        if self.text.selection is None:
            self.notify("select the words to name the code with", severity="warning")
            return
        target = self._target()
        if target is not None:
            await self.app.act(self.app.workbench.in_vivo, self.source_id, *target)

    async def _pick_coding(
        self, verb: str, then: Callable[[views.Span], Awaitable[object] | None]
    ) -> None:
        """``then`` the coding under the cursor (asking which, where several are)."""
        spans = self.text.spans_at()
        if not spans:
            self.notify("no coding here: move onto a coded passage (n jumps to the next)")
            return

        async def chosen(span: views.Span) -> None:
            result = then(span)
            if result is not None:
                await result

        if len(spans) == 1:
            await chosen(spans[0])
            return
        by_id = {s.coding_id: s for s in spans}
        items = [
            (s.coding_id, f"{s.code} ({s.coder}) “{_snippet(self.text.text[s.start : s.end])}”")
            for s in spans
        ]

        async def picked(key: int | None) -> None:
            if key is not None:
                await chosen(by_id[key])

        self.app.push_screen(ChoiceScreen(f"{verb} which coding?", items), picked)

    async def action_remove_coding(self) -> None:
        await self._pick_coding(
            "Remove", lambda span: self.app.act(self.app.workbench.remove_coding, span.coding_id)
        )

    async def action_memo(self) -> None:
        def ask(span: views.Span) -> None:
            async def save(memo: str | None) -> None:
                if memo is not None:
                    await self.app.act(self.app.workbench.set_memo, span.coding_id, memo)

            self.app.push_screen(
                PromptScreen(f"Memo on {span.code}", span.memo, "what you thought when coding"),
                save,
            )

        await self._pick_coding("Memo on", ask)

    async def action_mark_example(self) -> None:
        await self._pick_coding(
            "Quote in the appendix",
            lambda span: self.app.act(self.app.workbench.mark_example, span.coding_id),
        )

    def action_anonymise(self) -> None:
        from qualcode.tui.screens.anonymise import AnonymiseScreen

        async def done(applied: bool | None) -> None:
            if applied:  # the text changed: show it anew
                await self._load()

        self.app.push_screen(AnonymiseScreen(self.source_id), done)

    def action_search(self) -> None:
        from qualcode.tui.screens.search import SearchScreen

        def show(hit) -> None:
            if hit is None:
                return
            if hit.source_id == self.source_id:
                self.text.select(hit.start, hit.end, center=True)
                self.text.focus()
            else:
                self.app.push_screen(SourceScreen(hit.source_id, select=(hit.start, hit.end)))

        title = self.view.title if self.view else ""
        self.app.push_screen(SearchScreen(self.source_id, title), show)

    def action_back(self) -> None:
        self.app.start_source = None  # home shows the project from now on
        self.app.pop_screen()
