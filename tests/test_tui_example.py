"""The TUI's key for the example of a code: `e` on a coding, shown in the codebook screen, undone."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Static

from qualcode.models import Code, Excerpt
from qualcode.tui.screens.choice import ChoiceScreen
from tests.test_tui import drive, fresh, open_interview, to_code, type_text
from tests.tui_project import Fixture, build

PASSAGE = "My father worked on building sites and sent money home every month."


@pytest.fixture
def fixture(project) -> Fixture:
    return build(project)


def chosen_text(db_url: str, code: str) -> str | None:
    with fresh(db_url) as project, project.session(write=False) as session:
        found = session.scalar(select(Code).where(Code.name == code))
        excerpt = (
            session.get(Excerpt, found.example_excerpt_id) if found.example_excerpt_id else None
        )
        return excerpt.text if excerpt is not None else None


def test_e_marks_a_coding_as_its_codes_example_and_undo_takes_it_back(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        await open_interview(pilot)
        await pilot.press("n")  # the first coded passage: two codes on it
        await pilot.press("e")
        assert isinstance(pilot.app.screen, ChoiceScreen)
        await type_text(pilot, "remit")
        await pilot.press("enter")
        await pilot.pause()
        assert chosen_text(db_url, "Remittances") == PASSAGE
        assert chosen_text(db_url, "Labour migration") is None
        await to_code(pilot, "Remittances")
        details = str(pilot.app.screen.query_one("#details", Static).render())
        assert f"Example: Expert A: '{PASSAGE}' (chosen)" in " ".join(details.split())
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert chosen_text(db_url, "Remittances") is None
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert chosen_text(db_url, "Remittances") == PASSAGE

    drive(db_url, story)


def test_the_details_pane_says_why_an_excluded_code_has_no_example(project, fixture):
    from qualcode import codebook
    from qualcode.workbench import Workbench

    with project.session() as session:
        code = session.scalar(select(Code).where(Code.name == "Remittances"))
        code_id = code.id
    bench = Workbench(project, "Aigerim")
    assert bench.example(code_id).startswith("Expert A: '")
    assert bench.example(code_id).endswith("' (default)")
    with project.session() as session:
        codebook.exclude_code(session, session.get(Code, code_id), "off topic")
    assert bench.example(code_id) == "none: excluded codes are not printed"
