"""The workbench stays responsive while the database is slow, and the results still arrive.

Database work runs in Textual thread workers (``QualcodeApp.in_thread``), never on the event
loop. To make the database slow for real, another connection holds SQLite's write lock (as a
colleague's long import would, or a slow PostgreSQL link): the coding the user makes waits for
the lock, and meanwhile a ticker on the app's event loop must keep running. When the lock is
released, the coding is in the database and on screen.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

from textual.pilot import Pilot

from qualcode.tui.app import QualcodeApp
from qualcode.tui.widgets.code_picker import CodePicker
from tests.test_tui import SIZE, codings_of, open_interview, type_text
from tests.tui_project import build

HOLD = 1.5  # seconds the other connection keeps the write lock


def test_coding_waits_for_a_locked_database_without_freezing_the_app(sqlite_url):
    from qualcode import open_project

    with open_project(sqlite_url) as project:
        build(project)
    app = QualcodeApp(sqlite_url, "Aigerim")
    ticks: list[float] = []
    waited: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.02)

    async def story(pilot: Pilot) -> None:
        text = await open_interview(pilot)
        await pilot.press("right_square_bracket")  # the next sentence
        await pilot.press("c")
        assert isinstance(pilot.app.screen, CodePicker)
        await type_text(pilot, "retu")

        other = sqlite3.connect(sqlite_url, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # the write lock: the coding below must wait
        release = threading.Timer(HOLD, lambda: (other.execute("COMMIT"), other.close()))
        release.start()
        beat = asyncio.create_task(ticker())
        started = time.monotonic()
        try:
            await pilot.press("enter")  # apply the code: waits for the lock, off the loop
            await pilot.pause()
        finally:
            waited.append(time.monotonic() - started)
            beat.cancel()
            release.join()
        during = [t for t in ticks if t < started + HOLD - 0.2]
        assert len(during) >= 10, f"the event loop stalled: {len(during)} ticks in {HOLD} s"
        assert any(s.code == "Return migration" for s in text.spans)  # the result arrived

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await story(pilot)

    asyncio.run(run())
    assert waited[0] >= HOLD - 0.1, "the coding did not wait for the lock: the test proves nothing"
    assert codings_of(sqlite_url, "Return migration") == [
        ("My father worked on building sites and sent money home every month.", "Aigerim")
    ]


def test_database_errors_in_a_worker_reach_the_user_as_a_notification(sqlite_url):
    """A refused action (a code name taken) comes back from the thread as one message."""
    from qualcode import open_project

    with open_project(sqlite_url) as project:
        build(project)
    app = QualcodeApp(sqlite_url, "Aigerim")
    shown: list[str] = []

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            result = await app.act(app.workbench.create_code, "Return migration")
            await pilot.pause()
            shown.extend(n.message for n in app._notifications)
            assert result is None

    asyncio.run(run())
    assert any("exists already" in message for message in shown)
