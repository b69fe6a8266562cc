"""The event log: every change a user makes, with what is needed to undo and redo it.

Each domain action logs an Event whose payload holds the before and after state. Undo and redo
dispatch on the event's action to the inverse registered by the module that owns the action, so the
log is both the audit trail and the undo stack. Undo takes the newest live event (of a coder, since
a point such as the start of a TUI session); redo takes back the most recently undone one, and a
new action after an undo ends the chance to redo (as in an editor).

The payloads and their builders need only the standard library: the light path of ``qualcode
code`` (qualcode.coding_light) logs through them without SQLAlchemy, byte for byte as the ORM does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, NotRequired, TypedDict, TypeVar, cast

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

    from qualcode.models import Event

# --- the payloads: one definition each, read by the action that logs and by its inverses -------


class CodingPayload(TypedDict):
    """``coding.apply`` / ``coding.remove``: the coding whole, so that it can come back as it was.

    ``id``, ``created_at`` and the ``excerpt_*`` keys are absent from events logged before they
    were added; the inverses then fall back to a new id, time and excerpt.
    """

    guid: str
    source_id: int
    start: int
    end: int
    code_id: int
    coder_id: int
    memo: str | None
    id: NotRequired[int]
    created_at: NotRequired[str]  # ISO time
    excerpt_id: NotRequired[int]
    excerpt_guid: NotRequired[str]
    excerpt_created_at: NotRequired[str]
    excerpt_new: NotRequired[bool]  # the coding made its excerpt: undo takes both away


def coding_payload(
    *,
    guid: str,
    source_id: int,
    start: int,
    end: int,
    code_id: int,
    coder_id: int,
    memo: str | None,
    coding_id: int,
    created_at: dt.datetime,
    excerpt_id: int,
    excerpt_guid: str,
    excerpt_created_at: dt.datetime,
    excerpt_new: bool,
) -> CodingPayload:
    """A coding and its excerpt as ``coding.apply`` / ``coding.remove`` log them (the one place
    that says which keys, in which order: the stored JSON is the same from every path)."""
    return {
        "guid": guid,
        "source_id": source_id,
        "start": start,
        "end": end,
        "code_id": code_id,
        "coder_id": coder_id,
        "memo": memo,
        "id": coding_id,
        "created_at": stamp(created_at),
        "excerpt_id": excerpt_id,
        "excerpt_guid": excerpt_guid,
        "excerpt_created_at": stamp(excerpt_created_at),
        "excerpt_new": excerpt_new,
    }


class MemoChange(TypedDict):
    """``coding.memo``."""

    guid: str
    old: str | None
    new: str | None


class CodeCreated(TypedDict):
    """``code.create``."""

    code_id: int
    guid: str
    name: str
    definition: str | None
    colour: str | None
    parent_id: int | None
    position: int


def code_created(
    *,
    code_id: int,
    guid: str,
    name: str,
    definition: str | None,
    colour: str | None,
    parent_id: int | None,
    position: int,
) -> CodeCreated:
    """A new code as ``code.create`` logs it (every path that creates a code builds it here)."""
    return {
        "code_id": code_id,
        "guid": guid,
        "name": name,
        "definition": definition,
        "colour": colour,
        "parent_id": parent_id,
        "position": position,
    }


class FieldChange(TypedDict):
    """``code.update`` / ``code.status`` / ``code.example`` / ``theme.update``: the fields before
    and after."""

    old: dict[str, Any]
    new: dict[str, Any]
    code_id: NotRequired[int]
    theme_id: NotRequired[int]


class SourceEdit(TypedDict):
    """``source.edit``: title, participant, kind, language before and after."""

    source_id: int
    old: dict[str, Any]
    new: dict[str, Any]
    updated_at: NotRequired[str]  # the source's time before the edit: undo puts it back


class DroppedCoding(TypedDict):
    """A coding a merge removed because the kept code had it already."""

    guid: str
    excerpt_id: int
    coder_id: int
    memo: str | None
    id: NotRequired[int]
    created_at: NotRequired[str]


class CodeMerged(TypedDict):
    """``code.merge``."""

    keep_id: int
    merged_id: int
    moved: list[str]
    dropped: list[DroppedCoding]
    old: dict[str, Any]


class ThemeCreated(TypedDict):
    """``theme.create``."""

    theme_id: int
    guid: str
    name: str
    description: str | None
    parent_id: int | None
    position: int


class ThemeNested(TypedDict):
    """``theme.nest``: the parent before and after."""

    theme_id: int
    old: int | None
    new: int | None


class ThemeLink(TypedDict):
    """``theme.assign`` / ``theme.unassign``."""

    code_id: int
    theme_id: int
    position: int


class HeadingChange(TypedDict):
    """``theme.heading``: a printed codebook's heading kept beside a theme."""

    theme_id: int
    old: str | None
    new: str | None


class ParticipantCreated(TypedDict):
    """``participant.create``."""

    participant_id: int
    guid: str
    pseudonym: str
    position: int


class ModeChange(TypedDict):
    """``team.mode``; ``old`` is None when the project had never set a mode."""

    old: str | None
    new: str


class BulkCodings(TypedDict):
    """``coding.bulk``: rows [guid, source_id, start, end, code_id, coder_id, memo]."""

    file: str
    codings: list[list[Any]]
    # [id, source_id, start, end] of the excerpts the import made: undo takes them away
    excerpts_new: NotRequired[list[list[int]]]


