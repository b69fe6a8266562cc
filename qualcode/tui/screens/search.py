"""`/` in a source: search it (or, with tab, every source) and code a hit from the list.

A hit is the sentence holding the match (``qualcode search --unit sentence``): `c` codes it with
the code picker, `enter` shows it selected in its source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from qualcode import search, wording
from qualcode.errors import QualcodeError
from qualcode.tui import bindings
from qualcode.tui.widgets.code_picker import CodePicker

if TYPE_CHECKING:
    from textual import getters

    from qualcode.tui.app import QualcodeApp

CONTEXT = 30


def hit_label(hit: search.Hit, text: str) -> Text:
    """``address  …words before [match] words after…`` on one line."""
    before = " ".join(text[max(0, hit.match_start - CONTEXT * 2) : hit.match_start].split())
    after = " ".join(text[hit.match_end : hit.match_end + CONTEXT * 2].split())
    label = Text(f"{hit.address}  ", "dim")
    if hit.speaker:
        label.append(f"{hit.speaker}: ", "italic")
    label.append("…" + before[-CONTEXT:] + " ")
    label.append(" ".join(text[hit.match_start : hit.match_end].split()), "bold reverse")
    label.append(" " + after[:CONTEXT] + "…")
    return label


class SearchScreen(ModalScreen[search.Hit | None]):
    """Returns the hit to show (enter), or None when closed."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings.SEARCH]

    if TYPE_CHECKING:
        app = getters.app(QualcodeApp)  # self.app is the workbench app

    def __init__(self, source_id: int, title: str) -> None:
        super().__init__()
        self.source_id = source_id
        self.source_title = title
        self.everywhere = False
        self.hits: list[search.Hit] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._scope(), id="search-scope", classes="dialog-title")
            yield Input(placeholder="words to find (ignoring case), enter to search", id="pattern")
            yield OptionList(id="hits")
            yield Label(
                "enter: go to · c: code the hit · tab: this source / all · esc: close",
                classes="dialog-hint",
            )

    def _scope(self) -> str:
        where = "every source" if self.everywhere else self.source_title
        return f"Search {where}"

    async def on_input_submitted(self, _event: Input.Submitted) -> None:
        await self.run_search()
        hits = self.query_one("#hits", OptionList)
        if hits.option_count:
            hits.focus()

    async def run_search(self) -> None:
        pattern = self.query_one("#pattern", Input).value
        if not pattern.strip():
            return
        scope = None if self.everywhere else [self.source_id]

        try:
            self.hits, texts = await self.app.in_thread(
                self.app.workbench.read,
                lambda session: search.find_with_texts(session, pattern, source_ids=scope),
            )
        except QualcodeError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return
        options = self.query_one("#hits", OptionList)
        options.clear_options()
        options.add_options(
            Option(hit_label(hit, texts[hit.source_id]), id=str(i))
            for i, hit in enumerate(self.hits)
        )
        if self.hits:
            options.highlighted = 0
        self.query_one("#search-scope", Label).update(
            f"{self._scope()}: {wording.counted(len(self.hits), 'hit')}"
        )

    def _highlighted(self) -> search.Hit | None:
        options = self.query_one("#hits", OptionList)
        if options.highlighted is None or not self.hits:
            return None
        return self.hits[options.highlighted]

    async def action_toggle_scope(self) -> None:
        self.everywhere = not self.everywhere
        self.query_one("#search-scope", Label).update(self._scope())
        await self.run_search()

    def action_cursor(self, step: int) -> None:
        options = self.query_one("#hits", OptionList)
        options.focus()
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_go(self) -> None:
        if self.focused is self.query_one("#pattern", Input):
            return  # the Input's own enter runs the search
        hit = self._highlighted()
        if hit is not None:
            self.dismiss(hit)

    def on_option_list_option_selected(self, _event: OptionList.OptionSelected) -> None:
        self.action_go()

    async def action_code_hit(self) -> None:
        hit = self._highlighted()
        if hit is None:
            self.notify("search first, then choose a hit", severity="warning")
            return
        workbench = self.app.workbench
        book, recent = await self.app.in_thread(
            lambda: (workbench.codebook(), workbench.recent_codes())
        )
        picker = CodePicker(f"Code {hit.address} with…", book.active(), recent)

        async def chosen(codes: list[int | str] | None) -> None:
            if codes:
                await self.app.act(workbench.apply_codes, hit.source_id, hit.start, hit.end, codes)

        self.app.push_screen(picker, chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)
