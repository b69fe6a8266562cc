"""Reports: SQL aggregates, shaped into rows (qualcode.report_shapes) and returned as pandas
DataFrames.

Each count report is a few named statements (one grouped SQL statement, plus small listings of
codes, themes or participants to put the rows in the codebook's order); report_shapes shapes
their rows with the standard library, so the CLI can run the same statements compiled ahead on
sqlite3 (qualcode.report_plans) without SQLAlchemy or pandas. Filters apply to codings, so every
report can be narrowed to participants, coders, source kinds or themes. Counts leave out excluded
codes and merged codes: merging moves a code's codings to the code it was merged into, so they
count there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    CTE,
    ColumnElement,
    Executable,
    Exists,
    Select,
    String,
    and_,
    case,
    distinct,
    func,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from qualcode import lookup, report_shapes
from qualcode.errors import InputError, NotFoundError
from qualcode.models import (
    SOURCE_KINDS,
    Code,
    CodedSpan,
    Coder,
    CodeTheme,
    Coding,
    Excerpt,
    Participant,
    ParticipantAttribute,
    Segment,
    Source,
    Theme,
)
from qualcode.names import fold, sort_key
from qualcode.report_shapes import NO_PARTICIPANT, NO_THEME, TOTAL, Results, short_names
from qualcode.table import Table

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.sql import Executable

    Query = Select[*tuple[Any, ...]]  # a statement of any columns

    from qualcode.db import Project

__all__ = ["NO_PARTICIPANT", "NO_THEME", "TOTAL", "short_names"]
# The thesis's own funnel (seed line 197): codes that emerged, unique codes, codes used.
THESIS_FUNNEL = {"applications": 556, "unique": 226, "used": 197}
# The funnel's last row: why the project's figures and the thesis's differ.
FUNNEL_NOTE = (
    "The thesis (Section 3.4, seed line 197) reports 556 code applications, combined into "
    "226 unique codes, of which 197 were used. Its Appendix B prints only the codes used, "
    "with their counts, some unreadable: the applications and codes dropped by merging "
    "and exclusion are not in it, so a project built from the printed codebook cannot "
    "reproduce 556 or 226, and its codes used fall short of 197 where rows were lost in "
    "the text. codebooks/README.md gives the figures and the reasons."
)
PARTICIPANT_FIELDS = ("organisation", "role", "location", "mode")


SOURCE_FIELDS = {"source": "title", "kind": "kind", "language": "language"}
NONE_VALUE = "(none)"


def _nearest(wanted: str, names: list[str]) -> str:
    from rapidfuzz import process

    best = process.extract(wanted, names, limit=3, score_cutoff=50)
    if best:
        return f" (did you mean {', '.join(repr(b[0]) for b in best)}?)"
    if names:
        return f" (known: {', '.join(repr(n) for n in sorted(names)[:8])})"
    return ""


def parse_where(items: list[str] | tuple[str, ...] | None) -> tuple[tuple[str, str], ...]:
    """``["profession=programmer", ...]`` -> ``(("profession", "programmer"), ...)``."""
    pairs = []
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(f"--where {item!r}: write ATTRIBUTE=VALUE, e.g. profession=programmer")
        pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


@dataclass(frozen=True)
class Condition:
    """One attribute of --where, resolved to the exact stored spellings it matches."""

    field: str  # "participant", a participant or source column, or "attribute"
    names: tuple[str, ...]  # the attribute's stored names (only for "attribute")
    values: tuple[str, ...]  # stored values, any of which matches
    none: bool  # NONE_VALUE was asked for: no value (or no participant) matches too

    def clause(self) -> ColumnElement[bool]:
        """A condition on a query that joins Source and outer-joins Participant."""
        from sqlalchemy import or_

        if self.field == "attribute":
            having = select(ParticipantAttribute.participant_id).where(
                ParticipantAttribute.name.in_(self.names)
            )
            parts = []
            if self.values:
                parts.append(
                    Source.participant_id.in_(
                        having.where(ParticipantAttribute.value.in_(self.values))
                    )
                )
            if self.none:
                parts += [
                    Source.participant_id.is_(None),
                    Source.participant_id.not_in(
                        having.where(ParticipantAttribute.value.is_not(None))
                    ),
                ]
            return or_(*parts)
        if self.field in SOURCE_FIELDS:
            source_column: InstrumentedAttribute[Any] = getattr(Source, SOURCE_FIELDS[self.field])
            return source_column.in_(self.values)
        owner = select(Participant.id)
        column = (
            Participant.pseudonym
            if self.field == "participant"
            else getattr(Participant, self.field)
        )
        parts = []
        if self.values:
            parts.append(Source.participant_id.in_(owner.where(column.in_(self.values))))
        if self.none:
            parts += [
                Source.participant_id.is_(None),
                Source.participant_id.in_(owner.where(column.is_(None))),
            ]
        return or_(*parts)


def _stored(
    session: Session, column: InstrumentedAttribute[Any], *where: ColumnElement[bool]
) -> list[str]:
    return [v for v in session.scalars(select(column).where(*where).distinct()) if v is not None]


def attribute_field(
    session: Session, name: str, option: str = "--where"
) -> tuple[str, tuple[str, ...], list[str]]:
    """What an attribute name means: (field, stored attribute names, stored values). The field
    is a built-in one (participant, source, kind, language, organisation, role, location, mode)
    or "attribute" for a participant attribute; an unknown name is an error with the nearest."""
    key = fold(name)
    if key in SOURCE_FIELDS:
        return key, (), _stored(session, getattr(Source, SOURCE_FIELDS[key]))
    if key == "participant" or key in PARTICIPANT_FIELDS:
        column = Participant.pseudonym if key == "participant" else getattr(Participant, key)
        return key, (), _stored(session, column)
    stored_names = _stored(session, ParticipantAttribute.name)
    names = tuple(n for n in stored_names if fold(n) == key)
    if not names:
        builtin = ["participant", *SOURCE_FIELDS, *PARTICIPANT_FIELDS]
        raise NotFoundError(
            f"{option} {name}: no participant has an attribute {name!r}"
            f"{_nearest(name, stored_names + builtin)}"
        )
    values = _stored(session, ParticipantAttribute.value, ParticipantAttribute.name.in_(names))
    return "attribute", names, values


def resolve_where(session: Session, pairs: tuple[tuple[str, str], ...]) -> tuple[Condition, ...]:
    """Check --where pairs against the project and turn them into conditions: several values
    of one attribute match any of them; different attributes must all match. A name or value
    matching nothing is an error with the nearest names, never an empty table."""
    grouped: dict[str, tuple[str, list[str]]] = {}
    for name, value in pairs:
        grouped.setdefault(fold(name), (name, []))[1].append(value)
    conditions = []
    for name, wanted in grouped.values():
        field, names, known = attribute_field(session, name)
        values: list[str] = []
        none = False
        for value in wanted:
            if fold(value) == fold(NONE_VALUE) and field not in SOURCE_FIELDS:
                none = True
                continue
            matches = [v for v in known if fold(v) == fold(value)]
            if not matches:
                raise NotFoundError(
                    f"--where {name}={value}: no {name} {value!r}{_nearest(value, known)}"
                )
            values += matches
        conditions.append(Condition(field, names, tuple(values), none))
    return tuple(conditions)


@dataclass(frozen=True)
class Filters:
    """Which codings a report counts; empty means all. A theme includes its sub-themes.

    ``where`` holds (attribute, value) pairs as typed; ``check`` resolves them against the
    project, so every report calls ``filters = filters.check(session)`` before ``apply``.
    """

    participants: tuple[str, ...] = ()
    coders: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()
    conditions: tuple[Condition, ...] | None = None
    speakers: tuple[str, ...] = ()  # --speaker: only codings in these speakers' turns
    no_interviewer: bool = False  # --no-interviewer: none in the interviewer's turns
    turn_names: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # resolved by check

    def __bool__(self) -> bool:
        return bool(
            self.participants
            or self.coders
            or self.kinds
            or self.themes
            or self.where
            or self.speakers
            or self.no_interviewer
        )

    @property
    def on_sources(self) -> bool:
        """True when the filters narrow which sources or passages (not only codes) count."""
        return bool(
            self.participants
            or self.coders
            or self.kinds
            or self.where
            or self.speakers
            or self.no_interviewer
        )

    def narrowed(self, name: str, value: str) -> Filters:
        """These filters and one more --where pair (for --by: one group of a report)."""
        return replace(self, where=(*self.where, (name, value)), conditions=None)

    def check(self, session: Session) -> Filters:
        """Refuse names that match nothing (a typo must not print an empty table); returns the
        filters with their --where pairs resolved, for ``apply``."""
        for name in self.participants:
            lookup.get_participant(session, name)
        for name in self.themes:
            lookup.get_theme(session, name)
        for name in self.coders:
            if lookup.find_coder(session, name) is None:
                raise NotFoundError(f"no coder named {name!r}")
        for kind in self.kinds:
            if kind not in SOURCE_KINDS:
                raise InputError(f"unknown source kind {kind!r}: use {' or '.join(SOURCE_KINDS)}")
        checked = self
        if self.conditions is None:
            checked = replace(checked, conditions=resolve_where(session, self.where))
        if (self.speakers or self.no_interviewer) and self.turn_names is None:
            checked = replace(checked, turn_names=resolve_speakers(session, self))
        return checked

    @cached_property
    def theme_codes(self) -> Query:
        """Ids of the codes in the chosen themes or their sub-themes (one object, so that a
        statement using it twice names one CTE)."""
        closure = theme_closure("filter_themes")
        return (
            select(CodeTheme.code_id)
            .join(closure, closure.c.theme_id == CodeTheme.theme_id)
            .join(Theme, Theme.id == closure.c.ancestor)
            .where(lookup.name_in(Theme, self.themes))
        )

    def apply(self, query: Query) -> Query:
        """Narrow a query that joins Coding, Excerpt and Source (Participant outer-joined)."""
        query = self.apply_to_sources(query)
        if self.coders:
            query = query.where(
                Coding.coder_id.in_(select(Coder.id).where(lookup.name_in(Coder, self.coders)))
            )
        if self.themes:
            query = query.where(Coding.code_id.in_(self.theme_codes))
        return self.apply_to_turns(query)

    def apply_to_turns(self, query: Query) -> Query:
        """Narrow a query that joins Excerpt to the excerpts starting in the chosen speakers'
        turns (--speaker), or outside the interviewer's (--no-interviewer)."""
        if not (self.speakers or self.no_interviewer):
            return query
        if self.turn_names is None:
            raise RuntimeError("Filters.apply before Filters.check resolved --speaker")
        chosen, interviewer = self.turn_names
        if self.speakers:
            query = query.where(_in_turns(chosen))
        if self.no_interviewer:
            query = query.where(~_in_turns(interviewer))
        return query

    def apply_to_sources(self, query: Query) -> Query:
        """Narrow a query of Source (Participant outer-joined) by participants, kinds, --where."""
        if self.participants:
            query = query.where(lookup.name_in(Participant, self.participants))
        if self.kinds:
            query = query.where(Source.kind.in_(self.kinds))
        if self.where:
            if self.conditions is None:
                raise RuntimeError("Filters.apply before Filters.check resolved --where")
            query = query.where(*(c.clause() for c in self.conditions))
        return query


