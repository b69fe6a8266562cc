"""Memos as a document (md, docx) or a sheet (csv), to quote in a methods chapter.

:func:`qualcode.memos.memos` lists them; this module only lays the list out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import InputError
from qualcode.memos import HEADINGS, KINDS
from qualcode.memos import memos as memo_table

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project

EXPORT_FORMATS = ("md", "docx", "csv")


def export(project: Project, fmt: str, output: Path | None, kinds: tuple[str, ...] = ()) -> str:
    """The memos as a document (md, docx) or a sheet (csv); md and csv also as text when no
    ``output`` is given. Refuses to write an empty file: there must be a memo."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"memos are exported as {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
    if fmt == "docx" and output is None:
        raise InputError("--format docx needs --output FILE")
    df = memo_table(project, kinds)
    if df.empty:
        raise InputError("the project has no memos to export")
    if fmt == "csv":
        from qualcode.formats import tables

        text = tables.render(df, "csv") or ""
    elif fmt == "md":
        text = _markdown(df)
    else:
        _docx(df, Path(output or ""))
        return ""
    if output is not None:
        Path(output).write_text(text, encoding="utf-8")
        return ""
    return text


def _sections(df: pd.DataFrame):
    for kind in KINDS:
        part = df[df["kind"] == kind]
        if len(part):
            yield HEADINGS[kind], part


def _heading(row) -> str:
    parts = [p for p in (row.target, row.title) if p]
    return " — ".join(parts) or "Project memo"


def _byline(row) -> str:
    return ", ".join(p for p in (row.coder, row.date) if p)


def _markdown(df: pd.DataFrame) -> str:
    """Headings per kind and per memo; quotes as block quotes; the memo's text as written."""
    lines = ["# Memos", ""]
    for heading, part in _sections(df):
        lines += [f"## {heading}", ""]
        for row in part.itertuples(index=False):
            lines += [f"### {_heading(row)}", ""]
            if row.quote:
                lines += ["> " + " ".join(row.quote.split()), ""]
            lines += [row.memo.strip(), ""]
            if _byline(row):
                lines += [f"*{_byline(row)}*", ""]
    return "\n".join(lines)


def _docx(df: pd.DataFrame, path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_heading("Memos", level=1)
    for heading, part in _sections(df):
        doc.add_heading(heading, level=2)
        for row in part.itertuples(index=False):
            doc.add_heading(_heading(row), level=3)
            if row.quote:
                doc.add_paragraph(" ".join(row.quote.split()), style="Quote")
            for paragraph in row.memo.strip().split("\n"):
                doc.add_paragraph(paragraph)
            if _byline(row):
                doc.add_paragraph().add_run(_byline(row)).italic = True
    doc.save(str(path))
