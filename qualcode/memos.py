"""Memos out of the project: the notes on the project, sources, codes, themes, excerpts and codings.

Memos are written in the TUI (on codings), come in with REFI-QDA projects (on the project, sources,
codes, excerpts) and are the researcher's analytic trail; this module lists them as one table and
writes them as a document (md, docx) or a sheet (csv) to quote in a methods chapter. A theme's
"Printed heading" memo is where a printed codebook's section name is kept
(``codebook_sync.HEADING_MEMO``), not a note, so it is left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import cast, func, or_, select
from sqlalchemy.types import String

from qualcode.codebook_sync import HEADING_MEMO
from qualcode.errors import InputError
from qualcode.models import Code, Coder, Coding, Excerpt, Memo, Source, Theme

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project

KINDS = ("project", "source", "code", "theme", "excerpt", "coding")
HEADINGS = {
    "project": "Project",
    "source": "Sources",
    "code": "Codes",
    "theme": "Themes",
    "excerpt": "Excerpts",
    "coding": "Codings",
}
COLUMNS = ["kind", "target", "title", "memo", "coder", "date", "quote"]
EXPORT_FORMATS = ("md", "docx", "csv")


def _address():
    return Source.title + ":" + cast(Excerpt.start, String) + "-" + cast(Excerpt.end, String)


def _quote():
    return func.substr(Source.text, Excerpt.start + 1, Excerpt.end - Excerpt.start)


def memos(project: Project, kinds: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every memo, one row each: kind, target (what it is on), title, memo, coder, date and, for
    excerpts and codings, the quote; grouped by kind in :data:`KINDS` order, then by target."""
    import pandas as pd

    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InputError(f"--kind must be one of {', '.join(KINDS)}, not {unknown[0]!r}")
    memo_rows = (
        select(
            Memo.source_id,
            Memo.code_id,
            Memo.theme_id,
            Memo.excerpt_id,
            Memo.title,
            Memo.body,
            Coder.name,
            Memo.updated_at,
        )
        .outerjoin(Coder, Coder.id == Memo.coder_id)
        .where(or_(Memo.theme_id.is_(None), Memo.title.is_(None), Memo.title != HEADING_MEMO))
        .order_by(Memo.id)
    )
    coding_rows = (
        select(Code.name, _address(), Coding.memo, Coder.name, Coding.created_at, _quote())
        .select_from(Coding)
        .join(Code, Code.id == Coding.code_id)
        .join(Coder, Coder.id == Coding.coder_id)
        .join(Excerpt, Excerpt.id == Coding.excerpt_id)
        .join(Source, Source.id == Excerpt.source_id)
        .where(Coding.memo.is_not(None), Coding.memo != "")
        .order_by(Source.title, Excerpt.start, Code.name)
    )
    rows: list[tuple] = []
    with project.session(write=False) as session:
        sources = dict(session.execute(select(Source.id, Source.title)).all())
        codes = dict(session.execute(select(Code.id, Code.name)).all())
        themes = dict(session.execute(select(Theme.id, Theme.name)).all())
        excerpts = {
            row[0]: row[1:]
            for row in session.execute(
                select(Excerpt.id, _address(), _quote())
                .join(Source, Source.id == Excerpt.source_id)
                .where(Excerpt.id.in_(select(Memo.excerpt_id)))
            )
        }
        for source_id, code_id, theme_id, excerpt_id, title, body, coder, when in session.execute(
            memo_rows
        ):
            quote = ""
            if source_id is not None:
                found, target = "source", sources[source_id]
            elif code_id is not None:
                found, target = "code", codes[code_id]
            elif theme_id is not None:
                found, target = "theme", themes[theme_id]
            elif excerpt_id is not None:
                found, (target, quote) = "excerpt", excerpts[excerpt_id]
            else:
                found, target = "project", ""
            rows.append((found, target, title or "", body, coder or "", when, quote))
        for code, address, body, coder, when, quote in session.execute(coding_rows):
            rows.append(("coding", f"{code} on {address}", "", body, coder, when, quote))
    df = pd.DataFrame(rows, columns=COLUMNS)
    if kinds:
        df = df[df["kind"].isin(kinds)]
    df["date"] = pd.to_datetime(df["date"]).dt.strftime("%Y-%m-%d")
    df["order"] = df["kind"].map(KINDS.index)
    df = df.sort_values(["order", "target"], kind="stable").drop(columns="order")
    return df.reset_index(drop=True)


def export(project: Project, fmt: str, output: Path | None, kinds: tuple[str, ...] = ()) -> str:
    """The memos as a document (md, docx) or a sheet (csv); md and csv also as text when no
    ``output`` is given. Refuses to write an empty file: there must be a memo."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"memos are exported as {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
    if fmt == "docx" and output is None:
        raise InputError("--format docx needs --output FILE")
    df = memos(project, kinds)
    if df.empty:
        raise InputError("the project has no memos to export")
    if fmt == "csv":
        from qualcode.formats import tables

        text = tables.render(df, "csv")
    elif fmt == "md":
        text = _markdown(df)
    else:
        _docx(df, Path(output))
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
