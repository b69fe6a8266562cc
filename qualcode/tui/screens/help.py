"""The help screen: help.md, followed by the key tables generated from bindings.py."""

from __future__ import annotations

from importlib import resources
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from qualcode.tui import bindings


def help_text() -> str:
    """The help page: the prose of help.md and every key, so the two cannot drift apart."""
    prose = resources.files("qualcode.tui").joinpath("help.md").read_text(encoding="utf-8")
    return f"{prose.rstrip()}\n\n## Keys\n\n{bindings.markdown_tables()}"


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [*bindings.HELP]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Markdown(help_text())

    def action_close(self) -> None:
        self.dismiss(None)