def _in_turns(speakers: tuple[str, ...]) -> Exists:
    """EXISTS a turn of one of these speakers holding the excerpt's start."""
    from sqlalchemy import exists

    from qualcode.models import Segment

    turn = aliased(Segment)
    return exists().where(
        turn.source_id == Excerpt.source_id,
        turn.kind == "turn",
        turn.start <= Excerpt.start,
        Excerpt.start < turn.end,
        turn.speaker.in_(speakers),
    )


def resolve_speakers(session: Session, filters: Filters) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(stored spellings of the --speaker names, stored interviewer labels); an unknown speaker
    is an error with the nearest names."""
    from qualcode import turns

    if not hasattr(Segment, "speaker"):
        raise InputError("--speaker: this project has no speaker turns (run qualcode db upgrade)")
    stored = turns.speakers(session)
    chosen: list[str] = []
    for name in filters.speakers:
        matches = [s for s in stored if fold(s) == fold(name)]
        if not matches:
            raise NotFoundError(f"--speaker {name}: no speaker {name!r}{_nearest(name, stored)}")
        chosen += matches
    labels = {fold(label) for label in turns.interviewer_labels(session)}
    return tuple(chosen), tuple(s for s in stored if fold(s) in labels)


def codings_query(*columns: Any, in_order: bool = False) -> Query:
    """SELECT ... FROM codings joined to their excerpt, source and (if any) participant.

    ``in_order`` writes the same joins from the sources down, with the participant outer-joined
    right after its source. SQLite keeps the tables written before a LEFT JOIN in outer loops:
    the participant is then read once per source rather than once per coding, and a table
    outer-joined after the codings is looked up for each coding on the walk and cannot become
    the loop that drives it (see counted_codings).
    """
    if in_order:
        return (
            select(*columns)
            .select_from(Source)
            .outerjoin(Participant, Participant.id == Source.participant_id)
            .join(Excerpt, Excerpt.source_id == Source.id)
            .join(Coding, Coding.excerpt_id == Excerpt.id)
        )
    return (
        select(*columns)
        .select_from(Coding)
        .join(Excerpt, Excerpt.id == Coding.excerpt_id)
        .join(Source, Source.id == Excerpt.source_id)
        .outerjoin(Participant, Participant.id == Source.participant_id)
    )


def counted_codings(filters: Filters, *columns: Any, alone: bool = False) -> Query:
    """The codings a count report counts: filtered, on active codes only.

    ``alone``: FROM codings alone (the columns name only the codings' own, ``source_id``
    included) unless a filter tests sources or passages: the report then reads one index of
    codings instead of an excerpt and a source per coding (0.3 s at 500,000 codings).
    Written as NOT IN over the (few) inactive codes rather than a join to codes: a join lets
    SQLite start from the codes and visit codings in code order.
    """
    inactive = select(Code.id).where(Code.status != "active")
    return filtered_codings(filters, *columns, alone=alone).where(Coding.code_id.not_in(inactive))


def filtered_codings(filters: Filters, *columns: Any, alone: bool = False) -> Query:
    """The codings the filters leave, on any code; ``alone`` as in ``counted_codings``."""
    if alone and not filters.on_sources:
        return filters.apply(select(*columns).select_from(Coding))
    return filters.apply(codings_query(*columns))


class IdList(FunctionElement[str]):
    """The distinct values of an integer column in a group, as one comma-separated string
    (in no order): one row per group instead of one per (group, id)."""

    type = String()
    inherit_cache = True
    name = "id_list"


class Listed(FunctionElement[str]):
    """Every value of an integer column in a group, repeats included, as one comma-separated
    string; ``Listed(column, *order)`` lists them in the order of ``order``.

    Several Listed in one SELECT list their values in the same row order, so that the n-th
    value of each belongs to the same row: SQLite steps every aggregate of a group over the
    same rows in one pass (it has no ORDER BY inside an aggregate before 3.44), and on
    PostgreSQL each string_agg is ordered by ``order``. Handing a report 500,000 values as a
    few strings, which numpy or one split reads back, costs a third of handing them as rows.
    """

    type = String()
    inherit_cache = True
    name = "listed"


@compiles(IdList, "sqlite")
def _id_list_sqlite(element: IdList, compiler: SQLCompiler, **kw: Any) -> str:
    return f"group_concat(DISTINCT {compiler.process(element.clauses, **kw)})"


@compiles(IdList, "postgresql")
def _id_list_postgresql(element: IdList, compiler: SQLCompiler, **kw: Any) -> str:
    return f"string_agg(DISTINCT CAST({compiler.process(element.clauses, **kw)} AS TEXT), ',')"


@compiles(Listed, "sqlite")
def _listed_sqlite(element: Listed, compiler: SQLCompiler, **kw: Any) -> str:
    column = next(iter(element.clauses))
    return f"group_concat({compiler.process(column, **kw)})"


@compiles(Listed, "postgresql")
def _listed_postgresql(element: Listed, compiler: SQLCompiler, **kw: Any) -> str:
    column, *order = (compiler.process(c, **kw) for c in element.clauses)
    ordered = f" ORDER BY {', '.join(order)}" if order else ""
    return f"string_agg(CAST({column} AS TEXT), ','{ordered})"


def theme_closure(name: str = "theme_closure") -> CTE:
    """(ancestor, theme_id) for every theme and each of its ancestors, itself included: the
    recursive query that rolls sub-themes up into their parents at any depth."""
    closure = select(Theme.id.label("ancestor"), Theme.id.label("theme_id")).cte(
        name, recursive=True
    )
    child = aliased(Theme)
    return closure.union_all(
        select(closure.c.ancestor, child.id).where(child.parent_id == closure.c.theme_id)
    )


def checked(project: Project, filters: Filters) -> Filters:
    """The filters checked against the project, their --where pairs resolved."""
    if filters.conditions is not None or not filters:
        return filters
    with project.session(write=False) as session:
        return filters.check(session)


def _read(session: Session, query: Executable, columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    # plain tuples: pandas inspects each SQLAlchemy Row object otherwise, which costs more than
    # the query on a report of a few thousand rows
    return pd.DataFrame([tuple(row) for row in session.execute(query)], columns=columns)


def statements(
    report: str, filters: Filters = Filters(), *, sqlite: bool = True
) -> dict[str, Executable]:
    """The named statements of a report, whose results report_shapes shapes ("themes:reported"
    is the themes report on reported counts); ``filters`` checked; ``sqlite``: for a SQLite
    project, which has the coded_spans table. qualcode.report_plans compiles the unfiltered
    ones ahead for the CLI."""
    name, _, variant = report.partition(":")
    if name == "themes":
        return themes_statements(variant or "observed", filters)
    if name == "cooccurrence":
        return cooccurrence_statements(filters, spans_table=sqlite)
    if name == "sources":
        return sources_statements(filters, spans_table=sqlite)
    return STATEMENTS[name](filters)


def table(report: str, project: Project, filters: Filters = Filters(), **options: Any) -> Table:
    """A report as a light Table (what the CLI prints); ``options`` are the report's own."""
    filters = checked(project, filters)
    queries = statements(report, filters, sqlite=project.is_sqlite)
    with project.session(write=False) as session:
        results: Results = {
            name: [tuple(r) for r in session.execute(q)] for name, q in queries.items()
        }
    return report_shapes.shape(
        report,
        results,
        filtered=bool(filters),
        chosen_participants=filters.participants,
        chosen_themes=filters.themes,
        only_coded=bool(filters.where),
        **options,
    )


