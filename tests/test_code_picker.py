"""The workbench's code picker ranks what the researcher most likely means first, offers
"+ new code" first when nothing matches, and never applies an unrelated code on Enter."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from textual.pilot import Pilot

from qualcode import codebook, lookup
from qualcode.tui.fuzzy import rank, ranking
from qualcode.tui.widgets.code_picker import NEW, CodePicker
from tests.test_tui import codings_of, drive, open_interview, type_text
from tests.tui_project import build

THESIS = Path(__file__).resolve().parent.parent / "codebooks" / "thesis-appendix-b.yaml"


def thesis_codes() -> dict[int, str]:
    book = yaml.safe_load(THESIS.read_text(encoding="utf-8"))
    names: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "codes" and isinstance(value, list):
                    for code in value:
                        names.append(code["name"] if isinstance(code, dict) else str(code))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(book)
    return dict(enumerate(dict.fromkeys(names), start=1))


def test_word_beginnings_find_the_thesis_code_first():
    names = thesis_codes()
    assert len(names) > 150
    first = names[rank("bal loc", names)[0]]
    assert first == "Balance of local and foreign employees"


def test_tiers_same_name_then_prefix_then_word_beginnings():
    names = {
        1: "Local balance",
        2: "Balance of local and foreign employees",
        3: "Balancing local budgets",
        4: "Global localisation",
    }
    assert set(rank("bal loc", names)[:2]) == {2, 3}  # each typed word starts a word, in order
    assert 1 in ranking("bal loc", names).matches  # any order: still a match, after
    assert rank("local balance", names)[0] == 1
    assert rank("bal loc", names)[-1] == 4  # only inside words: last


def test_cyrillic_and_kazakh_word_beginnings():
    names = {1: "Көші-қон саясаты", 2: "Визовый режим", 3: "Қазақ тілі", 4: "Трудовая миграция"}
    assert rank("көші сая", names)[0] == 1
    assert rank("ВИЗ РЕЖ", names)[0] == 2
    assert rank("қаз", names)[0] == 3
    assert ranking("тру миг", names).matches == [4]


def test_a_typo_is_only_a_suggestion():
    names = {1: "Remittances", 2: "Return migration"}
    found = ranking("remitances", names)
    assert found.matches == []
    assert found.suggestions[0] == 1


@pytest.fixture
def bench(project):
    fixture = build(project)
    with project.session() as session:
        coder = lookup.coder(session, "Aigerim")
        codebook.create_code(session, "Balance of local and foreign employees")
        codebook.create_code(session, "Көші-қон саясаты")
        session.flush()
        assert coder
    return fixture


def highlighted(picker: CodePicker) -> str | None:
    return picker.highlighted_id()


def test_enter_applies_the_best_match(db_url, bench):
    async def story(pilot: Pilot) -> None:
        await open_interview(pilot)
        await pilot.press("right_square_bracket", "c")
        await type_text(pilot, "bal loc")
        picker = pilot.app.screen
        assert isinstance(picker, CodePicker)
        assert picker.codes[int(highlighted(picker))].name.startswith("Balance of local")
        await pilot.press("enter")
        await pilot.pause()
        assert len(codings_of(db_url, "Balance of local and foreign employees")) == 1

    drive(db_url, story)


def test_a_name_matching_nothing_offers_new_code_first_and_enter_creates_it(db_url, bench):
    async def story(pilot: Pilot) -> None:
        await open_interview(pilot)
        await pilot.press("right_square_bracket", "c")
        before = codings_of(db_url, "Remittances")
        await type_text(pilot, "Remitances home")  # similar to Remittances, but not it
        picker = pilot.app.screen
        assert highlighted(picker) == NEW
        await pilot.press("enter")
        await pilot.pause()
        assert len(codings_of(db_url, "Remitances home")) == 1
        assert codings_of(db_url, "Remittances") == before

    drive(db_url, story)


def test_a_kazakh_name_typed_in_capitals_finds_its_code(db_url, bench):
    async def story(pilot: Pilot) -> None:
        await open_interview(pilot)
        await pilot.press("right_square_bracket", "c")
        await type_text(pilot, "КӨШІ САЯ")
        picker = pilot.app.screen
        assert picker.codes[int(highlighted(picker))].name == "Көші-қон саясаты"
        await pilot.press("enter")
        await pilot.pause()
        assert len(codings_of(db_url, "Көші-қон саясаты")) == 1

    drive(db_url, story)
