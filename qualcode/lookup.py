"""Finding things by the names users type: codes, themes, sources, participants, coders.

Names match by ``qualcode.names.fold`` (case and Unicode normalisation ignored, in every
script) through the stored ``name_key`` columns; a miss is a one-line error that suggests the
nearest names, so a typo in a script or a command line is caught with a hint instead of silently
creating a new row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from qualcode import coders, coding_statements
from qualcode.coders import LAST_CODER as LAST_CODER  # lookup.LAST_CODER, as before
from qualcode.errors import InputError, NotFoundError
from qualcode.models import NAMED, Base, Code, Coder, Participant, Setting, Source, Theme
from qualcode.names import collision_message, did_you_mean
from qualcode.names import fold as fold  # lookup.fold: how every name compares

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
    its name collided still answers to its exact spelling, which wins over the folded match
    (``coding_statements.named``, the statement the light path of ``code`` runs too)."""
    typed = name.strip()
    found: M | None = session.scalar(
        coding_statements.named(model), {"key": fold(typed), "name": typed}
    )
    return found


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
        source = session.scalar(coding_statements.SOURCE_BY_ID, {"id": int(text.lstrip("#"))})
    if source is None:
        source = find_source(session, text)
    if source is None:
        raise NotFoundError(f"no source {text!r}{_suggest(session, Source.title, text)}")
    return source


def find_coder(session: Session, name: str) -> Coder | None:
    return find_named(session, Coder, name)


def default_coder_name(session: Session | None = None) -> str:
    """$QUALCODE_CODER, else the coder last used in this project, else the login name."""
    last = _last_coder(session) if session is not None else None
    return coders.default_coder_name(last.value if last is not None else None)


def _last_coder(session: Session) -> Setting | None:
    found: Setting | None = session.scalar(coding_statements.SETTING, {"key": LAST_CODER})
    return found


def coder(session: Session, name: str | None = None, *, remember: bool = False) -> Coder:
    """The coder of that name, created on first use; ``remember`` makes it the project's default."""
    name = (name or default_coder_name(session)).strip()
    found = find_coder(session, name)
    if found is None:
        found = Coder(name=name, initials=coders.initials(name))
        session.add(found)
        session.flush()
    if remember:
        setting = _last_coder(session)
        if setting is None:
            session.add(Setting(key=LAST_CODER, value=found.name))
        else:
            setting.value = found.name
    return found