def codes(project: Project, filters: Filters = Filters()) -> pd.DataFrame:
    """Per code: its themes, number of codings, which participants, status (merged codes left
    out: their codings count under the code they were merged into)."""
    return table("codes", project, filters).to_dataframe()


def codes_statements(filters: Filters) -> dict[str, Executable]:
    theme_names = (
        select(CodeTheme.code_id, Theme.name)
        .join(Theme, Theme.id == CodeTheme.theme_id)
        .order_by(Theme.position, CodeTheme.position)
    )
    code_rows = select(Code.id, Code.name, Code.status).where(Code.status != "merged")
    return {
        "counts": code_counts(filters),
        "themes": theme_names,
        "listing": code_rows.order_by(Code.position, Code.id),
        "people": people(),
        "sources": owners(),
    }


def code_counts(filters: Filters) -> Query:
    """Every code's (id, codings, the sources they are in as an IdList), any status, from the
    (code_id, source_id) index alone; report_shapes folds the sources into participants."""
    return filtered_codings(
        filters, Coding.code_id, func.count(), IdList(Coding.source_id), alone=True
    ).group_by(Coding.code_id)


def people() -> Query:
    """Participants (id, pseudonym) in the order of Appendix A."""
    return select(Participant.id, Participant.pseudonym).order_by(
        Participant.position, Participant.id
    )


