"""Memos out of the project: the notes on the project, sources, codes, themes, excerpts and codings.

Memos are written in the TUI (on codings), come in with REFI-QDA projects (on the project, sources,
codes, excerpts) and are the researcher's analytic trail; this module lists them as one table
(:mod:`qualcode.formats.memos` writes it as a document or a sheet). A theme's
"Printed heading" memo is where a printed codebook's section name is kept
(``codebook_sync.HEADING_MEMO``), not a note, so it is left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, cast, func, or_, select
from sqlalchemy.types import String

from qualcode.codebook_sync import HEADING_MEMO
from qualcode.errors import InputError
from qualcode.models import Code, Coder, Coding, Excerpt, Memo, Source, Theme

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.orm import Session

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


def _address() -> ColumnElement[str]:
    return Source.title + ":" + cast(Excerpt.start, String) + "-" + cast(Excerpt.end, String)


def _quote() -> ColumnElement[str]:
    return func.substr(Source.text, Excerpt.start + 1, Excerpt.end - Excerpt.start)


def memos(project: Project, kinds: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every memo, one row each: kind, target (what it is on), title, memo, coder, date and, for
    excerpts and codings, the quote; grouped by kind in :data:`KINDS` order, then by target."""
    import pandas as pd

    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InputError(f"--kind must be one of {', '.join(KINDS)}, not {unknown[0]!r}")
    with project.session(write=False) as session:
        rows = _memo_rows(session) + _coding_memo_rows(session)
    df = pd.DataFrame(rows, columns=COLUMNS)
    if kinds:
        df = df[df["kind"].isin(kinds)]
    df["date"] = pd.to_datetime(df["date"]).dt.strftime("%Y-%m-%d")
    df["order"] = df["kind"].map(KINDS.index)
    df = df.sort_values(["order", "target"], kind="stable").drop(columns="order")
    return df.reset_index(drop=True)


def _memo_rows(session: Session) -> list[tuple[Any, ...]]:
    """The memos of their own (not the theme headings), each with what it is on: the row's
    name, an excerpt's address and quote, or nothing for the project."""
    statement = (
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
    rows: list[tuple[Any, ...]] = []
    for source_id, code_id, theme_id, excerpt_id, title, body, coder, when in session.execute(
        statement
    ):
        quote: str | None = ""
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
        rows.append((found, target or "", title or "", body, coder or "", when, quote))
    return rows


def _coding_memo_rows(session: Session) -> list[tuple[Any, ...]]:
    """The codings' memos, on "code on source:start-end", with the coded quote."""
    statement = (
        select(Code.name, _address(), Coding.memo, Coder.name, Coding.created_at, _quote())
        .select_from(Coding)
        .join(Code, Code.id == Coding.code_id)
        .join(Coder, Coder.id == Coding.coder_id)
        .join(Excerpt, Excerpt.id == Coding.excerpt_id)
        .join(Source, Source.id == Excerpt.source_id)
        .where(Coding.memo.is_not(None), Coding.memo != "")
        .order_by(Source.title, Excerpt.start, Code.name)
    )
    return [
        ("coding", f"{code} on {address}", "", text, who, at, said)
        for code, address, text, who, at, said in session.execute(statement)
    ]
