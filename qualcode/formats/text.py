"""A :class:`~qualcode.table.Table` as text: terminal table, CSV, JSON or Markdown, without pandas.

Each writer gives the bytes that ``qualcode.formats.tables`` gives for the same table as a
DataFrame (tests/test_report_output.py compares them), so a light command prints exactly what
the pandas path would: CSV through the csv module as pandas does, JSON in pandas' layout
(``"key":value``, ``\\/`` for a slash, floats with their ``.0``), Markdown through tabulate,
and the terminal table through rich; cells made inert as qualcode.formats.inert says.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import Any

from qualcode.formats.inert import csv_cell, md_cell
from qualcode.table import Table

LIGHT_FORMATS = ("table", "csv", "json", "md")


def rich_table(table: Table, title: str | None = None):
    """A rich table; cells are Text, so ``[bold]`` in a name is printed, not obeyed."""
    numeric = [table.numeric(i) for i in range(len(table.columns))]
    return rich_grid(title, [str(c) for c in table.columns], numeric, table.cells())


def rich_grid(
    title: str | None,
    headers: Sequence[str],
    numeric: Sequence[bool],
    rows: Iterable[Iterable[str]],
):
    """The one rich table both report paths print: numbers right-aligned, at least as wide as
    its title (a narrow table, with no rows yet, never breaks a word of it)."""
    from rich.table import Table as RichTable
    from rich.text import Text

    out = RichTable(title=Text(title) if title else None, min_width=len(title) if title else None)
    for header, number in zip(headers, numeric, strict=True):
        out.add_column(Text(header), justify="right" if number else "left")
    for row in rows:
        out.add_row(*(Text(cell) for cell in row))
    return out


def print_table(table: Table, title: str | None = None) -> None:
    """On the terminal: a rich table, or a plain grid when the table cannot fit (print_grid)."""
    columns = [str(c) for c in table.columns]
    texts = table.column_texts() or [[] for _ in columns]
    numeric = [table.numeric(i) for i in range(len(columns))]
    if print_grid(columns, texts, numeric, title):
        return
    from rich.console import Console

    Console().print(rich_table(table, title))


_READABLE = 4  # the fewest characters of a column's words rich must show for it to be read
# C0 and C1 control characters (escape sequences included) in cells the grid prints as they are
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _longest_word(name: str, cells: list[str], number: bool) -> int:
    """The longest word of a column, its name included (a number's cell is one word)."""
    if number:
        longest = max(map(len, cells), default=0)
    else:
        longest = max((len(w) for cell in cells for w in cell.split()), default=0)
    return max(longest, *(len(w) for w in name.split()), 0)


def print_grid(
    columns: list[str], texts: list[list[str]], numeric: list[bool], title: str | None
) -> bool:
    """Print a table as a plain grid, aligned, one line per row, and return True, when rich
    cannot give each column a few characters (a code x participant matrix of 900 columns): it
    would squeeze each column to a character or two, and take seconds to lay out 450,000
    cells. Read it with ``less -S``, or take --format csv. Otherwise print nothing and return
    False."""
    width = shutil.get_terminal_size().columns
    # rich wraps cells at spaces and ends a long word with "…": readable while every column keeps
    # a few characters (its borders and padding take 3); past that it is a column of ellipses
    narrowest = 1 + sum(
        3 + min(_READABLE, _longest_word(name, cells, number))
        for name, cells, number in zip(columns, texts, numeric, strict=True)
    )
    if narrowest <= width:
        return False
    # numbers' cells are digits already; only names can hold control characters
    grid = [[_CONTROL.sub(" ", name), *(cells if number else (_CONTROL.sub(" ", c) for c in cells))]
            for name, cells, number in zip(columns, texts, numeric, strict=True)]  # fmt: skip
    sizes = [max(map(len, column)) for column in grid]
    padded = [
        list(map(str.rjust if right else str.ljust, column, repeat(size)))
        for column, size, right in zip(grid, sizes, numeric, strict=True)
    ]
    lines = ["  ".join(row).rstrip() for row in zip(*padded, strict=True)]
    if title:
        lines.insert(0, _CONTROL.sub(" ", title))
    _ = sys.stdout.write("\n".join(lines) + "\n")
    return True


def to_csv(table: Table) -> str:
    """CSV with text cells made inert; numbers' cells are plain numbers, never formula-like."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_cell(str(c)) for c in table.columns)
    columns = table.column_texts()
    for i, cells in enumerate(columns):
        if not table.numeric(i):
            columns[i] = [csv_cell(cell) for cell in cells]
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue()


def _json_value(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"
    if kind == "f":
        return repr(float(value))
    if kind == "i":
        return str(int(value))  # PostgreSQL's sums are Decimals
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False).replace("/", "\\/")


def to_json(table: Table) -> str:
    """pandas' ``to_json(orient="records", force_ascii=False, indent=2)``."""
    keys = [json.dumps(str(c), ensure_ascii=False).replace("/", "\\/") for c in table.columns]
    records = []
    for row in table.rows:
        fields = ",\n".join(
            f"    {key}:{_json_value(value, kind)}"
            for key, value, kind in zip(keys, row, table.kinds, strict=True)
        )
        records.append("  {\n" + fields + "\n  }")
    return "[\n" + ",\n".join(records) + "\n]"


def to_markdown(table: Table) -> str:
    from tabulate import tabulate

    rows = [
        [int(v) if v and table.kinds[i] == "i" else md_cell(v) for i, v in enumerate(row)]
        for row in table.cells()
    ]
    headers = [md_cell(str(c)) for c in table.columns]
    return tabulate(rows, headers=headers, tablefmt="pipe", showindex=False) + "\n"


def render(table: Table, fmt: str, title: str | None = None) -> str:
    """The table as text in one of LIGHT_FORMATS."""
    if fmt == "csv":
        return to_csv(table)
    if fmt == "json":
        return to_json(table)
    if fmt == "md":
        return to_markdown(table)
    if fmt == "table":
        from rich.console import Console

        console = Console(width=200, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(rich_table(table, title))
        return console.export_text()
    raise ValueError(f"unknown format {fmt!r}")