def owners() -> Query:
    """Every source's (id, participant id or None): how report_shapes folds counts per source
    into counts per participant."""
    return select(Source.id, Source.participant_id)


def code_figures(project: Project, filters: Filters = Filters()) -> pd.DataFrame:
    """Per code with counted codings: codings, distinct participants and distinct excerpts, as
    the other reports count them (the appendix's "Number of codes")."""
    filters = checked(project, filters)
    query = counted_codings(
        filters,
        Coding.code_id,
        func.count(),
        func.count(distinct(Source.participant_id)),
        func.count(distinct(Coding.excerpt_id)),
    ).group_by(Coding.code_id)
    with project.session(write=False) as session:
        return _read(session, query, ["id", "codings", "participants", "excerpts"])


def top_codes(project: Project, n: int, filters: Filters = Filters()) -> list[str]:
    """The names of the ``n`` active codes with the most codings (ties: codebook order)."""
    figures = code_figures(project, filters).set_index("id")["codings"]
    with project.session(write=False) as session:
        listing = _code_listing(session)
    listing["codings"] = listing["id"].map(figures).fillna(0)
    ranked = listing.sort_values("codings", ascending=False, kind="stable")
    return list(ranked["code"].head(n))


def keep_codes(df: pd.DataFrame, names: list[str], square: bool = False) -> pd.DataFrame:
    """Only the rows of these codes, and with ``square`` (a code x code report) only their
    columns, both in the report's order."""
    wanted, codes = set(names), set(df["code"])
    out = df[df["code"].isin(wanted)]
    if square:
        out = out[[c for c in df.columns if c == "code" or c not in codes or c in wanted]]
    return out.reset_index(drop=True)


