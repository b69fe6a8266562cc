"""`qualcode db check`: is the project's database whole and consistent?

After a crash (a killed process, a full disk, a power cut) the user needs one command that says
whether the project can be trusted. On SQLite that is SQLite's own ``integrity_check`` (pages,
indexes) and ``foreign_key_check``; on PostgreSQL the server guarantees the pages, so the check
looks for rows whose foreign keys point nowhere (possible only if constraints were bypassed). On
both, the schema must be at this qualcode's revision and every excerpt must lie inside its
source's text, which the database alone cannot enforce, and (SQLite) the coded spans the
triggers keep must be those the codings make.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, except_, func, select, text
from sqlalchemy.orm import Session

from qualcode.models import Base, CodedSpan, Coding, Excerpt, Source

if TYPE_CHECKING:
    from qualcode.db import Project


def _sqlite_problems(session: Session) -> list[str]:
    problems = [
        f"integrity_check: {row[0]}"
        for row in session.execute(text("PRAGMA integrity_check"))
        if row[0] != "ok"
    ]
    problems += [
        f"foreign_key_check: {table} row {rowid} points to a missing {parent} row"
        for table, rowid, parent, _fk in session.execute(text("PRAGMA foreign_key_check"))
    ]
    return problems


def _orphans(session: Session) -> list[str]:
    """Rows whose foreign key names a row that does not exist (one query per foreign key)."""
    problems = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            parent = fk.referred_table.alias("parent")
            child_cols = list(fk.columns)
            join_on = and_(*(parent.c[e.column.name] == e.parent for e in fk.elements))
            query = (
                select(func.count())
                .select_from(table.outerjoin(parent, join_on))
                .where(and_(*(c.isnot(None) for c in child_cols)))
                .where(parent.c[fk.elements[0].column.name].is_(None))
            )
            count = session.scalar(query)
            if count:
                names = ", ".join(c.name for c in child_cols)
                problems.append(
                    f"{table.name}: {count} rows whose {names} points to a missing "
                    f"{fk.referred_table.name} row"
                )
    return problems


def _excerpts_outside_text(session: Session) -> list[str]:
    count = session.scalar(
        select(func.count())
        .select_from(Excerpt)
        .join(Source, Source.id == Excerpt.source_id)
        .where(Excerpt.end > func.length(Source.text))
    )
    return [f"excerpts: {count} end past their source's text"] if count else []


def coded_spans_differences(session: Session) -> int:
    """Rows of coded_spans that differ from a recount of the codings (either way): 0 when the
    triggers of migration 0004 kept it right."""
    key = (Excerpt.source_id, Excerpt.start, Excerpt.end, Coding.code_id)
    recount = (
        select(*key, func.count()).join(Excerpt, Excerpt.id == Coding.excerpt_id).group_by(*key)
    )
    stored = select(
        CodedSpan.source_id, CodedSpan.start, CodedSpan.end, CodedSpan.code_id, CodedSpan.n
    )
    return sum(
        session.scalar(select(func.count()).select_from(except_(a, b).subquery())) or 0
        for a, b in ((recount, stored), (stored, recount))
    )


def _coded_spans(session: Session) -> list[str]:
    wrong = coded_spans_differences(session)
    return [f"coded_spans: {wrong} rows differ from the codings"] if wrong else []


def check(project: Project) -> list[str]:
    """Every problem found, one line each; an empty list means the project is sound."""
    from qualcode.db import current_revision, head_revision

    problems: list[str] = []
    revision, head = current_revision(project), head_revision()
    if revision != head:
        problems.append(f"schema: at revision {revision}, this qualcode expects {head}")
    with project.session(write=False) as session:
        if project.is_sqlite:
            problems += _sqlite_problems(session)
        problems += _orphans(session)
        problems += _excerpts_outside_text(session)
        if project.is_sqlite:
            problems += _coded_spans(session)
    return problems


def counts(project: Project) -> dict[str, int]:
    """Rows per table: what the check looked at (and what a backup must keep)."""
    with project.session(write=False) as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }
