"""The transcribed thesis codebook against the seed and against the figures in codebooks/README.md.

The expected figures were counted by hand from the seed's Appendix B (lines 681-924); they are the
table "Expected figures" of codebooks/README.md. tests/data/thesis-appendix-b.txt holds those lines.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from qualcode.formats import codebook_files

ROOT = Path(__file__).resolve().parent.parent
BOOK = codebook_files.load(ROOT / "codebooks" / "thesis-appendix-b.yaml")
SEED = (Path(__file__).parent / "data" / "thesis-appendix-b.txt").read_text("utf-8").split("\n")
FIRST_LINE = 681

# section (theme) -> (codes, codes with a count, sum of counts), from codebooks/README.md
EXPECTED = {
    "Recent Policies and Enhancements": (19, 19, 95),
    "Evolving Migration Trends": (17, 16, 56),
    "Characteristics of Migration": (8, 7, 28),
    "Reasons for movement": (32, 30, 69),
    "Specific Migrant Origins and Destinations": (27, 27, 66),
    "Disadvantages of Kazakhstan's migration management": (79, 79, 158),
    "Human Trafficking": (7, 7, 20),
    "Impact of immigration of foreigners": (3, 3, 7),
}
MAIN_THEMES = {
    "Evolving Migration Trends": (87, 226),
    "Recent Policies and Enhancements": (19, 95),
    "Disadvantages of Kazakhstan's migration management": (79, 158),
    "Human Trafficking": (7, 20),
}
RECONSTRUCTED_LINES = {734, *range(804, 814), 815, 816, 817}
EMPTY_COUNT_LINES = {717, 734, 756, 766}
JOINED = {780, 920}  # quotes put together from cells the extraction split across rows
RENAMED = {871, 897, 901, 918}  # stray quote marks dropped; a duplicate name given a suffix


def seed(line: int) -> str:
    return SEED[line - FIRST_LINE]


def line_of(code: codebook_files.CodeEntry) -> int:
    match = re.match(r"Appendix B, seed line (\d+)\.", code.provenance or "")
    assert match, code.name
    return int(match.group(1))


def test_every_code_sits_in_exactly_one_section():
    assert all(len(code.themes) == 1 for code in BOOK.codes)


def test_per_section_figures_match_the_hand_count():
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for code in BOOK.codes:
        row = figures[code.themes[0]]
        row[0] += 1
        row[1] += code.count is not None
        row[2] += code.count or 0
    assert {k: tuple(v) for k, v in figures.items()} == EXPECTED
    assert list(figures) == list(EXPECTED)  # sections in printed order


def test_totals_match_the_hand_count():
    assert len(BOOK.codes) == 192
    assert sum(c.count is not None for c in BOOK.codes) == 188
    assert sum(c.count or 0 for c in BOOK.codes) == 499


def test_main_theme_figures_include_their_sub_themes():
    parent = {t.name: t.parent for t in BOOK.themes}
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code in BOOK.codes:
        main = parent[code.themes[0]] or code.themes[0]
        totals[main][0] += 1
        totals[main][1] += code.count or 0
    assert {k: tuple(v) for k, v in totals.items()} == MAIN_THEMES


def test_theme_tree_is_chapter_four():
    tree = {t.name: t.parent for t in BOOK.themes}
    assert [name for name, parent in tree.items() if parent is None] == [
        "Evolving Migration Trends",
        "Recent Policies and Enhancements",
        "Disadvantages of Kazakhstan's migration management",
        "Human Trafficking",
    ]
    assert [name for name, parent in tree.items() if parent == "Evolving Migration Trends"] == [
        "Characteristics of Migration",
        "Reasons for movement",
        "Specific Migrant Origins and Destinations",
        "Impact of immigration of foreigners",
    ]


def test_codes_are_in_printed_order_each_row_once():
    lines = [line_of(code) for code in BOOK.codes]
    assert lines == sorted(set(lines))


def test_reconstructed_names_and_empty_counts_are_exactly_the_documented_ones():
    assert {line_of(c) for c in BOOK.codes if c.reconstructed} == RECONSTRUCTED_LINES
    assert {line_of(c) for c in BOOK.codes if c.count is None} == EMPTY_COUNT_LINES


@pytest.mark.parametrize("code", BOOK.codes, ids=lambda c: c.name)
def test_name_expert_quote_and_count_are_the_printed_ones(code):
    line = line_of(code)
    printed = seed(line)
    if not code.reconstructed and line not in RENAMED:
        assert printed.startswith(code.name + "\t")
    nearby = " ".join(seed(n) for n in range(line - 1, min(line + 4, 925))).replace("\\$", "$")
    if line not in JOINED:
        assert code.quote.split(" [...] ")[0][:40] in nearby
    missing = set(re.findall(r"\w+", code.quote)) - set(re.findall(r"\w+", nearby))
    assert not missing
    assert f"{code.participant}: '" in nearby
    if code.count is not None:
        cells = printed.split("\t") if line != 920 else seed(921).split("\t")
        assert cells[-1].strip() == str(code.count)


def test_csv_twin_has_the_same_codes():
    assert codebook_files.load(ROOT / "codebooks" / "thesis-appendix-b.csv").codes == BOOK.codes


def test_the_yaml_is_in_canonical_form():
    text = (ROOT / "codebooks" / "thesis-appendix-b.yaml").read_text("utf-8")
    assert codebook_files.dump_yaml(BOOK) == text