def themes(
    project: Project,
    counts: Literal["observed", "reported"] = "observed",
    filters: Filters = Filters(),
    by: str | None = None,
) -> pd.DataFrame:
    """Per theme and sub-theme (a main theme rolls up its sub-themes): number of active codes,
    count (codings observed, or the sum of the codes' reported tallies) and distinct participants
    (coded, or quoted as the codes' examples for reported counts); then codes in no theme and a
    Total row. A code in two themes counts once in a parent and once in the total.
    ``by`` adds a count column per value of an attribute (e.g. profession)."""
    if by is not None:
        base = themes(project, counts, filters)
        for value, frame in grouped(project, by, filters, lambda f: themes(project, counts, f)):
            if frame["count"].iloc[-1]:
                per_theme = dict(zip(frame["theme"], frame["count"], strict=True))
                base[value] = base["theme"].map(per_theme).fillna(0).astype(int)
        return base
    return table(f"themes:{counts}", project, filters).to_dataframe()


def themes_statements(counts: str, filters: Filters) -> dict[str, Executable]:
    """The active codes (in the chosen themes), their theme links and the themes; with observed
    counts also every code's codings and the sources they are in (the statement of the codes
    report, on active codes). report_shapes.theme_figures rolls codes up into themes."""
    _check_theme_counts(counts, filters)
    active = select(Code.id, Code.reported_count, Code.example_participant_id).where(
        Code.status == "active"
    )
    if filters.themes:
        active = active.where(Code.id.in_(filters.theme_codes))
    statements: dict[str, Executable] = {
        "codes": active,
        "links": select(CodeTheme.code_id, CodeTheme.theme_id),
        "listing": select(Theme.id, Theme.name, Theme.parent_id).order_by(Theme.position, Theme.id),
    }
    if counts == "observed":
        statements |= {"counts": code_counts(filters), "people": people(), "sources": owners()}
    return statements


def _check_theme_counts(counts: str, filters: Filters) -> None:
    """Refuse an unknown --counts, and filters on codings with the printed tallies."""
    if counts not in ("observed", "reported"):
        raise InputError(f"--counts must be observed or reported, not {counts!r}")
    if counts == "reported" and filters.on_sources:
        raise InputError(
            "--counts reported sums printed tallies: --participants, --coders, --kind and "
            "--where filter codings and cannot apply"
        )


def participants(project: Project, filters: Filters = Filters()) -> pd.DataFrame:
    """Per participant: sources coded, codings and distinct codes (in the order of Appendix A)."""
    return table("participants", project, filters).to_dataframe()


def participants_statements(filters: Filters) -> dict[str, Executable]:
    """Per source, its codings and their distinct codes, any status, from the (source_id,
    code_id) index alone; and per source the codings of inactive codes, from the (code_id,
    source_id) index, which holds few of them or none. report_shapes takes those off and folds
    the sources into participants: testing each coding's code in SQL instead cost a third of
    the query, more with codes excluded."""
    per_source = filtered_codings(
        filters, Coding.source_id, func.count(), IdList(Coding.code_id), alone=True
    ).group_by(Coding.source_id)
    inactive = select(Code.id).where(Code.status != "active")
    left_out = (
        filtered_codings(filters, Coding.source_id, func.count(), alone=True)
        .where(Coding.code_id.in_(inactive))
        .group_by(Coding.source_id)
    )
    return {
        "counts": per_source,
        "inactive": left_out,
        "codes": active_codes(),
        "listing": people(),
        "sources": owners(),
    }


