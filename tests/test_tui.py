"""The workbench driven as a user would (keys and mouse, headless), on SQLite and PostgreSQL.

Each story checks the database afterwards through a fresh connection while the app is still
running: an action is on disk the moment it is made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from textual.pilot import Pilot

from qualcode import open_project
from qualcode.models import Code, Coder, CodeTheme, Coding, Excerpt, Setting, Source, Theme
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.choice import ChoiceScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.source import SourceScreen
from qualcode.tui.widgets.code_picker import CodePicker
from qualcode.tui.widgets.source_text import SourceText
from tests.tui_project import INTERVIEW, Fixture, build

SIZE = (120, 36)
Story = Callable[[Pilot], Awaitable[None]]


@pytest.fixture
def fixture(project) -> Fixture:
    return build(project)


def drive(
    db: str, story: Story, coder: str | None = "Aigerim", size: tuple[int, int] = SIZE
) -> QualcodeApp:
    """Run the real app headless on ``db`` and play ``story`` on it."""
    app = QualcodeApp(db, coder)

    async def run() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await story(pilot)

    asyncio.run(run())
    return app


def fresh(db_url: str):
    """A new connection to the project, as another process would see it."""
    return open_project(db_url)


def codings_of(db_url: str, code_name: str) -> list[tuple[str, str]]:
    """(coded text, coder) of every coding of a code, read through a fresh connection."""
    with fresh(db_url) as project, project.session(write=False) as session:
        rows = session.execute(
            select(Source.text, Excerpt.start, Excerpt.end, Coder.name)
            .select_from(Coding)
            .join(Excerpt, Excerpt.id == Coding.excerpt_id)
            .join(Source, Source.id == Excerpt.source_id)
            .join(Code, Code.id == Coding.code_id)
            .join(Coder, Coder.id == Coding.coder_id)
            .where(Code.name == code_name)
        ).all()
    return [(text[start:end], who) for text, start, end, who in rows]


def code_row(db_url: str, name: str) -> Code | None:
    with fresh(db_url) as project, project.session(write=False) as session:
        return session.scalar(select(Code).where(Code.name == name))


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*("space" if ch == " " else ch for ch in text))


async def open_interview(pilot: Pilot) -> SourceText:
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SourceScreen)
    return pilot.app.screen.query_one(SourceText)


async def to_code(pilot: Pilot, name: str) -> None:
    """On the codebook screen, search for a code and put the tree's cursor on it."""
    await pilot.press("2", "slash", "ctrl+u")
    await type_text(pilot, name)
    await pilot.press("enter")
    await pilot.pause()
    tree = pilot.app.screen.query_one("CodeTree")
    code_id = next(c.id for c in tree.book.codes.values() if c.name == name)
    for _ in range(tree.last_line + 1):
        if tree.current == ("code", code_id):
            return
        await pilot.press("down")
    raise AssertionError(f"{name} not reachable in the tree")


