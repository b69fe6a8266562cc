"""The anonymisation review screen, driven with the keyboard in the real app (headless), on SQLite
and PostgreSQL; the database is checked afterwards through a fresh connection."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select
from textual.widgets import DataTable

from qualcode import open_project
from qualcode.models import Coding, Event, Source
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.anonymise import AnonymiseScreen
from qualcode.tui.screens.source import SourceScreen
from qualcode.tui.widgets.source_text import SourceText

NOTES = (
    "The programmer Andrey said the salaries in Omsk were higher.\n\n"
    "Респондент Айгерім деді: жұмыс көп. Write to a.sadykova@mail.kz today.\n\n"
    "Later Andrey met Gulnara Nyussupova in Astana."
)


def _project(cli, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(NOTES, encoding="utf-8")
    assert cli("import", path).exit_code == 0
    salaries = NOTES.index("the salaries")
    assert (
        cli("code", f"notes:{salaries}-{salaries + 33}", "Salary", "--coder", "Ann").exit_code == 0
    )
    work = NOTES.index("жұмыс көп")
    assert cli("code", f"notes:{work}-{work + 9}", "Work", "--coder", "Ann").exit_code == 0


def _type(text: str) -> list[str]:
    return ["space" if ch == " " else ch for ch in text]


def test_review_accept_ignore_edit_then_apply(cli, project, db_url: str, tmp_path: Path):
    _project(cli, tmp_path)
    app = QualcodeApp(db_url, "Ann", source="notes")
    seen: dict[str, object] = {}

    async def story() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SourceScreen)
            await pilot.press("a")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, AnonymiseScreen)
            found = [(i.finding.text, i.finding.kind, i.replacement) for i in screen.items]
            seen["found"] = found
            text = screen.query_one(SourceText)
            seen["highlighted"] = [text.text[s.start : s.end] for s in text.spans]
            table = screen.query_one("#findings", DataTable)
            assert table.row_count == len(found)
            # first finding (Andrey): accept; second (Айгерім): edit; third (e-mail): ignore
            await pilot.press("y")
            await pilot.press("e", "ctrl+u", *_type("Respondent K"), "enter")
            await pilot.pause()
            await pilot.press("down", "i")
            await pilot.pause()
            seen["decided"] = [(i.accepted, i.replacement) for i in screen.items]
            await pilot.press("w")
            await pilot.pause()
            assert isinstance(app.screen, SourceScreen)
            seen["shown"] = app.screen.query_one(SourceText).text

    asyncio.run(story())
    assert seen["found"][:3] == [
        ("Andrey", "person", "Person 1"),
        ("Айгерім", "person", "Person 2"),
        ("a.sadykova@mail.kz", "email", "[e-mail]"),
    ]
    assert ("Gulnara Nyussupova", "person", "Person 3") in seen["found"]
    assert seen["found"].count(("Andrey", "person", "Person 1")) == 2
    assert seen["highlighted"][:3] == ["Andrey", "Айгерім", "a.sadykova@mail.kz"]
    assert seen["decided"][:3] == [(True, "Person 1"), (True, "Respondent K"), (False, "[e-mail]")]
    expected = (
        "The programmer Person 1 said the salaries in Omsk were higher.\n\n"
        "Респондент Respondent K деді: жұмыс көп. Write to a.sadykova@mail.kz today.\n\n"
        "Later Person 1 met Person 3 in Astana."
    )
    assert seen["shown"] == expected
    with open_project(db_url) as fresh, fresh.session(write=False) as session:
        assert session.scalar(select(Source.text)) == expected
        coded = {c.code.name: c.excerpt.text for c in session.scalars(select(Coding))}
        logged = session.scalars(select(Event).where(Event.action == "anonymise.apply")).one()
    assert coded == {"Salary": "the salaries in Omsk were higher.", "Work": "жұмыс көп"}
    assert logged.payload["file"] == "review"


def test_escape_leaves_the_source_unchanged(cli, project, db_url: str, tmp_path: Path):
    _project(cli, tmp_path)
    app = QualcodeApp(db_url, "Ann", source="notes")

    async def story() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await pilot.press("a")
            await pilot.pause()
            await pilot.press("i", "i", "escape")
            await pilot.pause()
            assert isinstance(app.screen, SourceScreen)

    asyncio.run(story())
    with open_project(db_url) as fresh, fresh.session(write=False) as session:
        assert session.scalar(select(Source.text)) == NOTES