def sources(project: Project, filters: Filters = Filters()) -> pd.DataFrame:
    """Per source: kind, participant, coded excerpts, codings and distinct codes."""
    return table("sources", project, filters).to_dataframe()


def sources_statements(filters: Filters, spans_table: bool = False) -> dict[str, Executable]:
    """Per source: coded excerpts, codings and codes, active codes only; report_shapes puts
    each source's title, kind and participant on it. Unfiltered on SQLite (``spans_table``)
    from coded_spans alone, whose rows are the coded (place, code) pairs with their codings:
    from the codings, the distinct excerpts are in no index of theirs and SQLite read every
    coding's row (8x a plain GROUP BY at 500,000 codings, 2.6x from coded_spans)."""
    if spans_table and not filters:
        # an excerpt is one per (source, start, end); (start, end) as one number, for an
        # offset is under 2**31 (SQLite's longest text is 10**9 bytes)
        place = CodedSpan.start * 4294967296 + CodedSpan.end
        counts = (
            select(
                CodedSpan.source_id,
                func.count(distinct(place)),
                func.sum(CodedSpan.n),
                func.count(distinct(CodedSpan.code_id)),
            )
            .where(CodedSpan.code_id.not_in(select(Code.id).where(Code.status != "active")))
            .group_by(CodedSpan.source_id)
        )
    else:
        counts = counted_codings(
            filters,
            Coding.source_id,
            func.count(distinct(Coding.excerpt_id)),
            func.count(),
            func.count(distinct(Coding.code_id)),
            alone=True,
        ).group_by(Coding.source_id)
    listing = select(
        Source.id, Source.title, Source.kind, func.coalesce(Participant.pseudonym, "")
    ).outerjoin(Participant, Participant.id == Source.participant_id)
    return {"counts": counts, "listing": listing}


def _code_listing(session: Session) -> pd.DataFrame:
    return _read(session, active_codes(), ["id", "code"])


def active_codes() -> Query:
    """Active codes (id, name) in codebook order."""
    return (
        select(Code.id, Code.name).where(Code.status == "active").order_by(Code.position, Code.id)
    )


def matrix(
    project: Project, filters: Filters = Filters(), presence: bool = False, by: str | None = None
) -> pd.DataFrame:
    """Code x participant: codings (or 1/0 for coded or not with ``presence``); codes in codebook
    order, participants in Appendix A order; all active codes unless a filter narrows them.
    ``by`` makes the columns the values of an attribute instead of the participants."""
    if by is not None:
        out = by_attribute(project, by, filters)
        if presence:
            values = [c for c in out.columns if c != "code"]
            out[values] = (out[values] > 0).astype(int)
        return out
    return table("matrix", project, filters, presence=presence).to_dataframe()


def matrix_statements(filters: Filters) -> dict[str, Executable]:
    """Per code, any status, the source of each of its codings as a Listed, from the (code_id,
    source_id) index alone: 500 rows, where one row per (source, code) handed 120,000 to Python
    at 500,000 codings. report_shapes counts them per participant and leaves out the inactive
    codes, at no cost per coding, where testing each coding's code in SQL cost a third of the
    query."""
    per_code = filtered_codings(
        filters, Coding.code_id, Listed(Coding.source_id), alone=True
    ).group_by(Coding.code_id)
    return {
        "counts": per_code,
        "listing": active_codes(),
        "people": people(),
        "sources": owners(),
    }


def cooccurrence(
    project: Project, filters: Filters = Filters(), by: str | None = None
) -> pd.DataFrame:
    """Code x code: how many pairs of coded spans overlap (the same span counts once), one coded
    with each code. One set-based self-join of excerpts on their source and overlap; the diagonal
    is left empty. ``by`` gives one section per value of an attribute."""
    import pandas as pd

    if by is not None:
        frames = grouped(project, by, filters, lambda f: cooccurrence(project, f))
        return stacked(by, frames, pd.DataFrame(columns=["code"]))
    return table("cooccurrence", project, filters).to_dataframe()


