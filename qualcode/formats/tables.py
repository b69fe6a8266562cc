"""DataFrames out: a rich table on the terminal, or csv, json, md, xlsx, docx, tex for a thesis.

pandas does the writing (tabulate and jinja2 behind it), openpyxl writes the workbook and
python-docx builds a real Word table with a repeated header row. ``render`` returns text for text
formats, writes binary ones. Every cell and header passes through qualcode.formats.inert first:
names come from other people's files and must reach the reader as text, never as a formula.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.formats.inert import csv_cell, md_cell, tex_text, xlsx_cell, xml_text

if TYPE_CHECKING:
    import pandas as pd

TEXT_FORMATS = ("csv", "json", "md", "tex", "table")


def _cells(df: pd.DataFrame) -> pd.DataFrame:
    """Empty cells for missing values, integers without a trailing '.0'."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype.kind == "f" and series.dropna().apply(float.is_integer).all():
            out[col] = series.astype("Int64")
    return out.astype(object).where(out.notna(), "")


def rich_table(df: pd.DataFrame, title: str | None = None):
    """A rich table; cells are Text, so ``[bold]`` in a name is printed, not obeyed."""
    from qualcode.formats.text import rich_grid

    numeric = [df[col].dtype.kind in "iuf" for col in df.columns]
    rows = ((str(v) for v in row) for row in _cells(df).itertuples(index=False))
    return rich_grid(title, [str(c) for c in df.columns], numeric, rows)


def print_table(df: pd.DataFrame, title: str | None = None, **_: object) -> None:
    """On the terminal: a rich table, or the plain grid of qualcode.formats.text.print_grid
    when the table cannot fit."""
    from qualcode.formats.text import print_grid

    cells = _cells(df)
    texts = [[str(v) for v in cells[col]] for col in cells.columns]
    numeric = [df[col].dtype.kind in "iuf" for col in df.columns]
    if print_grid([str(c) for c in df.columns], texts, numeric, title):
        return
    from rich.console import Console

    Console().print(rich_table(df, title))


def to_docx(df: pd.DataFrame, path: Path, title: str | None = None) -> None:
    """A Word table whose first row is a header row that repeats on every page."""
    from docx import Document

    doc = Document()
    if title:
        doc.add_heading(xml_text(title), level=2)
    cells = _cells(df)
    table = doc.add_table(rows=1, cols=len(df.columns))
    table.style = "Table Grid"
    header = table.rows[0]
    repeat_header_row(header)
    for cell, name in zip(header.cells, df.columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(xml_text(str(name))).bold = True
    for row in cells.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = xml_text(str(value))
    doc.save(str(path))


def repeat_header_row(row) -> None:
    """Mark a Word table row as a header row, repeated at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_header = OxmlElement("w:tblHeader")
    tbl_header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(tbl_header)


_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def to_xlsx(df: pd.DataFrame, path: Path, title: str | None = None) -> None:
    """One sheet, a bold header row; text stays text and numbers numbers (see formats.inert)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    name = xml_text((title or "").translate(_SHEET_NAME_FORBIDDEN))[:31].strip(" '")
    sheet.title = name or "qualcode"
    for col, name in enumerate(df.columns, start=1):
        cell = sheet.cell(row=1, column=col)
        xlsx_cell(cell, str(name))
        cell.font = Font(bold=True)
    for row_number, row in enumerate(_cells(df).itertuples(index=False), start=2):
        for col, value in enumerate(row, start=1):
            xlsx_cell(sheet.cell(row=row_number, column=col), value)
    data = io.BytesIO()  # built in memory: a full disk fails the one write below, cleanly
    book.save(data)
    Path(path).write_bytes(data.getvalue())


def to_tex(df: pd.DataFrame, caption: str | None = None) -> str:
    """A booktabs longtable (needs \\usepackage{booktabs,longtable}), LaTeX specials escaped."""
    escaped = _cells(df).map(lambda v: tex_text(str(v)))
    escaped.columns = [tex_text(str(c)) for c in df.columns]
    return escaped.style.hide(axis="index").to_latex(
        environment="longtable",
        hrules=True,
        caption=tex_text(caption) if caption else None,
        column_format="".join("r" if df[c].dtype.kind in "iuf" else "l" for c in df.columns),
    )


def render(
    df: pd.DataFrame, fmt: str, output: Path | None = None, title: str | None = None, **_: object
) -> str | None:
    """Text for csv/json/md/tex (also written to ``output`` if given); xlsx/docx are written."""
    if fmt == "xlsx":
        assert output is not None
        to_xlsx(df, output, title)
        return None
    if fmt == "docx":
        assert output is not None
        to_docx(df, output, title)
        return None
    if fmt == "csv":
        cells = _cells(df).map(csv_cell)
        cells.columns = [csv_cell(str(c)) for c in df.columns]
        text = cells.to_csv(index=False, lineterminator="\n")
    elif fmt == "json":
        text = df.to_json(orient="records", force_ascii=False, indent=2)
    elif fmt == "md":
        cells = _cells(df).map(md_cell)
        cells.columns = [md_cell(str(c)) for c in df.columns]
        text = cells.to_markdown(index=False) + "\n"
    elif fmt == "tex":
        text = to_tex(df, title)
    elif fmt == "table":
        from rich.console import Console

        console = Console(width=200, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(rich_table(df, title))
        text = console.export_text()
    else:
        raise ValueError(f"unknown format {fmt!r}")
    if output is not None:
        Path(output).write_text(text, encoding="utf-8")
        return None
    return text
