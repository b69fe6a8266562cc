"""A table too wide for the terminal prints as a plain aligned grid, not a squeezed rich table.

A code x participant matrix of 900 columns cannot fit any terminal: rich would squeeze every
column to a character or two and take seconds to lay it out. The grid keeps each cell whole, one
line per row (read it with ``less -S``); a table that fits is still rich's. The light Table path
and the DataFrame path print the same.
"""

from __future__ import annotations

import pytest

from qualcode.formats import tables, text
from qualcode.table import Table

PEOPLE = [f"Сарапшы {i:02d}" for i in range(30)] + ["Expert Ә", "Эксперт Ұ"]


def wide() -> Table:
    rows = [
        ("Көші-қон саясаты", *range(len(PEOPLE))),
        ("Brain drain\x1b[31m", *(n * 7 for n in range(len(PEOPLE)))),
    ]
    return Table(("code", *PEOPLE), ("O", *("i" for _ in PEOPLE)), rows)


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")


def test_a_table_wider_than_the_terminal_prints_as_a_plain_grid(terminal, capsys):
    text.print_table(wide(), "Codes by participant")
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Codes by participant"
    assert lines[1].split("  ")[0].rstrip() == "code"
    assert "Сарапшы 00" in lines[1] and "Эксперт Ұ" in lines[1]
    assert lines[2].startswith("Көші-қон саясаты")
    assert lines[3].startswith("Brain drain [31m")  # the escape character does not reach the tty
    assert "\x1b" not in out and "┃" not in out
    # numbers right-aligned under their whole headers: the last column ends with its figure
    assert lines[2].endswith(str(len(PEOPLE) - 1)) and lines[3].endswith(str(7 * (len(PEOPLE) - 1)))
    assert len({len(line) for line in lines[1:]}) == 1


def test_the_dataframe_path_prints_the_same_grid(terminal, capsys):
    table = wide()
    text.print_table(table, "Codes by participant")
    light = capsys.readouterr().out
    tables.print_table(table.to_dataframe(), title="Codes by participant")
    assert capsys.readouterr().out == light


def test_a_table_that_fits_is_still_rich(terminal, capsys):
    table = Table(("code", "count"), ("O", "i"), [("Көші-қон", 3), ("Миграция", 12)])
    text.print_table(table, "Codes")
    out = capsys.readouterr().out
    assert "┃" in out and "Көші-қон" in out


def test_a_table_of_long_words_that_rich_can_wrap_stays_rich(terminal, capsys):
    """Six columns of long words (the codebook list) at 80 columns: rich wraps and ends a word
    with an ellipsis, which reads better than grid lines twice the terminal's width."""
    headers = ("code", "themes", "count", "status", "reconstructed", "participant")
    row = ("Цифрландыру (digitalisation)", "Recent Policies and Enhancements", 10, "active", "",
           "Expert Ә")  # fmt: skip
    table = Table(headers, ("O", "O", "i", "O", "O", "O"), [row])
    text.print_table(table, "Codebook")
    out = capsys.readouterr().out
    assert "┃" in out and max(len(line) for line in out.splitlines()) <= 80