def cooccurrence_statements(filters: Filters, spans_table: bool = False) -> dict[str, Executable]:
    """The distinct coded (excerpt, code) spans, handed over per source as a few Listed strings;
    qualcode.overlaps counts the overlapping pairs with numpy (a self-join in SQL took 0.9 s at
    500,000 codings). Unfiltered on SQLite (``spans_table``), they are the rows of coded_spans,
    which triggers keep: one scan of 193,000 rows at 500,000 codings. Otherwise the codings are
    chosen first: the distinct pairs from codings' own (excerpt_id, code_id, coder_id) index,
    and every excerpt's place per source, two scans that overlaps joins. Inactive codes drop out
    in the count."""
    if spans_table and not filters:
        key = (CodedSpan.start, CodedSpan.end, CodedSpan.code_id)
        spans = select(
            CodedSpan.source_id,
            Listed(CodedSpan.start, *key),
            Listed(CodedSpan.end, *key),
            Listed(CodedSpan.code_id, *key),
        ).group_by(CodedSpan.source_id)
        return {"spans": spans, "listing": active_codes()}
    coded = (
        filtered_codings(filters, Coding.excerpt_id, Coding.code_id, alone=True)
        .distinct()
        .subquery("coded")
    )
    pair = (coded.c.excerpt_id, coded.c.code_id)
    pairs = select(Listed(coded.c.excerpt_id, *pair), Listed(coded.c.code_id, *pair))
    places = select(
        Excerpt.source_id,
        Listed(Excerpt.id, Excerpt.id),
        Listed(Excerpt.start, Excerpt.id),
        Listed(Excerpt.end, Excerpt.id),
    ).group_by(Excerpt.source_id)
    return {"pairs": pairs, "excerpts": places, "listing": active_codes()}


def funnel(project: Project, filters: Filters = Filters()) -> pd.DataFrame:
    """Code applications -> unique codes -> codes used, with excluded and merged codes accounted
    for, beside the thesis's own 556 / 226 / 197 and what each figure means."""
    filters = checked(project, filters)
    import pandas as pd

    applications = filters.apply(
        codings_query(
            func.count(),
            func.count(case((Code.status == "excluded", 1))),
            func.count(distinct(Coding.code_id)),
            func.count(distinct(case((Code.status == "active", Coding.code_id)))),
        ).join(Code, Code.id == Coding.code_id)
    )
    codebook = select(
        func.count(),
        func.count(case((Code.status == "merged", 1))),
        func.count(case((Code.status == "excluded", 1))),
        func.count(case((Code.status == "active", 1))),
        func.sum(case((Code.status == "active", Code.reported_count))),
        func.count(case((Code.status == "active", Code.reported_count))),
    )
    with project.session(write=False) as session:
        coded = session.execute(applications).one()
        book = session.execute(codebook).one()
    df = pd.DataFrame(_funnel_rows(coded, book), columns=["stage", "project", "thesis", "note"])
    df["project"] = df["project"].astype("Int64")
    df["thesis"] = df["thesis"].astype("Int64")
    return df


def _funnel_rows(
    coded: Sequence[Any], book: Sequence[Any]
) -> list[tuple[str, Any, int | None, str]]:
    """The funnel's rows (stage, project, thesis, note) from the codings' counts (``coded``)
    and the codebook's (``book``); the sum of reported counts only when some active code has
    one."""
    n_codings, n_on_excluded, coded_codes, coded_active = coded
    n_codes, merged, excluded, active, reported_sum, n_reported = book
    thesis = THESIS_FUNNEL
    rows: list[tuple[str, Any, int | None, str]] = [
        (
            "code applications (codings)",
            n_codings,
            thesis["applications"],
            f"{n_on_excluded} of them on excluded codes; codings of merged codes moved to the code "
            "kept",
        ),
    ]
    if n_reported:
        reported = int(reported_sum or 0)
        gap = thesis["applications"] - reported
        rows.append(
            (
                "code applications (sum of reported counts)",
                reported,
                thesis["applications"],
                f"the printed tallies of {n_reported} of the {active} active codes; "
                f"{thesis['applications']} - {reported} = {gap} applications are not in the "
                "printed table",
            )
        )
    rows += [
        ("codes created", n_codes, None, f"{merged} merged into another code, {excluded} excluded"),
        (
            "unique codes (not merged)",
            n_codes - merged,
            thesis["unique"],
            "recurring codes combined: a merged code counts under the code kept",
        ),
        (
            "codes used (active)",
            active,
            thesis["used"],
            f"unique codes minus the {excluded} excluded as irrelevant",
        ),
        (
            "codes with codings",
            coded_codes,
            None,
            f"{coded_active} of them active; the rest excluded",
        ),
        ("note", None, None, FUNNEL_NOTE),
    ]
    return rows


def _value_column(field: str, names: tuple[str, ...]) -> tuple[Any, tuple[Any, Any] | None]:
    """(the value expression, an outer join to add or None) for an attribute_field."""
    if field in SOURCE_FIELDS:
        return getattr(Source, SOURCE_FIELDS[field]), None
    if field == "participant":
        return Participant.pseudonym, None
    if field in PARTICIPANT_FIELDS:
        return getattr(Participant, field), None
    attr = aliased(ParticipantAttribute)
    return attr.value, (attr, and_(attr.participant_id == Participant.id, attr.name.in_(names)))


