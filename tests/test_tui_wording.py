"""Toasts speak the user's words: undo says "removed the coding", not "undid coding.apply"."""

from __future__ import annotations

from textual.pilot import Pilot

from qualcode import events, wording
from tests.test_tui import codings_of, drive, fixture, open_interview, type_text  # noqa: F401


def test_every_undoable_action_has_words():
    events._ensure_handlers()
    assert set(events._HANDLERS) <= set(wording.WORDS)
    assert wording.undone("coding.bulk", {"codings": [1, 2, 3]}) == (
        "undo: removed the 3 codings made in one step"
    )


def test_undo_and_redo_of_a_coding_say_what_happened(db_url, fixture):  # noqa: F811
    async def story(pilot: Pilot) -> None:
        await open_interview(pilot)
        await pilot.press("right_square_bracket", "c")
        await type_text(pilot, "retu")
        await pilot.press("enter")
        await pilot.pause()
        assert len(codings_of(db_url, "Return migration")) == 1
        await pilot.press("ctrl+z")
        await pilot.pause()
        messages = [n.message for n in pilot.app._notifications]
        assert "undo: removed the coding" in messages
        assert not any("coding.apply" in m for m in messages)
        assert codings_of(db_url, "Return migration") == []
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert "redo: coded it again" in [n.message for n in pilot.app._notifications]

    drive(db_url, story)
