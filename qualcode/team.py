"""Coding as a team: blind (independent) mode, reconciliation, and writes that survive races.

Several coders may work on one PostgreSQL project at once, each session as its own coder. While the
project is in *blind* mode a coder sees only their own codings, so that agreement can be measured on
independent work; switching to *reconcile* shows everyone's codings and the reconciliation report
lists where coders disagree. The mode is a project setting (``team.mode``), so every session and
every tool sees the same mode.

Two sessions may also create the same row at the same moment (the same new code, the same excerpt,
a coder's first coding). The database's unique constraints let only one of them win;
``db.race_safe`` turns the loser's IntegrityError into a re-read of the winner's row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, exists, func, select, true
from sqlalchemy.orm import Session, aliased

from qualcode import events, lookup
from qualcode.db import race_safe
from qualcode.errors import InputError, ProjectError
from qualcode.models import Code, Coder, Coding, Excerpt, Setting, Source
from qualcode.names import sort_key

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project

T = TypeVar("T")

MODE_KEY = "team.mode"
BLIND = "blind"
RECONCILE = "reconcile"
MODES = (BLIND, RECONCILE)
DEFAULT_MODE = RECONCILE  # a project nobody switched to blind shows everyone's codings


def ensure_code(session: Session, name: str, coder: Coder | None = None) -> Code:
    """The code of that name, created if new; a code another session just created is reused."""
    from qualcode import codebook

    def work() -> Code:
        return codebook.find_or_create_code(session, name, coder)[0]

    return race_safe(session, work)


def ensure_coder(session: Session, name: str | None = None, *, remember: bool = False) -> Coder:
    """``lookup.coder`` (created on first use) safe against two sessions adding the same coder."""
    return race_safe(session, lambda: lookup.coder(session, name, remember=remember))


# --- blind mode ---------------------------------------------------------------------------------


def mode(session: Session) -> str:
    setting = session.get(Setting, MODE_KEY)
    return setting.value if setting is not None else DEFAULT_MODE


def set_mode(session: Session, new: str, coder: Coder | None = None) -> str:
    """Switch the project to blind or reconcile mode; returns the previous mode."""
    if new not in MODES:
        raise InputError(f"team mode must be one of {', '.join(MODES)}, not {new!r}")
    stored = session.get(Setting, MODE_KEY)
    old = stored.value if stored is not None else None
    _write_mode(session, new)
    events.TEAM_MODE.log(session, coder.id if coder else None, {"old": old, "new": new})
    return old or DEFAULT_MODE


def _write_mode(session: Session, value: str | None) -> None:
    """Store the mode; None takes the setting away (the project never had one)."""
    setting = session.get(Setting, MODE_KEY)
    if value is None:
        if setting is not None:
            session.delete(setting)
    elif setting is None:
        session.add(Setting(key=MODE_KEY, value=value))
    else:
        setting.value = value
    session.flush()


def _coder_id(session: Session, coder: Coder | int | str | None) -> int | None:
    if coder is None or isinstance(coder, int):
        return coder
    if isinstance(coder, Coder):
        return coder.id
    found = session.scalar(select(Coder.id).where(lookup.name_is(Coder, coder)))
    return found if found is not None else -1  # a coder with no codings yet sees none


def visible_codings_clause(
    session: Session, coder: Coder | int | str | None
) -> ColumnElement[bool]:
    """A WHERE clause on ``Coding`` giving the codings ``coder`` may see.

    Blind mode: only the coder's own. Reconcile mode, or ``coder=None`` (an administrator's or a
    report's view of the whole project): all of them. Add it to any query that selects codings:
    ``select(Coding).where(team.visible_codings_clause(session, me))``.
    """
    if coder is None or mode(session) != BLIND:
        return true()
    return Coding.coder_id == _coder_id(session, coder)


def visible_codings(session: Session, coder: Coder | int | str | None) -> Select[Coding]:
    """``select(Coding)`` narrowed to what ``coder`` may see (see ``visible_codings_clause``)."""
    return select(Coding).where(visible_codings_clause(session, coder))


def report_coders(
    session: Session, coder: str | None, requested: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The coders a report shown to ``coder`` may count, for ``reports.Filters(coders=...)``:
    in blind mode only ``coder`` themselves, whatever was asked; otherwise ``requested``
    (empty: everyone). ``coder=None`` is a whole-project view."""
    if coder is None or mode(session) != BLIND:
        return requested
    return (coder,)


def status(project: Project) -> tuple[str, pd.DataFrame]:
    """The mode, and per coder who has coded: codings, excerpts and sources coded, last coding
    (one query). A coder row made by ``team mode`` or opening the TUI under one's login, with no
    coding, is not a coder of the project yet."""
    import pandas as pd

    query = (
        select(
            Coder.name.label("coder"),
            func.count(Coding.id).label("codings"),
            func.count(func.distinct(Coding.excerpt_id)).label("excerpts"),
            func.count(func.distinct(Excerpt.source_id)).label("sources"),
            func.max(Coding.created_at).label("last_coding"),
        )
        .select_from(Coder)
        .outerjoin(Coding, Coding.coder_id == Coder.id)
        .outerjoin(Excerpt, Excerpt.id == Coding.excerpt_id)
        .group_by(Coder.id, Coder.name)
        .having(func.count(Coding.id) > 0)  # not a coder made only by opening or switching mode
    )
    with project.session(write=False) as session:
        current = mode(session)
        rows = sorted(session.execute(query).all(), key=lambda row: sort_key(row.coder))
    columns = ["coder", "codings", "excerpts", "sources", "last_coding"]
    return current, pd.DataFrame(rows, columns=columns)


