"""The workbench's plain parts: units of text, wrapping, highlight runs, code ranking, names."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.colours import code_colour, is_colour
from qualcode.errors import InputError
from qualcode.tui import bindings
from qualcode.tui.fuzzy import rank
from qualcode.tui.screens.help import help_text
from qualcode.tui.units import Units
from qualcode.tui.widgets.source_text import highlight_runs, wrap
from qualcode.views import Span, covered
from qualcode.workbench import in_vivo_name

TEXT = "First one. Second one!  Third?\n\nNew paragraph here. And “quoted.” End"


def span(coding_id: int, start: int, end: int, code_id: int) -> Span:
    return Span(coding_id, coding_id, start, end, code_id, f"c{code_id}", "#ff0000", "me", "")


def test_units_split_paragraphs_at_blank_lines_and_sentences_at_punctuation():
    units = Units.of(TEXT)
    assert [TEXT[a:b] for a, b in units.paragraphs] == [
        "First one. Second one!  Third?",
        "New paragraph here. And “quoted.” End",
    ]
    assert [TEXT[a:b] for a, b in units.sentences] == [
        "First one.",
        "Second one!",
        "Third?",
        "New paragraph here.",
        "And “quoted.”",
        "End",
    ]


def test_units_prefer_stored_segments():
    units = Units.of(TEXT, [("sentence", 0, 22), ("paragraph", 0, 30)])
    assert units.sentences == [(0, 22)]
    assert units.paragraphs == [(0, 30)]


def test_moving_by_sentence_steps_from_the_current_one():
    units = Units.of(TEXT)
    second = units.sentences[1]
    assert units.next_sentence(second[0], 1) == units.sentences[2]
    assert units.next_sentence(second[0], -1) == units.sentences[0]
    assert units.next_sentence(len(TEXT), 1) == units.sentences[-1]
    assert units.sentence_at(second[0] + 2) == second
    assert units.next_paragraph(0, 1) == units.paragraphs[1]


def test_wrap_keeps_every_character_on_a_line_and_breaks_at_spaces():
    text = "alpha beta gamma delta\n\nepsilonzetaetathetaiota kappa"
    lines = wrap(text, 11)
    assert [text[a:b] for a, b in lines] == [
        "alpha beta ",
        "gamma delta",
        "",
        "epsilonzeta",
        "etathetaiot",
        "a kappa",
    ]
    covered_chars = sum(b - a for a, b in lines) + text.count("\n")
    assert covered_chars == len(text)


def test_highlight_runs_colour_the_innermost_coding_and_mark_overlaps():
    starts, ends, styles = highlight_runs([span(1, 0, 10, 1), span(2, 4, 6, 2)])
    assert list(zip(starts, ends, strict=True)) == [(0, 4), (4, 6), (6, 10)]
    assert [s.underline for s in styles] == [False, True, False]


def test_covered_counts_overlapping_ranges_once():
    assert covered([(0, 10), (5, 15), (20, 25)]) == 20
    assert covered([]) == 0


def test_picker_ranks_recent_codes_first_then_fuzzy_matches():
    names = {1: "Language policy", 2: "Labour migration", 3: "Remittances", 4: "Return migration"}
    assert rank("", names, recent=[3, 4]) == [3, 4, 2, 1]
    assert rank("lang", names)[0] == 1
    assert rank("lang pol", names)[0] == 1
    assert rank("remit", names)[0] == 3


def test_in_vivo_names_are_the_selected_words_quoted():
    assert in_vivo_name("  sent money\nhome. ") == "“sent money home”"
    assert len(in_vivo_name("word " * 40)) <= 82
    with pytest.raises(InputError, match="select some words"):
        in_vivo_name(" \n ")


def test_code_colours_are_stable_and_validated():
    assert code_colour(7, None) == code_colour(7, None)
    assert code_colour(7, "red") == "#ff0000"
    assert code_colour(7, "not-a-colour") == code_colour(7, None)
    assert not is_colour("nonsense")


def test_help_lists_every_key_binding():
    text = help_text()
    for table in bindings.TABLES.values():
        for binding in table:
            assert f"`{bindings.key_label(binding)}` | {binding.description}" in text


def test_docs_list_the_same_keys_as_the_app():
    docs = (Path(__file__).parent.parent / "docs" / "tui.md").read_text(encoding="utf-8")
    assert bindings.markdown_tables() in docs
