"""The line at the top of every screen: where the user is, which project, which coder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from textual import getters

    from qualcode.tui.app import QualcodeApp


class TitleBar(Static):
    """``qualcode · <screen> · <project> · coder: <name>`` (no clock: screenshots stay stable)."""

    if TYPE_CHECKING:
        app = getters.app(QualcodeApp)  # self.app is the workbench app

    def __init__(self, place: str) -> None:
        super().__init__(id="title-bar")
        self.place = place

    def on_mount(self) -> None:
        self.show(self.place)

    def show(self, place: str) -> None:
        self.place = place
        app = self.app
        self.update(
            Text.assemble(
                ("qualcode", "bold"),
                f" · {place} · {app.project_label} · coder: ",
                (app.workbench.coder_name, "bold"),
            )
        )
