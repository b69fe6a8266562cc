"""Reports: SQL aggregates returned as pandas DataFrames.

Each report is one grouped SQL statement; pandas only shapes the (small) grouped result. Filters
apply to codings, so every report can be narrowed to participants, coders, source kinds or themes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, select

from qualcode.models import Code, Coder, CodeTheme, Coding, Excerpt, Participant, Source, Theme

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project


@dataclass(frozen=True)
class Filters:
    """Which codings a report counts; empty means all."""

    participants: tuple[str, ...] = ()
    coders: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()

    def apply(self, query: Select) -> Select:
        """Narrow a query that joins Coding, Excerpt and Source (Participant outer-joined)."""
        if self.participants:
            wanted = [p.lower() for p in self.participants]
            query = query.where(func.lower(Participant.pseudonym).in_(wanted))
        if self.coders:
            wanted = [c.lower() for c in self.coders]
            query = query.where(
                Coding.coder_id.in_(select(Coder.id).where(func.lower(Coder.name).in_(wanted)))
            )
        if self.kinds:
            query = query.where(Source.kind.in_(self.kinds))
        if self.themes:
            wanted = [t.lower() for t in self.themes]
            in_theme = (
                select(CodeTheme.code_id).join(Theme).where(func.lower(Theme.name).in_(wanted))
            )
            query = query.where(Coding.code_id.in_(in_theme))
        return query


def codings_query(*columns) -> Select:
    """SELECT ... FROM codings joined to their excerpt, source and (if any) participant."""
    return (
        select(*columns)
        .select_from(Coding)
        .join(Excerpt, Excerpt.id == Coding.excerpt_id)
        .join(Source, Source.id == Excerpt.source_id)
        .outerjoin(Participant, Participant.id == Source.participant_id)
    )


def short_names(pseudonyms: list[str]) -> str:
    """'Expert A', 'Expert B' -> 'A,B': the thesis's way of naming who said something."""
    names = sorted(set(pseudonyms))
    if not names:
        return ""
    words = [n.split(" ", 1) for n in names]
    if len(names) > 1 and all(len(w) == 2 and w[0] == words[0][0] for w in words):
        return ",".join(w[1] for w in words)
    return ",".join(names)


def codes(project: Project, filters: Filters = Filters()) -> pd.DataFrame:
    """Per code: its themes, number of codings, which participants, status (merged codes left
    out: their codings count under the code they were merged into)."""
    import pandas as pd

    per_participant = filters.apply(
        codings_query(Coding.code_id, Participant.pseudonym, func.count().label("n")).group_by(
            Coding.code_id, Participant.pseudonym
        )
    )
    theme_names = (
        select(CodeTheme.code_id, Theme.name)
        .join(Theme, Theme.id == CodeTheme.theme_id)
        .order_by(Theme.position, CodeTheme.position)
    )
    code_rows = select(Code.id, Code.name, Code.status).where(Code.status != "merged")
    with project.session(write=False) as session:
        counts = pd.DataFrame(session.execute(per_participant).all(), columns=["id", "p", "n"])
        themes = pd.DataFrame(session.execute(theme_names).all(), columns=["id", "theme"])
        listing = pd.DataFrame(
            session.execute(code_rows.order_by(Code.position, Code.id)).all(),
            columns=["id", "code", "status"],
        )
    totals = counts.groupby("id")["n"].sum()
    who = counts.dropna(subset=["p"]).groupby("id")["p"].agg(lambda s: short_names(list(s)))
    theme_list = themes.groupby("id")["theme"].agg("; ".join)
    listing["themes"] = listing["id"].map(theme_list).fillna("")
    listing["count"] = listing["id"].map(totals).fillna(0).astype(int)
    listing["participants"] = listing["id"].map(who).fillna("")
    if filters.participants or filters.coders or filters.kinds or filters.themes:
        listing = listing[listing["count"] > 0]
    return listing[["code", "themes", "count", "participants", "status"]].reset_index(drop=True)
