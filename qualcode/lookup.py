"""Finding things by the names users type: codes, themes, sources, participants, coders.

Names match by ``qualcode.names.fold`` (case and Unicode normalisation ignored, in every
script) through the stored ``name_key`` columns; a miss is a one-line error that suggests the
nearest names, so a typo in a script or a command line is caught with a hint instead of silently
creating a new row.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from qualcode.errors import InputError, NotFoundError
from qualcode.models import NAMED, Base, Code, Coder, Participant, Setting, Source, Theme
from qualcode.names import collision_message, did_you_mean
from qualcode.names import fold as fold  # lookup.fold: how every name compares

LAST_CODER = "coder.last"
M = TypeVar("M", bound=Base)


def name_is(model: Any, name: str) -> ColumnElement[bool]:
    """The one SQL test of "this row has that name", on every backend: folded keys compared."""
    key: InstrumentedAttribute[str] = model.name_key
    return key == fold(name)


def name_in(model: Any, names: Iterable[str]) -> ColumnElement[bool]:
    key: InstrumentedAttribute[str] = model.name_key
    return key.in_({fold(n) for n in names})


def find_named(session: Session, model: type[M], name: str) -> M | None:
    """The row of that name (folded). A row whose key was suffixed by the 0002 migration because
    its name collided still answers to its exact spelling, which wins over the folded match."""
    typed = name.strip()
    column = getattr(model, NAMED[model])
    rows = session.scalars(
        select(model).where(or_(name_is(model, typed), column == typed)).limit(2)
    ).all()
    exact = [row for row in rows if getattr(row, NAMED[model]) == typed]
    return exact[0] if exact else (rows[0] if rows else None)


def check_free(
    session: Session, model: Any, name: str, kind: str, keep: object | None = None
) -> str:
    """The trimmed name, or a one-line error naming both spellings when it is taken."""
    found = session.scalar(select(model).where(name_is(model, name)))
    if found is not None and found is not keep:
        raise InputError(collision_message(kind, name, getattr(found, NAMED[model])))
    return name.strip()


def _suggest(session: Session, column: InstrumentedAttribute[str], name: str) -> str:
    return did_you_mean(name, session.scalars(select(column)).all())


def find_code(session: Session, name: str) -> Code | None:
    return find_named(session, Code, name)


def get_code(session: Session, name: str) -> Code:
    code = find_code(session, name)
    if code is None:
        raise NotFoundError(f"no code named {name!r}{_suggest(session, Code.name, name)}")
    return code


def find_theme(session: Session, name: str) -> Theme | None:
    return find_named(session, Theme, name)


def get_theme(session: Session, name: str) -> Theme:
    theme = find_theme(session, name)
    if theme is None:
        raise NotFoundError(f"no theme named {name!r}{_suggest(session, Theme.name, name)}")
    return theme


def find_participant(session: Session, pseudonym: str) -> Participant | None:
    return find_named(session, Participant, pseudonym)


def get_participant(session: Session, pseudonym: str) -> Participant:
    participant = find_participant(session, pseudonym)
    if participant is None:
        hint = _suggest(session, Participant.pseudonym, pseudonym)
        raise NotFoundError(f"no participant {pseudonym!r}{hint}")
    return participant


def find_source(session: Session, title: str) -> Source | None:
    return find_named(session, Source, title)


def get_source(session: Session, ref: str | int) -> Source:
    """A source by id (``12`` or ``#12``) or by title."""
    text = str(ref).strip()
    source = None
    if text.lstrip("#").isdigit():
        source = session.get(Source, int(text.lstrip("#")))
    if source is None:
        source = find_source(session, text)
    if source is None:
        raise NotFoundError(f"no source {text!r}{_suggest(session, Source.title, text)}")
    return source


def find_coder(session: Session, name: str) -> Coder | None:
    return find_named(session, Coder, name)


def default_coder_name(session: Session | None = None) -> str:
    """$QUALCODE_CODER, else the coder last used in this project, else the login name."""
    env = os.environ.get("QUALCODE_CODER")
    if env:
        return env
    if session is not None:
        last = session.get(Setting, LAST_CODER)
        if last is not None:
            return last.value
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name (some containers)
        return "coder"


def coder(session: Session, name: str | None = None, *, remember: bool = False) -> Coder:
    """The coder of that name, created on first use; ``remember`` makes it the project's default."""
    name = (name or default_coder_name(session)).strip()
    found = find_coder(session, name)
    if found is None:
        initials = "".join(part[0] for part in name.split() if part).upper()[:20] or None
        found = Coder(name=name, initials=initials)
        session.add(found)
        session.flush()
    if remember:
        setting = session.get(Setting, LAST_CODER)
        if setting is None:
            session.add(Setting(key=LAST_CODER, value=found.name))
        else:
            setting.value = found.name
    return found