def by_attribute(
    project: Project, attribute: str, filters: Filters = Filters(), presence: bool = False
) -> pd.DataFrame:
    """Code x the values of a participant attribute (profession) or a built-in field
    (participant, source, kind, language, organisation, role, location, mode): codings, or
    distinct participants with ``presence``. Values differing only in case are one column."""
    filters = checked(project, filters)
    with project.session(write=False) as session:
        field, names, _known = attribute_field(session, attribute, "--by")
        value, join = _value_column(field, names)
        query = counted_codings(filters)
        if join is not None:
            query = query.outerjoin(*join)
        value = func.coalesce(value, NONE_VALUE)
        measure = func.count(distinct(Participant.id)) if presence else func.count()
        query = query.add_columns(Coding.code_id, value, measure).group_by(Coding.code_id, value)
        counts = _read(session, query, ["id", "value", "n"])
        listing = _code_listing(session)
    spelling: dict[str, str] = {}
    for stored in sorted(counts["value"], key=str):
        spelling.setdefault(fold(stored), stored)
    counts["value"] = [spelling[fold(v)] for v in counts["value"]]
    wide = counts.pivot_table(index="id", columns="value", values="n", aggfunc="sum")
    wide = wide.reindex(columns=sorted(wide.columns, key=str)).fillna(0).astype(int)
    if filters:
        listing = listing[listing["id"].isin(counts["id"])]
    out = listing.join(wide, on="id").fillna(0)
    out[list(wide.columns)] = out[list(wide.columns)].astype(int)
    out.columns.name = None
    return out.drop(columns="id").reset_index(drop=True)


def group_values(project: Project, attribute: str) -> list[str]:
    """The values of an attribute that --by makes groups of, one spelling per value ignoring
    case, sorted, then NONE_VALUE (participants without it) for participant fields."""
    with project.session(write=False) as session:
        field, _names, known = attribute_field(session, attribute, "--by")
    spelling: dict[str, str] = {}
    for stored in sorted(known):
        spelling.setdefault(fold(stored), stored)
    values = list(spelling.values())
    return values if field in SOURCE_FIELDS else [*values, NONE_VALUE]


def grouped(
    project: Project, attribute: str, filters: Filters, report: Callable[[Filters], pd.DataFrame]
) -> list[tuple[str, pd.DataFrame]]:
    """``report(filters)`` once per value of an attribute (--by), skipping empty groups."""
    frames = []
    for value in group_values(project, attribute):
        frame = report(checked(project, filters.narrowed(attribute, value)))
        if len(frame):
            frames.append((value, frame))
    return frames


def stacked(
    attribute: str, frames: list[tuple[str, pd.DataFrame]], empty: pd.DataFrame
) -> pd.DataFrame:
    """Sections of one report per value, as one table whose first column names the value."""
    import pandas as pd

    if not frames:
        return empty.assign(**{attribute: []})[[attribute, *empty.columns]]
    parts = [frame.assign(**{attribute: value}) for value, frame in frames]
    out = pd.concat(parts, ignore_index=True)
    return out[[attribute, *[c for c in out.columns if c != attribute]]]


def quotes(
    project: Project,
    code: str | None = None,
    theme: str | None = None,
    filters: Filters = Filters(),
    by: str | None = None,
) -> pd.DataFrame:
    """The excerpts of a code, or of every code in a theme and its sub-themes, with who said
    them, and a ``cite`` column ready to paste: ``Expert A: 'quote'``. ``by`` gives one section
    per value of an attribute."""
    import pandas as pd

    if by is not None:
        frames = grouped(project, by, filters, lambda f: quotes(project, code, theme, f))
        columns = ["code", "participant", "source", "excerpt", "quote", "cite"]
        return stacked(by, frames, pd.DataFrame(columns=columns))
    filters = checked(project, filters)

    if (code is None) == (theme is None):
        raise InputError("quotes need either a code or a theme")
    length = Excerpt.end - Excerpt.start
    text = func.substr(Source.text, Excerpt.start + 1, length)
    who = func.coalesce(Participant.pseudonym, Source.title)
    query = (
        filters.apply(
            codings_query(Code.name, who, Source.title, Excerpt.id, text).join(
                Code, Code.id == Coding.code_id
            )
        )
        .distinct()
        .order_by(Code.name, who, Excerpt.id)
    )
    with project.session(write=False) as session:
        if code is not None:
            query = query.where(Coding.code_id == lookup.get_code(session, code).id)
        else:
            closure = theme_closure()
            theme_id = lookup.get_theme(session, theme or "").id
            in_theme = (
                select(CodeTheme.code_id)
                .join(closure, closure.c.theme_id == CodeTheme.theme_id)
                .where(closure.c.ancestor == theme_id)
            )
            query = query.where(Coding.code_id.in_(in_theme), Code.status == "active")
        rows = session.execute(query).all()
    # Sorted here rather than by SQL so that the order is the same on every backend and Kazakh
    # letters stand next to their base letters (names.sort_key).
    rows = sorted(rows, key=lambda r: (sort_key(r[0]), sort_key(r[1]), r[3]))
    df = pd.DataFrame(rows, columns=["code", "participant", "source", "excerpt", "quote"])
    df["excerpt"] = "#" + df["excerpt"].astype(str)
    df["quote"] = df["quote"].str.strip()
    df["cite"] = df["participant"] + ": '" + df["quote"] + "'"
    return df


STATEMENTS = {
    "codes": codes_statements,
    "participants": participants_statements,
    "matrix": matrix_statements,
}