# --- reconciliation -----------------------------------------------------------------------------

RECONCILE_COLUMNS = [
    "source",
    "start",
    "end",
    "code",
    "coded_by",
    "not_coded_by",
    "other_ranges",
    "text",
]


def disagreements_query() -> Select[Any]:
    """One statement: each coding of an active code, paired with each other coder who coded the
    same source but did not apply that code to exactly that excerpt, and (outer-joined) the ranges
    where that other coder applied the same code overlapping it."""
    mine = aliased(Coding, name="mine")
    other_coder = aliased(Coder, name="other_coder")
    active = _coders_of_sources()
    same = aliased(Coding, name="same")
    has_exact = exists().where(
        same.excerpt_id == mine.excerpt_id,
        same.code_id == mine.code_id,
        same.coder_id == active.c.coder_id,
    )
    overlap = _coded_ranges()
    length = Excerpt.end - Excerpt.start
    return (
        select(
            Source.title,
            Excerpt.id,
            Excerpt.start,
            Excerpt.end,
            Code.name,
            Coder.name,
            other_coder.name,
            overlap.c.start,
            overlap.c.end,
            func.substr(Source.text, Excerpt.start + 1, case((length > 200, 200), else_=length)),
        )
        .select_from(mine)
        .join(Excerpt, Excerpt.id == mine.excerpt_id)
        .join(Source, Source.id == Excerpt.source_id)
        .join(Code, Code.id == mine.code_id)
        .join(Coder, Coder.id == mine.coder_id)
        .join(
            active,
            and_(active.c.source_id == Excerpt.source_id, active.c.coder_id != mine.coder_id),
        )
        .join(other_coder, other_coder.id == active.c.coder_id)
        .outerjoin(
            overlap,
            and_(
                overlap.c.coder_id == active.c.coder_id,
                overlap.c.code_id == mine.code_id,
                overlap.c.source_id == Excerpt.source_id,
                overlap.c.start < Excerpt.end,
                overlap.c.end > Excerpt.start,
            ),
        )
        .where(Code.status == "active", ~has_exact)
    )


def _coders_of_sources() -> Subquery:
    """(source_id, coder_id) for every coder who coded something in a source."""
    return (
        select(Excerpt.source_id, Coding.coder_id)
        .join(Coding, Coding.excerpt_id == Excerpt.id)
        .distinct()
        .subquery("active")
    )


def _coded_ranges() -> Subquery:
    """Every coding as (coder_id, code_id, source_id, start, end): where others applied a code."""
    theirs = aliased(Coding, name="theirs")
    their_excerpt = aliased(Excerpt, name="their_excerpt")
    return (
        select(
            theirs.coder_id,
            theirs.code_id,
            their_excerpt.source_id,
            their_excerpt.start,
            their_excerpt.end,
        )
        .join(their_excerpt, their_excerpt.id == theirs.excerpt_id)
        .subquery("overlap")
    )


def disagreements(project: Project, *, force: bool = False) -> pd.DataFrame:
    """Excerpts where coders disagree: a coder applied a code that another coder of the same
    source did not apply there. ``other_ranges`` shows where the others applied it nearby
    (overlapping ranges: agreement on the code, not on the span); ``not_coded_by`` who never did.

    Refused in blind mode (it shows everyone's codings) unless ``force``.
    """
    import pandas as pd

    with project.session(write=False) as session:
        if mode(session) == BLIND and not force:
            raise ProjectError(
                "the project is in blind mode: switch with 'qualcode team mode reconcile' first"
            )
        rows = session.execute(disagreements_query()).all()
    raw = pd.DataFrame(
        rows,
        columns=[
            "source",
            "excerpt",
            "start",
            "end",
            "code",
            "coder",
            "other",
            "o_start",
            "o_end",
            "text",
        ],
    )
    if raw.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    keys = ["source", "excerpt", "start", "end", "code"]
    nearby = raw.dropna(subset=["o_start"])
    nearby = nearby.assign(
        where=nearby["other"]
        + " "
        + nearby["o_start"].astype(int).astype(str)
        + "-"
        + nearby["o_end"].astype(int).astype(str)
    )
    missing = raw[raw["o_start"].isna()]
    out = raw.groupby(keys, sort=False).agg(
        coded_by=("coder", lambda s: ", ".join(sorted(set(s)))),
        text=("text", "first"),
    )
    out["not_coded_by"] = missing.groupby(keys)["other"].agg(lambda s: ", ".join(sorted(set(s))))
    out["other_ranges"] = nearby.groupby(keys)["where"].agg(lambda s: "; ".join(sorted(set(s))))
    out = out.fillna("").reset_index().sort_values(["source", "start", "end", "code"])
    out["text"] = out["text"].map(_snippet)
    return out[RECONCILE_COLUMNS].reset_index(drop=True)


def _snippet(text: str, width: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _mode_undo(session: Session, payload: events.ModeChange) -> None:
    _write_mode(session, payload["old"])


def _mode_redo(session: Session, payload: events.ModeChange) -> None:
    _write_mode(session, payload["new"])


events.undoable(events.TEAM_MODE, undo=_mode_undo, redo=_mode_redo)
