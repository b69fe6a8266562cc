"""The event log: every change a user makes, with what is needed to undo and redo it.

Each domain action logs an Event whose payload holds the before and after state. Undo and redo
dispatch on the event's action to the inverse registered by the module that owns the action, so the
log is both the audit trail and the undo stack. Undo takes the newest live event (of a coder, since
a point such as the start of a TUI session); redo takes back the most recently undone one, and a
new action after an undo ends the chance to redo (as in an editor).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.models import Event

Handler = Callable[[Session, dict[str, Any]], None]


@dataclass(frozen=True)
class Inverse:
    undo: Handler
    redo: Handler


_HANDLERS: dict[str, Inverse] = {}


def undoable(action: str, undo: Handler, redo: Handler) -> None:
    """Register how an action is undone and redone from its payload."""
    _HANDLERS[action] = Inverse(undo, redo)


def log(session: Session, action: str, coder_id: int | None = None, /, **payload: Any) -> Event:
    event = Event(action=action, coder_id=coder_id, payload=payload)
    session.add(event)
    session.flush()
    return event


def _scope(coder_id: int | None, since_id: int):
    query = select(Event).where(Event.id > since_id, Event.action.in_(list(_HANDLERS)))
    if coder_id is not None:
        query = query.where(Event.coder_id == coder_id)
    return query


def _ensure_handlers() -> None:
    # Importing the owners registers their inverses.
    import qualcode.bulk
    import qualcode.catalogue
    import qualcode.codebook
    import qualcode.coding
    import qualcode.team  # noqa: F401


def undo(session: Session, coder_id: int | None = None, since_id: int = 0) -> Event | None:
    """Undo the newest live event; None when there is nothing to undo."""
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
    return session.scalar(select(func.coalesce(func.max(Event.id), 0))) or 0
