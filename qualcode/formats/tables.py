"""DataFrames out: a rich table on the terminal, or csv, json, md, xlsx, docx, tex for a thesis.

pandas does the writing (openpyxl, tabulate and jinja2 behind it); python-docx builds a real Word
table with a repeated header row. ``render`` returns text for text formats, writes binary ones.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

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
    from rich.table import Table

    table = Table(title=title)
    for col in df.columns:
        table.add_column(str(col), justify="right" if df[col].dtype.kind in "iuf" else "left")
    for row in _cells(df).itertuples(index=False):
        table.add_row(*(str(v) for v in row))
    return table


def print_table(df: pd.DataFrame, title: str | None = None, **_: object) -> None:
    from rich.console import Console

    Console().print(rich_table(df, title))


def to_docx(df: pd.DataFrame, path: Path, title: str | None = None) -> None:
    """A Word table whose first row is a header row that repeats on every page."""
    from docx import Document

    doc = Document()
    if title:
        doc.add_heading(title, level=2)
    cells = _cells(df)
    table = doc.add_table(rows=1, cols=len(df.columns))
    table.style = "Table Grid"
    header = table.rows[0]
    repeat_header_row(header)
    for cell, name in zip(header.cells, df.columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(name)).bold = True
    for row in cells.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = str(value)
    doc.save(path)


def repeat_header_row(row) -> None:
    """Mark a Word table row as a header row, repeated at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_header = OxmlElement("w:tblHeader")
    tbl_header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(tbl_header)


def to_tex(df: pd.DataFrame, caption: str | None = None) -> str:
    """A booktabs longtable (needs \\usepackage{booktabs,longtable}), LaTeX specials escaped."""
    escaped = _cells(df).map(lambda v: _tex_escape(str(v)))
    escaped.columns = [_tex_escape(str(c)) for c in df.columns]
    return escaped.style.hide(axis="index").to_latex(
        environment="longtable",
        hrules=True,
        caption=_tex_escape(caption) if caption else None,
        column_format="".join("r" if df[c].dtype.kind in "iuf" else "l" for c in df.columns),
    )


_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _tex_escape(text: str) -> str:
    return "".join(_TEX_SPECIALS.get(ch, ch) for ch in text)


def render(
    df: pd.DataFrame, fmt: str, output: Path | None = None, title: str | None = None, **_: object
) -> str | None:
    """Text for csv/json/md/tex (also written to ``output`` if given); xlsx/docx are written."""
    if fmt == "xlsx":
        assert output is not None
        _cells(df).to_excel(output, index=False, sheet_name=(title or "qualcode")[:31])
        return None
    if fmt == "docx":
        assert output is not None
        to_docx(df, output, title)
        return None
    if fmt == "csv":
        text = _cells(df).to_csv(index=False, lineterminator="\n")
    elif fmt == "json":
        text = df.to_json(orient="records", force_ascii=False, indent=2)
    elif fmt == "md":
        text = _cells(df).to_markdown(index=False) + "\n"
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
