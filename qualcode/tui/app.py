"""The coding workbench: a Textual app over one project and one coder.

Screens are modes (home, codebook, reports; a source view opens on top of home). Every action goes
through ``QualcodeApp.act``, which runs one domain call in its own short transaction, reports the
outcome on the notification line and asks the screen on view to show the new state.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from textual.app import App
from textual.binding import BindingType
from textual.worker import WorkerFailed

from qualcode import lookup
from qualcode.db import Project, open_project
from qualcode.errors import QualcodeError, describe
from qualcode.tui import bindings
from qualcode.tui.commands import ActionCommands
from qualcode.tui.messages import ProjectChanged
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.home import HomeScreen
from qualcode.tui.screens.reports import ReportsScreen
from qualcode.tui.screens.source import SourceScreen
from qualcode.workbench import Done, Workbench

T = TypeVar("T")


class QualcodeApp(App[None]):
    """``QualcodeApp(db, coder)``: ``db`` a path, a URL or an open Project; ``source`` (a title or
    an id) opens that source's view straight away."""

    CSS_PATH = "qualcode.tcss"
    TITLE = "qualcode"
    BINDINGS: ClassVar[list[BindingType]] = [*bindings.APP]
    COMMANDS = App.COMMANDS | {ActionCommands}
    MODES: ClassVar = {"home": HomeScreen, "codebook": CodebookScreen, "reports": ReportsScreen}
    DEFAULT_MODE = "home"

    def __init__(
        self, db: str | Path | Project, coder: str | None = None, source: str | int | None = None
    ) -> None:
        super().__init__()
        self._owns_project = not isinstance(db, Project)
        self.project: Project = db if isinstance(db, Project) else open_project(db, create=False)
        self.start_source: int | None = None
        try:
            if source is not None:  # checked before the coder is remembered: a typo writes nothing
                with self.project.session(write=False) as session:
                    self.start_source = lookup.get_source(session, source).id
            self.workbench = Workbench(self.project, coder)
        except Exception:
            if self._owns_project:
                self.project.close()
            raise
        self.project_label = self.project.label
        self.changes = 0
        self.error_line: str | None = None

    def on_mount(self) -> None:
        # Textual's own objects live as long as the app: keeping them out of the garbage
        # collector's full passes stops those passes from stalling the first frames.
        gc.freeze()
        if self.start_source is not None:
            self.open_source(self.start_source)

    def on_unmount(self) -> None:
        gc.unfreeze()
        if self._owns_project:
            self.project.close()

    async def in_thread(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run database work in a Textual thread worker and wait for it without blocking the
        event loop: the screen stays drawn and the app keeps handling input and timers while a
        slow server answers. Its error is raised here, in the caller."""
        worker = self.run_worker(
            partial(work, *args, **kwargs),
            name=getattr(work, "__name__", "database"),
            group="database",
            thread=True,
            exit_on_error=False,
        )
        try:
            return await worker.wait()
        except WorkerFailed as failed:
            raise failed.error from None

    async def act(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run one action off the event loop; its error (a bad name, an excluded code...)
        becomes a notification."""
        try:
            result = await self.in_thread(work, *args, **kwargs)
        except QualcodeError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return None
        except Exception as exc:  # a lock held too long, a full disk, a race lost: rolled back
            line = describe(exc, self.project_label)
            if line is None:
                raise
            self.notify(line, severity="error", timeout=8)
            return None
        if isinstance(result, Done):
            self.notify(result.message, timeout=3)
        self.changes += 1
        self.screen.post_message(ProjectChanged())
        return result

    def _handle_exception(self, error: Exception) -> None:
        """Outside an action (loading a screen, say) a database, disk or driver error ends the
        app with the CLI's one line (see ``run_tui``) instead of a traceback; a bug still shows
        Textual's traceback."""
        line = describe(error, getattr(self, "project_label", None))
        if line is None:
            super()._handle_exception(error)
            return
        self.error_line = line
        self.exit(return_code=1)

    def open_source(self, source_id: int) -> None:
        if self.current_mode != "home":
            self.switch_mode("home")
        self.push_screen(SourceScreen(source_id))

    async def action_undo(self) -> None:
        await self.act(self.workbench.undo)

    async def action_redo(self) -> None:
        await self.act(self.workbench.redo)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def run_tui(db: str, coder: str | None = None, source: str | None = None) -> None:
    """Open the workbench on a project (a SQLite path or a PostgreSQL URL) until the user quits."""
    app = QualcodeApp(db, coder, source)
    app.run()
    if app.error_line is not None:
        raise QualcodeError(app.error_line)