P = TypeVar("P", bound=Mapping[str, Any])


@dataclass(frozen=True)
class Action(Generic[P]):
    """An undoable kind of event: its name, and (as its type parameter) its payload's type."""

    name: str

    def log(self, session: Session, coder_id: int | None, payload: P) -> Event:
        return log(session, self.name, coder_id, **payload)


CODING_APPLY: Action[CodingPayload] = Action("coding.apply")
CODING_REMOVE: Action[CodingPayload] = Action("coding.remove")
CODING_MEMO: Action[MemoChange] = Action("coding.memo")
CODING_BULK: Action[BulkCodings] = Action("coding.bulk")
CODE_CREATE: Action[CodeCreated] = Action("code.create")
CODE_UPDATE: Action[FieldChange] = Action("code.update")
CODE_STATUS: Action[FieldChange] = Action("code.status")
CODE_EXAMPLE: Action[FieldChange] = Action("code.example")
CODE_MERGE: Action[CodeMerged] = Action("code.merge")
THEME_CREATE: Action[ThemeCreated] = Action("theme.create")
THEME_UPDATE: Action[FieldChange] = Action("theme.update")
THEME_NEST: Action[ThemeNested] = Action("theme.nest")
THEME_ASSIGN: Action[ThemeLink] = Action("theme.assign")
THEME_UNASSIGN: Action[ThemeLink] = Action("theme.unassign")
THEME_HEADING: Action[HeadingChange] = Action("theme.heading")
SOURCE_EDIT: Action[SourceEdit] = Action("source.edit")
PARTICIPANT_CREATE: Action[ParticipantCreated] = Action("participant.create")
TEAM_MODE: Action[ModeChange] = Action("team.mode")

Handler = Callable[["Session", Any], None]


@dataclass(frozen=True)
class Inverse:
    undo: Handler
    redo: Handler


_HANDLERS: dict[str, Inverse] = {}


def undoable(
    action: Action[P], undo: Callable[[Session, P], None], redo: Callable[[Session, P], None]
) -> None:
    """Register how an action is undone and redone from its payload."""
    _HANDLERS[action.name] = Inverse(undo, redo)


def log(session: Session, action: str, coder_id: int | None = None, /, **payload: Any) -> Event:
    """Log an event; undoable actions log through their :class:`Action` instead."""
    from qualcode.models import Event

    event = Event(action=action, coder_id=coder_id, payload=payload)
    session.add(event)
    session.flush()
    return event


def log_row(session: Session, action: str, coder_id: int | None = None, /, **payload: Any) -> None:
    """Log an event with a Core insert, for writers of many rows (an import of many files) that
    need no Event object back: a fraction of the ORM's flush per event."""
    from sqlalchemy import Table, insert

    from qualcode.models import Event

    row = {"action": action, "coder_id": coder_id, "payload": payload}
    session.execute(insert(cast(Table, Event.__table__)), row)


def stamp(value: dt.datetime) -> str:
    """A row's ``created_at`` as a payload keeps it (JSON has no datetime)."""
    return value.isoformat()


def restore_stamp(row: Any, value: str | None) -> None:
    """Give a row brought back by undo its original ``created_at`` (when the payload kept it)."""
    if value:
        row.created_at = dt.datetime.fromisoformat(value)


def _scope(coder_id: int | None, since_id: int) -> Select[Event]:
    from sqlalchemy import select

    from qualcode.models import Event

    query = select(Event).where(Event.id > since_id, Event.action.in_(list(_HANDLERS)))
    if coder_id is not None:
        query = query.where(Event.coder_id == coder_id)
    return query


def _ensure_handlers() -> None:
    # Importing the owners registers their inverses.
    import qualcode.bulk
    import qualcode.catalogue
    import qualcode.codebook
    import qualcode.codebook_sync
    import qualcode.coding
    import qualcode.participants
    import qualcode.team  # noqa: F401


def undo(session: Session, coder_id: int | None = None, since_id: int = 0) -> Event | None:
    """Undo the newest live event; None when there is nothing to undo."""
    from qualcode.models import Event

    _ensure_handlers()
    event = session.scalar(
        _scope(coder_id, since_id).where(Event.undone.is_(False)).order_by(Event.id.desc()).limit(1)
    )
    if event is None:
        return None
    _HANDLERS[event.action].undo(session, event.payload)
    event.undone = True
    session.flush()
    return event


def redo(session: Session, coder_id: int | None = None, since_id: int = 0) -> Event | None:
    """Redo the most recently undone event, unless a new action came after it."""
    from sqlalchemy import func

    from qualcode.models import Event

    _ensure_handlers()
    last_live = session.scalar(
        _scope(coder_id, since_id)
        .with_only_columns(func.max(Event.id))
        .where(Event.undone.is_(False))
    )
    event = session.scalar(
        _scope(coder_id, max(since_id, last_live or 0))
        .where(Event.undone.is_(True))
        .order_by(Event.id.asc())
        .limit(1)
    )
    if event is None:
        return None
    _HANDLERS[event.action].redo(session, event.payload)
    event.undone = False
    session.flush()
    return event


def last_event_id(session: Session) -> int:
    from sqlalchemy import func, select

    from qualcode.models import Event

    return session.scalar(select(func.coalesce(func.max(Event.id), 0))) or 0
