"""The reports screen at 160 columns shows every column, and its where field filters as
`report ... --where` does."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable

from qualcode import codebook, coding, lookup
from qualcode.models import Participant, ParticipantAttribute
from qualcode.tui.screens.reports import fit_widths
from tests.test_tui import drive, fixture, type_text  # noqa: F401
from tests.tui_project import INTERVIEW

LONG_CODE = "Balance of local and foreign employees in the companies of the Almaty region"
LONG_THEME = "Disadvantages of Kazakhstan's migration management and the ways around them"


def test_fit_widths_cuts_the_widest_text_first_and_keeps_numbers():
    assert fit_widths([60, 50, 5, 12], [False, False, True, False], 60) == [21, 21, 5, 12]
    assert fit_widths([10, 5], [False, True], 80) == [10, 5]
    assert fit_widths([100, 5], [False, True], 3) == [8, 5]  # never below 8


def add_long_names(project) -> None:
    with project.session() as session:
        coder = lookup.coder(session, "Aigerim")
        code = codebook.create_code(session, LONG_CODE)
        theme = codebook.create_theme(session, LONG_THEME)
        codebook.assign_code(session, code, theme)
        source = lookup.get_source(session, "Interview Expert A")
        start = INTERVIEW.index("At school")
        coding.apply_code(session, coding.Target(source.id, start, start + 30), code, coder)
        person = lookup.get_participant(session, "Expert A")
        session.add(ParticipantAttribute(participant=person, name="қала", value="Алматы"))
        assert isinstance(person, Participant)


def columns_fit(table: DataTable) -> bool:
    used = sum(c.get_render_width(table) for c in table.columns.values())
    return used <= table.scrollable_content_region.width


def test_every_column_shows_at_160_columns(db_url, fixture, project):  # noqa: F811
    add_long_names(project)

    async def story(pilot: Pilot) -> None:
        await pilot.press("3")
        await pilot.pause()
        table = pilot.app.screen.query_one("#report", DataTable)
        assert [str(c.label) for c in table.columns.values()] == [
            "code", "themes", "count", "participants", "status",
        ]  # fmt: skip
        assert columns_fit(table)
        await pilot.press("t")
        await pilot.pause()
        assert "parent" in [str(c.label) for c in table.columns.values()]
        assert columns_fit(table)

    drive(db_url, story, size=(160, 40))


def test_the_where_field_filters_and_names_a_typo(db_url, fixture, project):  # noqa: F811
    add_long_names(project)

    async def story(pilot: Pilot) -> None:
        await pilot.press("3")
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#where").focus()
        await type_text(pilot, "ҚАЛА=алматы")
        await pilot.press("enter")
        await pilot.pause()
        assert set(screen.frame["code"]) == {
            "Remittances", "Labour migration", "Language policy", LONG_CODE,
        }  # fmt: skip
        screen.query_one("#where").value = "organisation=Universty"
        screen.query_one("#where").focus()
        await pilot.press("enter")
        await pilot.pause()
        messages = [n.message for n in pilot.app._notifications]
        assert any("did you mean 'University'" in m for m in messages)

    drive(db_url, story, size=(160, 40))
