"""The reads of ``qualcode code TARGET CODE``, defined once.

The ORM path (qualcode.lookup, qualcode.addresses, qualcode.coding) runs these statements through
a Session; ``python -m qualcode.coding_plans`` compiles them (and inserts built from the same
models) for SQLite into qualcode/data/coding_sql.json, which the light path
(qualcode.coding_light) runs on the standard library's sqlite3. Parameters are named bind
parameters, given by both paths under the same names.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, bindparam, func, or_, select

from qualcode.models import NAMED, Code, Coder, Coding, Excerpt, Segment, Setting, Source

if TYPE_CHECKING:
    Query = Select[*tuple[Any, ...]]  # a statement of any columns

SETTING = select(Setting).where(Setting.key == bindparam("key"))
SOURCE_BY_ID = select(Source).where(Source.id == bindparam("id"))
EXCERPT_BY_ID = select(Excerpt).where(Excerpt.id == bindparam("id"))
EXCERPT_AT = select(Excerpt).where(
    Excerpt.source_id == bindparam("source_id"),
    Excerpt.start == bindparam("start"),
    Excerpt.end == bindparam("end"),
)
CODING_OF = select(Coding).where(
    Coding.excerpt_id == bindparam("excerpt_id"),
    Coding.code_id == bindparam("code_id"),
    Coding.coder_id == bindparam("coder_id"),
)
LAST_CODE_POSITION = select(func.max(Code.position))


@functools.cache
def named(model: Any) -> Select[Any]:
    """The row whose folded name is ``key`` or whose name is exactly ``name``; the exact spelling
    first (a key suffixed by the 0002 migration still answers to its own name)."""
    column = getattr(model, NAMED[model])
    exact = column == bindparam("name")
    return (
        select(model)
        .where(or_(model.name_key == bindparam("key"), exact))
        .order_by(exact.desc())
        .limit(1)
    )


def _units(within: bool) -> Select[int, int]:
    query = select(Segment.start, Segment.end).where(
        Segment.source_id == bindparam("source_id"), Segment.kind == bindparam("kind")
    )
    if within:
        query = query.where(Segment.start >= bindparam("lo"), Segment.end <= bindparam("hi"))
    return query


def unit(within: bool) -> Select[int, int]:
    """The ``skip + 1``-th unit (paragraph, sentence, turn) of a source, by start; ``within``
    adds the range [lo, hi] it must lie in (a sentence of a paragraph)."""
    return _units(within).order_by(Segment.start).offset(bindparam("skip")).limit(1)


def unit_count(within: bool) -> Select[Any]:
    """How many units of that kind the source (or the range) has: the error says so."""
    return select(func.count()).select_from(_units(within).subquery())


def statements() -> dict[str, Query]:
    """Every read by name, for the compiler."""
    reads: dict[str, Query] = {
        "setting": SETTING,
        "source_by_id": SOURCE_BY_ID,
        "excerpt_by_id": EXCERPT_BY_ID,
        "excerpt_at": EXCERPT_AT,
        "coding_of": CODING_OF,
        "last_code_position": LAST_CODE_POSITION,
        "unit": unit(False),
        "unit_within": unit(True),
        "unit_count": unit_count(False),
        "unit_count_within": unit_count(True),
    }
    for model in (Source, Code, Coder):
        reads[f"named:{model.__tablename__}"] = named(model)
    return reads
