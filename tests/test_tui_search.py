"""`/` in the workbench: search the open source or every source, code a hit from the list."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Label, OptionList

from qualcode.tui.screens.search import SearchScreen
from qualcode.tui.screens.source import SourceScreen
from tests.test_tui import codings_of, drive, fixture, open_interview, type_text  # noqa: F401
from tests.tui_project import INTERVIEW


def test_search_the_source_and_code_a_hit(db_url, fixture):  # noqa: F811
    async def story(pilot: Pilot) -> None:
        await open_interview(pilot)
        await pilot.press("slash")
        screen = pilot.app.screen
        assert isinstance(screen, SearchScreen)
        await type_text(pilot, "KAZAKH")
        await pilot.press("enter")
        await pilot.pause()
        hits = screen.query_one("#hits", OptionList)
        assert hits.option_count == 1
        assert [h.address for h in screen.hits] == ["Interview Expert A:s3"]
        assert str(screen.query_one("#search-scope", Label).render()).endswith(": 1 hit")
        await pilot.press("c")
        await type_text(pilot, "Language policy")
        await pilot.press("enter")
        await pilot.pause()
        assert ("At school we switched to Kazakh.", "Aigerim") in codings_of(
            db_url, "Language policy"
        )
        assert isinstance(pilot.app.screen, SearchScreen)  # the list stays for the next hit

    drive(db_url, story)


def test_tab_searches_every_source_and_enter_opens_the_hit(db_url, fixture):  # noqa: F811
    async def story(pilot: Pilot) -> None:
        await open_interview(pilot)
        await pilot.press("slash")
        await type_text(pilot, "contract")
        await pilot.press("enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert screen.hits == []
        await pilot.press("tab")
        await pilot.pause()
        # the law has no sentence rows (imported without segmentation): the match is the hit
        assert [h.address for h in screen.hits] == ["Migration law:111-119"]
        assert screen.hits[0].source_id == fixture.law_id
        screen.query_one("#hits", OptionList).focus()
        await pilot.press("enter")
        for _ in range(50):
            if isinstance(pilot.app.screen, SourceScreen) and pilot.app.screen.view:
                break
            await pilot.pause(0.05)
        source = pilot.app.screen
        assert isinstance(source, SourceScreen) and source.source_id == fixture.law_id
        start, end = source.text.selection
        assert "contract" in source.view.text[start:end]

    drive(db_url, story)


def test_a_bad_search_is_a_notification(db_url, fixture):  # noqa: F811
    async def story(pilot: Pilot) -> None:
        await open_interview(pilot)
        await pilot.press("slash")
        await type_text(pilot, "   ")
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.screen.hits == []
        assert INTERVIEW

    drive(db_url, story)
