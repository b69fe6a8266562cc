"""The footer line: the keys active on the screen in view, each clickable.

One widget drawing one line of text, redrawn when the screen's bindings change (focus moves, a
dialog closes). Textual's Footer makes a widget per key and rebuilds them all on every change,
which cost more than drawing a long interview; this keeps the same information for one update.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    """The command palette's key first (it reaches every action, so it must never be cut off on
    a narrow terminal), then ``key description`` for every shown binding of the focused chain."""

    COMPONENT_CLASSES: ClassVar = {"key-bar--key", "key-bar--description"}

    def __init__(self) -> None:
        super().__init__(id="key-bar", markup=False)
        self._spots: list[tuple[int, int, str, DOMNode]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.draw)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.draw()

    def draw(self) -> None:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        spots: list[tuple[int, int, str, DOMNode]] = []
        seen: set[str] = set()
        if self.app.ENABLE_COMMAND_PALETTE:
            text.append(" ^p ", key_style)
            text.append("palette │", description_style)
            spots.append((0, text.cell_len, "app.command_palette", self.app))
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            start = text.cell_len
            text.append(f" {self.app.get_key_display(binding)} ", key_style)
            text.append(f"{binding.description} ", description_style)
            spots.append((start, text.cell_len, binding.action, active.node))
        self._spots = spots
        self.update(text)

    async def on_click(self, event: events.Click) -> None:
        for start, end, action, node in self._spots:
            if start <= event.x < end:
                await self.app.run_action(action, node)
                return
