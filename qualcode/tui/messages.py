"""Messages between the workbench's widgets and screens, declared in one place."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class CursorMoved(Message):
    """The source text's cursor or selection changed: the sidebar follows it."""

    cursor: int
    selection: tuple[int, int] | None


@dataclass
class ProjectChanged(Message):
    """Something was written (an action, an undo): the screen on view reloads what it shows."""

    note: str = ""
