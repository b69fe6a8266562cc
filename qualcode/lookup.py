"""Finding things by the names users type: codes, themes, sources, participants, coders.

Names match case-insensitively; a miss is a one-line error that suggests the nearest names, so a
typo in a script or a command line is caught with a hint instead of silently creating a new row.
"""

from __future__ import annotations

import getpass
import os

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import NotFoundError
from qualcode.models import Code, Coder, Participant, Setting, Source, Theme

LAST_CODER = "coder.last"


def fold(text: str) -> str:
    """A name or value as compared: NFC, trimmed, case-folded (Cyrillic and Kazakh too)."""
    import unicodedata

    return unicodedata.normalize("NFC", text).strip().casefold()


def _suggest(session: Session, column, name: str) -> str:
    from rapidfuzz import process

    names = session.scalars(select(column)).all()
    best = process.extract(name, names, limit=3, score_cutoff=60)
    return f" (did you mean {', '.join(repr(b[0]) for b in best)}?)" if best else ""


def find_code(session: Session, name: str) -> Code | None:
    return session.scalar(select(Code).where(func.lower(Code.name) == name.strip().lower()))


def get_code(session: Session, name: str) -> Code:
    code = find_code(session, name)
    if code is None:
        raise NotFoundError(f"no code named {name!r}{_suggest(session, Code.name, name)}")
    return code


def find_theme(session: Session, name: str) -> Theme | None:
    return session.scalar(select(Theme).where(func.lower(Theme.name) == name.strip().lower()))


def get_theme(session: Session, name: str) -> Theme:
    theme = find_theme(session, name)
    if theme is None:
        raise NotFoundError(f"no theme named {name!r}{_suggest(session, Theme.name, name)}")
    return theme


def find_participant(session: Session, pseudonym: str) -> Participant | None:
    return session.scalar(
        select(Participant).where(func.lower(Participant.pseudonym) == pseudonym.strip().lower())
    )


def get_participant(session: Session, pseudonym: str) -> Participant:
    participant = find_participant(session, pseudonym)
    if participant is None:
        hint = _suggest(session, Participant.pseudonym, pseudonym)
        raise NotFoundError(f"no participant {pseudonym!r}{hint}")
    return participant


def get_source(session: Session, ref: str | int) -> Source:
    """A source by id (``12`` or ``#12``) or by title."""
    text = str(ref).strip()
    source = None
    if text.lstrip("#").isdigit():
        source = session.get(Source, int(text.lstrip("#")))
    if source is None:
        source = session.scalar(select(Source).where(func.lower(Source.title) == text.lower()))
    if source is None:
        raise NotFoundError(f"no source {text!r}{_suggest(session, Source.title, text)}")
    return source


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
    found = session.scalar(select(Coder).where(func.lower(Coder.name) == name.lower()))
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
