"""Applying and removing codings, and memos on excerpts; each logged so it can be undone.

A coding ties (excerpt, code, coder); the excerpt is found or made from a character range of a
source. Ranges are checked against the stored text, so a coding can never point past it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qualcode import addresses, coding_statements, events, lookup
from qualcode.addresses import Target as Target  # coding.Target: a place to code
from qualcode.coding_light import Coded
from qualcode.db import Project, race_safe
from qualcode.errors import InputError
from qualcode.models import Code, Coder, Coding, Excerpt, Source


def _find_excerpt(session: Session, source_id: int, start: int, end: int) -> Excerpt | None:
    found: Excerpt | None = session.scalar(
        coding_statements.EXCERPT_AT, {"source_id": source_id, "start": start, "end": end}
    )
    return found


def excerpt_for(session: Session, source: Source, start: int, end: int) -> Excerpt:
    """The excerpt covering exactly [start, end) of a source, made if new."""
    if not 0 <= start < end <= len(source.text):
        raise InputError(
            f"range {start}-{end} is outside source {source.title!r} (0-{len(source.text)})"
        )
    excerpt = _find_excerpt(session, source.id, start, end)
    if excerpt is None:
        excerpt = Excerpt(source_id=source.id, start=start, end=end)
        session.add(excerpt)
        session.flush()
    return excerpt


def resolve_target(session: Session, ref: str) -> Target:
    """The place an address names (``#12``, ``SOURCE:120-245``, ``SOURCE:s3``, ``SOURCE:p2``,
    ``SOURCE:p15.s5``, ``SOURCE:t4``): see ``qualcode.addresses``."""
    return addresses.resolve(session, ref)


def _coding_payload(coding: Coding, excerpt: Excerpt, excerpt_new: bool) -> events.CodingPayload:
    return events.coding_payload(
        guid=coding.guid,
        source_id=excerpt.source_id,
        start=excerpt.start,
        end=excerpt.end,
        code_id=coding.code_id,
        coder_id=coding.coder_id,
        memo=coding.memo,
        coding_id=coding.id,
        created_at=coding.created_at,
        excerpt_id=excerpt.id,
        excerpt_guid=excerpt.guid,
        excerpt_created_at=excerpt.created_at,
        excerpt_new=excerpt_new,
    )


def apply_code(
    session: Session,
    target: Target,
    code: Code,
    coder: Coder,
    *,
    memo: str | None = None,
    log: bool = True,
) -> Coding:
    """Code a range; applying the same code twice by one coder is a no-op, not an error."""
    if code.status != "active":
        raise InputError(f"code {code.name!r} is {code.status}; include it again to use it")
    source = session.scalar(coding_statements.SOURCE_BY_ID, {"id": target.source_id})
    if source is None:
        raise InputError(f"no source #{target.source_id}")
    had = _find_excerpt(session, source.id, target.start, target.end)
    excerpt = had or excerpt_for(session, source, target.start, target.end)
    coding = session.scalar(
        coding_statements.CODING_OF,
        {"excerpt_id": excerpt.id, "code_id": code.id, "coder_id": coder.id},
    )
    if coding is not None:
        return coding
    coding = Coding(
        excerpt_id=excerpt.id,
        source_id=excerpt.source_id,
        code_id=code.id,
        coder_id=coder.id,
        memo=memo,
    )
    session.add(coding)
    session.flush()
    if log:
        events.CODING_APPLY.log(session, coder.id, _coding_payload(coding, excerpt, had is None))
    return coding


def code_range(
    session: Session,
    ref: str,
    code_name: str,
    coder_name: str | None = None,
    *,
    create: bool = True,
    memo: str | None = None,
    remember: bool = False,
) -> Coding:
    """The scriptable entry point: a target reference and a code name (created if new).

    Safe against other sessions creating the same code, excerpt or coder at the same moment
    (``db.race_safe``). ``remember`` makes the coder the project's default (the CLI's ``code``
    does); team sessions leave it off, as every coder rewriting that one shared row would queue
    all their transactions behind each other.
    """
    from qualcode import codebook

    def work() -> Coding:
        coder = lookup.coder(session, coder_name, remember=remember)
        if create:
            code, _ = codebook.find_or_create_code(session, code_name, coder)
        else:
            code = lookup.get_code(session, code_name)  # raises with suggestions
        return apply_code(session, resolve_target(session, ref), code, coder, memo=memo)

    return race_safe(session, work)


def code_one(
    project: Project,
    ref: str,
    code_name: str,
    coder_name: str | None = None,
    *,
    create: bool = True,
    memo: str | None = None,
) -> Coded:
    """``qualcode code TARGET CODE`` through the ORM, in one write transaction, the coder
    remembered: what qualcode.coding_light does on sqlite3, for every other case."""

    def work(session: Session) -> Coded:
        coding = code_range(
            session, ref, code_name, coder_name, create=create, memo=memo, remember=True
        )
        excerpt = coding.excerpt
        return Coded(coding.id, excerpt.start, excerpt.end, coding.coder.name)

    return project.transaction(work)


def remove_coding(session: Session, coding: Coding, coder: Coder | None = None) -> None:
    payload = _coding_payload(coding, coding.excerpt, excerpt_new=False)
    session.delete(coding)
    session.flush()
    events.CODING_REMOVE.log(session, coder.id if coder else payload["coder_id"], payload)


def set_memo(
    session: Session, coding: Coding, memo: str | None, coder: Coder | None = None
) -> None:
    """A memo on an excerpt's coding (what the researcher thought when coding it)."""
    old = coding.memo
    coding.memo = memo or None
    session.flush()
    events.CODING_MEMO.log(
        session,
        coder.id if coder else coding.coder_id,
        {"guid": coding.guid, "old": old, "new": coding.memo},
    )


