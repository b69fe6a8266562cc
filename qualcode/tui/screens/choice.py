"""A modal list to choose one thing from (a theme, a coding), narrowed by typing a few letters."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from qualcode.tui import bindings, fuzzy


class ChoiceScreen(ModalScreen[Any]):
    """Returns the chosen item's key, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings.CHOICE]

    def __init__(self, title: str, items: Sequence[tuple[Hashable, str | Text]]) -> None:
        super().__init__()
        self.title_text = title
        self.items = list(items)
        self.keys = {str(i): key for i, (key, _) in enumerate(self.items)}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder="type to narrow the list", id="query")
            yield OptionList(id="choices")

    def on_mount(self) -> None:
        self.refill("")

    def ranked(self, query: str) -> list[int]:
        """Item indexes to list for ``query``."""
        labels = {i: str(label) for i, (_, label) in enumerate(self.items)}
        if not query.strip():
            return list(labels)
        return fuzzy.rank(query, labels)

    def options(self, query: str) -> list[Option]:
        return [Option(self.items[i][1], id=str(i)) for i in self.ranked(query)]

    def refill(self, query: str) -> None:
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        choices.add_options(self.options(query))
        if choices.option_count:
            choices.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refill(event.value)

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.action_choose()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.finish(event.option.id)

    def highlighted_id(self) -> str | None:
        choices = self.query_one("#choices", OptionList)
        if choices.highlighted is None:
            return None
        return choices.get_option_at_index(choices.highlighted).id

    def finish(self, option_id: str | None) -> None:
        if option_id is not None:
            self.dismiss(self.keys[option_id])

    def action_choose(self) -> None:
        self.finish(self.highlighted_id())

    def action_cursor(self, step: int) -> None:
        choices = self.query_one("#choices", OptionList)
        if step > 0:
            choices.action_cursor_down()
        else:
            choices.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
