"""The code picker: type a few letters, mark one or more codes, or make a new one.

Recent codes come first when nothing is typed; typed letters rank codes as ``tui.fuzzy`` says
(the beginnings of a name's words first). ``tab`` marks the highlighted code so that several codes
go on one selection in one go; "+ new code" creates a code named by what was typed (inductive
coding): after the matches, or first and highlighted when no code matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from qualcode.names import fold
from qualcode.tui import bindings, fuzzy
from qualcode.tui.colours import swatch
from qualcode.tui.screens.choice import ChoiceScreen
from qualcode.views import CodeRow

NEW = "new"


class CodePicker(ChoiceScreen):
    """Returns a list of code ids and new code names (str), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings.CODE_PICKER]

    def __init__(
        self,
        title: str,
        codes: Sequence[CodeRow],
        recent: Sequence[int] = (),
        *,
        multiple: bool = True,
        create: bool = True,
    ) -> None:
        super().__init__(title, [(c.id, c.name) for c in codes])
        self.codes = {c.id: c for c in codes}
        self.recent = list(recent)
        self.multiple = multiple
        self.create = create
        self.marked: list[int] = []
        self.query_text = ""
        self.has_match = True

    def on_mount(self) -> None:
        hint = "enter: apply · tab: mark several · esc: cancel" if self.multiple else ""
        if hint:
            self.query_one(".dialog").mount(Label(hint, classes="dialog-hint"))
        super().on_mount()

    def options(self, query: str) -> list[Option]:
        """Codes matching what was typed, best first; when none matches, "+ new code" comes
        first and similar names (typos) after it, so Enter never applies an unrelated code."""
        self.query_text = query.strip()
        names = {c.id: c.name for c in self.codes.values()}
        found = fuzzy.ranking(query, names, self.recent)
        self.has_match = bool(found.matches) or not self.query_text
        matches = [self._option(c) for c in found.matches]
        suggestions = [self._option(c, similar=True) for c in found.suggestions]
        exact = any(fold(n) == fold(self.query_text) for n in names.values())
        if not (self.create and self.query_text and not exact):
            return matches + suggestions
        new = Option(Text(f"+ new code “{self.query_text}”", "bold"), id=NEW)
        return [*matches, new, *suggestions] if matches else [new, *suggestions]

    def _option(self, code_id: int, similar: bool = False) -> Option:
        code = self.codes[code_id]
        label = Text()
        label.append("✓ " if code_id in self.marked else "  ", "bold green")
        label.append("■ ", swatch(code.colour))
        label.append(code.name, "dim" if similar else "")
        if similar:
            label.append("  (similar name)", "dim italic")
        elif code.definition:
            label.append(f"  {code.definition[:60]}", "dim")
        return Option(label, id=str(code_id))

    def refill(self, query: str) -> None:
        super().refill(query)
        choices = self.query_one("#choices", OptionList)
        if not self.has_match and self.highlighted_id() != NEW:
            choices.highlighted = None  # only similar names: Enter must not pick one

    def action_toggle(self) -> None:  # type: ignore[override]  # our key, not DOMNode.toggle
        option_id = self.highlighted_id()
        if not self.multiple or option_id in (None, NEW):
            return
        code_id = int(option_id)
        if code_id in self.marked:
            self.marked.remove(code_id)
        else:
            self.marked.append(code_id)
        choices = self.query_one("#choices", OptionList)
        keep = choices.highlighted
        self.refill(self.query_text)
        choices.highlighted = keep

    def finish(self, option_id: str | None) -> None:
        chosen: list[int | str] = list(self.marked)
        if option_id == NEW:
            chosen.append(self.query_text)
        elif option_id is not None and int(option_id) not in self.marked:
            chosen.append(int(option_id))
        if chosen:
            self.dismiss(chosen)