def _restore(session: Session, p: events.CodingPayload) -> None:
    """Put a coding back as it was: same id, guid, time, and its excerpt (remade if it went)."""
    source = session.get(Source, p["source_id"])
    if source is None:
        raise InputError(f"cannot restore a coding: source #{p['source_id']} is gone")
    excerpt = _find_excerpt(session, source.id, p["start"], p["end"])
    if excerpt is None:
        excerpt = Excerpt(source_id=source.id, start=p["start"], end=p["end"])
        if "excerpt_id" in p:
            excerpt.id, excerpt.guid = p["excerpt_id"], p["excerpt_guid"]
            events.restore_stamp(excerpt, p.get("excerpt_created_at"))
        session.add(excerpt)
        session.flush()
    coding = Coding(
        guid=p["guid"],
        excerpt_id=excerpt.id,
        source_id=excerpt.source_id,
        code_id=p["code_id"],
        coder_id=p["coder_id"],
        memo=p["memo"],
    )
    if "id" in p:
        coding.id = p["id"]
        events.restore_stamp(coding, p.get("created_at"))
    session.add(coding)
    session.flush()


def _drop(session: Session, p: events.CodingPayload) -> None:
    session.execute(delete(Coding).where(Coding.guid == p["guid"]))
    if p.get("excerpt_new") and "excerpt_id" in p:
        session.execute(
            delete(Excerpt).where(
                Excerpt.id == p["excerpt_id"],
                ~select(Coding.id).where(Coding.excerpt_id == Excerpt.id).exists(),
            )
        )


def _memo(field: Literal["old", "new"]) -> Callable[[Session, events.MemoChange], None]:
    def handler(session: Session, p: events.MemoChange) -> None:
        coding = session.scalar(select(Coding).where(Coding.guid == p["guid"]))
        if coding is not None:
            coding.memo = p[field]

    return handler


events.undoable(events.CODING_APPLY, undo=_drop, redo=_restore)
events.undoable(events.CODING_REMOVE, undo=_restore, redo=_drop)
events.undoable(events.CODING_MEMO, undo=_memo("old"), redo=_memo("new"))