def test_code_a_sentence_with_the_picker(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        text = await open_interview(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert text.text[slice(*text.selection)] == "At school we switched to Kazakh."
        await pilot.press("c")
        assert isinstance(pilot.app.screen, CodePicker)
        await type_text(pilot, "retu")
        await pilot.press("enter")
        await pilot.pause()
        assert codings_of(db_url, "Return migration") == [
            ("At school we switched to Kazakh.", "Aigerim")
        ]
        assert any(s.code == "Return migration" for s in text.spans)

    drive(db_url, story)


def test_several_codes_at_once_and_a_new_one_inductively(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        await open_interview(pilot)
        await pilot.press("right_curly_bracket", "right_curly_bracket")  # third paragraph
        await pilot.press("c")
        await type_text(pilot, "retu")
        await pilot.press("tab")  # mark Return migration
        await pilot.press("ctrl+u")
        await type_text(pilot, "Paperwork")
        picker = pilot.app.screen
        choices = picker.query_one("#choices")
        assert choices.get_option_at_index(choices.highlighted).id == "new"  # no code matches
        await pilot.press("enter")
        await pilot.pause()
        paragraph = INTERVIEW[INTERVIEW.index("Later I went") :]
        assert codings_of(db_url, "Return migration") == [(paragraph, "Aigerim")]
        assert codings_of(db_url, "Paperwork") == [(paragraph, "Aigerim")]

    drive(db_url, story)


def test_in_vivo_code_from_selected_words(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        text = await open_interview(pilot)
        start = INTERVIEW.index("sent money home")
        text.place(start)
        for _ in range(3):
            await pilot.press("ctrl+shift+right")
        assert text.text[slice(*text.selection)] == "sent money home"
        await pilot.press("v")
        await pilot.pause()
        assert codings_of(db_url, "“sent money home”") == [("sent money home", "Aigerim")]

    drive(db_url, story)


def test_shift_arrows_and_mouse_drag_select_any_span(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        text = await open_interview(pilot)
        text.place(0)
        await pilot.press("shift+right", "shift+right", "shift+right", "shift+right")
        assert text.selection == (0, 4)
        # a border cell and a two-cell gutter come before the text: x=3 is offset 0
        await pilot.mouse_down(SourceText, offset=(8, 1))
        await pilot.hover(SourceText, offset=(13, 1))
        await pilot.mouse_up(SourceText, offset=(13, 1))
        assert text.text[slice(*text.selection)] == "of my"
        await pilot.press("c")
        await type_text(pilot, "lang")
        await pilot.press("enter")
        await pilot.pause()
        assert ("of my", "Aigerim") in codings_of(db_url, "Language policy")
        await pilot.double_click(SourceText, offset=(8, 4))  # the second paragraph's first line
        assert text.text[slice(*text.selection)] == "At school we switched to Kazakh."

    drive(db_url, story)


def test_jump_to_codings_then_remove_one_and_write_a_memo(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        text = await open_interview(pilot)
        await pilot.press("n")
        passage = "My father worked on building sites and sent money home every month."
        assert text.text[slice(*text.selection)] == passage
        await pilot.press("x")
        assert isinstance(pilot.app.screen, ChoiceScreen)  # two codes on this passage
        await type_text(pilot, "labour")
        await pilot.press("enter")
        await pilot.pause()
        assert codings_of(db_url, "Labour migration") == []
        assert codings_of(db_url, "Remittances") == [(passage, "Aigerim")]
        await pilot.press("n", "m")
        await type_text(pilot, "policy felt at school")
        await pilot.press("enter")
        await pilot.pause()
        with fresh(db_url) as project, project.session(write=False) as session:
            memo = session.scalar(
                select(Coding.memo).join(Code).where(Code.name == "Language policy")
            )
        assert memo == "policy felt at school"

    drive(db_url, story)


def test_undo_and_redo_every_action_of_the_session(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        await open_interview(pilot)
        await pilot.press("c")
        await type_text(pilot, "retu")
        await pilot.press("enter")
        await pilot.pause()
        assert len(codings_of(db_url, "Return migration")) == 1
        await to_code(pilot, "Remittances")
        await pilot.press("e")
        await type_text(pilot, "too vague")
        await pilot.press("enter")
        await pilot.pause()
        assert code_row(db_url, "Remittances").status == "excluded"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert code_row(db_url, "Remittances").status == "active"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert codings_of(db_url, "Return migration") == []
        await pilot.press("ctrl+z")  # the fixture's actions came before this session
        await pilot.pause()
        assert len(codings_of(db_url, "Remittances")) == 1
        await pilot.press("ctrl+y", "ctrl+y")
        await pilot.pause()
        assert len(codings_of(db_url, "Return migration")) == 1
        assert code_row(db_url, "Remittances").status == "excluded"

    drive(db_url, story)


def test_merge_two_codes_keeps_the_merged_one_for_the_audit_trail(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        await to_code(pilot, "Language policy")
        await pilot.press("m")
        assert isinstance(pilot.app.screen, CodePicker)
        await type_text(pilot, "remit")
        await pilot.press("enter")
        await pilot.pause()
        merged, kept = code_row(db_url, "Language policy"), code_row(db_url, "Remittances")
        assert (merged.status, merged.merged_into_id) == ("merged", kept.id)
        assert len(codings_of(db_url, "Remittances")) == 2
        assert codings_of(db_url, "Language policy") == []

    drive(db_url, story)


def test_exclude_a_code_with_a_reason_then_include_it(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        await to_code(pilot, "Return migration")
        await pilot.press("e")
        await type_text(pilot, "no longer used")
        await pilot.press("enter")
        await pilot.pause()
        code = code_row(db_url, "Return migration")
        assert (code.status, code.status_reason) == ("excluded", "no longer used")
        await to_code(pilot, "Return migration")
        await pilot.press("i")
        await pilot.pause()
        assert code_row(db_url, "Return migration").status == "active"

    drive(db_url, story)


def test_assign_a_code_to_a_sub_theme_and_unassign_it(db_url, fixture):
    def links() -> set[tuple[str, str]]:
        with fresh(db_url) as project, project.session(write=False) as session:
            rows = session.execute(
                select(Code.name, Theme.name).select_from(CodeTheme).join(Code).join(Theme)
            ).all()
        return {tuple(r) for r in rows}

    async def story(pilot: Pilot) -> None:
        await to_code(pilot, "Return migration")
        await pilot.press("a")
        assert isinstance(pilot.app.screen, ChoiceScreen)
        await type_text(pilot, "money")
        await pilot.press("enter")
        await pilot.pause()
        assert ("Return migration", "Money flows") in links()
        await pilot.press("ctrl+u")  # clear the search: the code now shows under its theme
        await to_code(pilot, "Return migration")
        assert pilot.app.screen.query_one("CodeTree").cursor_node.parent.data == (
            "theme",
            fixture.money_id,
        )
        await pilot.press("u")
        await pilot.pause()
        assert ("Return migration", "Money flows") not in links()

    drive(db_url, story)


def test_rename_define_recolour_and_themes_from_the_codebook(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        await to_code(pilot, "Return migration")
        await pilot.press("r", "ctrl+u")
        await type_text(pilot, "Coming back")
        await pilot.press("enter")
        await to_code(pilot, "Coming back")
        await pilot.press("d")
        await type_text(pilot, "Plans to return")
        await pilot.press("enter", "k", "ctrl+u")
        await type_text(pilot, "red")
        await pilot.press("enter")
        await pilot.pause()
        code = code_row(db_url, "Coming back")
        assert (code.definition, code.colour) == ("Plans to return", "#ff0000")
        await pilot.press("t")
        await type_text(pilot, "Identity")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("slash", "ctrl+u", "enter")  # clear the search
        tree = pilot.app.screen.query_one("CodeTree")
        with fresh(db_url) as project, project.session(write=False) as session:
            identity = session.scalar(select(Theme.id).where(Theme.name == "Identity"))
        assert tree.move_to(("theme", identity))
        await pilot.press("w")
        await type_text(pilot, "economy")
        await pilot.press("enter")
        await pilot.pause()
        with fresh(db_url) as project, project.session(write=False) as session:
            parent = session.scalar(select(Theme.parent_id).where(Theme.name == "Identity"))
        assert parent == fixture.economy_id

    drive(db_url, story)


def test_a_refused_action_is_a_notification_and_changes_nothing(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        await to_code(pilot, "Remittances")
        await pilot.press("r", "ctrl+u")
        await type_text(pilot, "labour migration")
        await pilot.press("enter")
        await pilot.pause()
        notes = [n.message for n in pilot.app._notifications]
        assert any("exists already" in note for note in notes)
        assert code_row(db_url, "Remittances") is not None

    drive(db_url, story)


def test_the_coder_is_remembered_for_the_project(db_url, fixture, monkeypatch):
    monkeypatch.delenv("QUALCODE_CODER", raising=False)

    async def nothing(_pilot: Pilot) -> None:
        return None

    drive(db_url, nothing, coder="Dana")
    with fresh(db_url) as project, project.session(write=False) as session:
        assert session.get(Setting, "coder.last").value == "Dana"
    app = drive(db_url, nothing, coder=None)
    assert app.workbench.coder_name == "Dana"


def test_home_lists_sources_with_coverage_and_the_codebook(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        table = pilot.app.screen.query_one("#sources")
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[:3] == ["Interview Expert A", "Expert A", "interview"]
        assert first[5] == "3"  # codings
        tree = pilot.app.screen.query_one("CodeTree")
        assert [str(n.label).split("  ")[0] for n in tree.root.children] == [
            "Economy",
            "Codes in no theme",
        ]

    drive(db_url, story)


def test_reports_filter_and_export_the_table(db_url, fixture, tmp_path: Path):
    out = tmp_path / "codes.csv"

    async def story(pilot: Pilot) -> None:
        await pilot.press("3")
        await pilot.pause()
        table = pilot.app.screen.query_one("#report")
        assert table.row_count == 4
        pilot.app.screen.query_one("#kind").value = "document"
        await pilot.pause()
        assert table.row_count == 0  # nothing coded in documents
        pilot.app.screen.query_one("#kind").clear()
        await pilot.pause()
        await pilot.press("e", "ctrl+u")
        await type_text(pilot, str(out))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert str(table.get_row_at(0)[0]) == "Economy"

    drive(db_url, story)
    lines = out.read_text().splitlines()
    assert lines[0] == "code,themes,count,participants,status"
    assert "Remittances,Money flows,1,Expert A,active" in lines


def test_keys_help_and_command_palette(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        await pilot.press("question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Codebook")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.current_mode == "codebook"

    drive(db_url, story)


def test_the_key_bar_is_clickable(db_url, fixture):
    from textual.command import CommandPalette

    from qualcode.tui.widgets.key_bar import KeyBar

    async def story(pilot: Pilot) -> None:
        bar = pilot.app.screen.query_one(KeyBar)
        assert "o Open" in str(bar.render()).replace("  ", " ")
        await pilot.click(KeyBar, offset=(1, 0))  # "^p palette", always first
        await pilot.pause()
        assert isinstance(pilot.app.screen, CommandPalette)

    drive(db_url, story)


def test_undo_says_so_when_the_session_has_nothing_to_undo(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert any("nothing to undo" in n.message for n in pilot.app._notifications)
        with fresh(db_url) as project, project.session(write=False) as session:
            assert session.scalar(select(func.count()).select_from(Coding)) == 3

    drive(db_url, story)


def test_open_refuses_an_unknown_source_in_one_line(cli, fixture):
    result = cli("open", "--source", "Interview Expert Z", "--coder", "Aigerim")
    assert result.exit_code == 1
    assert result.stderr.startswith("qualcode: error: no source 'Interview Expert Z'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_open_refuses_a_missing_project(cli, tmp_path: Path):
    missing = tmp_path / "nowhere.db"
    result = cli("open", "--db", str(missing), db=False)
    assert result.exit_code == 1
    assert "no such project" in result.stderr
    assert not missing.exists()


def test_open_at_a_source_shows_it_first(db_url, fixture):
    app = QualcodeApp(db_url, "Aigerim", source="Interview Expert A")

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SourceScreen)
            assert app.screen.source_id == fixture.interview_id
            await pilot.press("escape", "escape")
            await pilot.pause()
            assert app.screen.query_one("#sources").row_count == 2  # home filled once seen

    asyncio.run(run())


def test_home_shows_new_codings_when_back_from_the_source(db_url, fixture):
    async def story(pilot: Pilot) -> None:
        await open_interview(pilot)
        await pilot.press("c")
        await type_text(pilot, "retu")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape", "escape")  # the first clears the selection
        await pilot.pause()
        table = pilot.app.screen.query_one("#sources")
        assert str(table.get_row_at(0)[5]) == "4"

    drive(db_url, story)


def test_reports_in_blind_mode_count_only_this_coders_codings(db_url, project, fixture):
    from qualcode import coding, lookup, team

    with project.session() as session:
        other = lookup.coder(session, "Dana")
        code = lookup.get_code(session, "Remittances")
        source = session.scalar(select(Source).where(Source.kind == "interview"))
        coding.apply_code(session, coding.Target(source.id, 0, 5), code, other)
        team.set_mode(session, team.BLIND)

    def remittances(pilot: Pilot) -> str:
        table = pilot.app.screen.query_one("#report")
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        return next(str(r[2]) for r in rows if str(r[0]) == "Remittances")

    seen: dict[str, str] = {}

    def story_for(coder: str) -> Story:
        async def story(pilot: Pilot) -> None:
            await pilot.press("3")
            await pilot.pause()
            seen[coder] = remittances(pilot)

        return story

    drive(db_url, story_for("Aigerim"), coder="Aigerim")
    drive(db_url, story_for("Dana"), coder="Dana")
    assert seen == {"Aigerim": "1", "Dana": "1"}  # each sees only their own coding
    with project.session() as session:
        team.set_mode(session, team.RECONCILE)
    drive(db_url, story_for("Aigerim"), coder="Aigerim")
    assert seen["Aigerim"] == "2"
