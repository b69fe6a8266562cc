"""What the workbench's full screens share: showing the project's current state, once per change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from qualcode.tui.messages import ProjectChanged

if TYPE_CHECKING:
    from textual import getters

    from qualcode.tui.app import QualcodeApp


class WorkbenchScreen(Screen[None]):
    """Reloads when it comes into view or is told of a change, unless it has seen that change.

    The app counts the changes it makes (``App.changes``), so closing a dialog after an action
    reloads the screen once, not once for the message and again for the resume. (Textual calls
    these handlers for every class in the screen's MRO: subclasses add their own, never call
    these again.)
    """

    if TYPE_CHECKING:
        app = getters.app(QualcodeApp)  # self.app is the workbench app

    seen: int | None = None

    async def reload(self) -> None:
        """Read the project (through ``app.in_thread``, off the event loop) and show it."""
        raise NotImplementedError

    def wanted(self) -> bool:
        """Whether the screen should show the project now (home waits under a source opened at
        start, until the user comes back to it)."""
        return True

    async def _reload_if_stale(self) -> None:
        if self.seen != self.app.changes and self.is_current and self.wanted():
            self.seen = self.app.changes
            await self.reload()

    async def on_screen_resume(self) -> None:
        await self._reload_if_stale()

    async def on_project_changed(self, _message: ProjectChanged) -> None:
        await self._reload_if_stale()
