"""Shaping the codebook: codes and themes created, renamed, merged, excluded and grouped.

Merged and excluded codes stay in the database with their status, so the audit trail (and the
funnel of applications -> unique codes -> codes used) can account for them. Every operation logs an
event with its inverse, which is how the TUI offers undo and redo.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, aliased

from qualcode import events, lookup
from qualcode.errors import InputError
from qualcode.models import Code, Coder, CodeTheme, Coding, Excerpt, Theme

CODE_FIELDS = ("name", "definition", "colour", "parent_id", "reported_count", "example_quote")


def _coder_id(coder: Coder | None) -> int | None:
    return coder.id if coder is not None else None


def _check_name_free(session: Session, name: str, keep: Code | None = None) -> str:
    name = name.strip()
    if not name:
        raise InputError("a code needs a name")
    found = lookup.find_code(session, name)
    if found is not None and found is not keep:
        raise InputError(f"a code named {found.name!r} exists already")
    return name


def _next_position(session: Session, column) -> int:
    return (session.scalar(select(func.max(column))) or 0) + 1


def create_code(
    session: Session,
    name: str,
    *,
    definition: str | None = None,
    colour: str | None = None,
    parent: Code | None = None,
    coder: Coder | None = None,
) -> Code:
    code = Code(
        name=_check_name_free(session, name),
        definition=definition,
        colour=colour,
        parent_id=parent.id if parent else None,
        position=_next_position(session, Code.position),
    )
    session.add(code)
    session.flush()
    events.log(
        session,
        "code.create",
        _coder_id(coder),
        code_id=code.id,
        guid=code.guid,
        name=code.name,
        definition=definition,
        colour=colour,
        parent_id=code.parent_id,
        position=code.position,
    )
    return code


def find_or_create_code(
    session: Session, name: str, coder: Coder | None = None
) -> tuple[Code, bool]:
    """The code of that name, or a new one (True): the one find-or-create every path shares.

    Under PostgreSQL's read committed, another session may commit the same name between the
    look-up and the insert; the name check then sees it, and that code is used. (A commit that
    lands after the check fails the unique index instead: ``team.race_safe`` retries that.)
    """
    code = lookup.find_code(session, name)
    if code is not None:
        return code, False
    try:
        return create_code(session, name, coder=coder), True
    except InputError:
        code = lookup.find_code(session, name)
        if code is None:
            raise
        return code, False


def update_code(session: Session, code: Code, coder: Coder | None = None, **changes: Any) -> Code:
    """Rename, define, recolour or re-parent a code (any of ``CODE_FIELDS``)."""
    unknown = set(changes) - set(CODE_FIELDS)
    if unknown:
        raise InputError(f"cannot change {', '.join(sorted(unknown))} of a code")
    if "name" in changes:
        changes["name"] = _check_name_free(session, changes["name"], keep=code)
    old = {field: getattr(code, field) for field in changes}
    for field, value in changes.items():
        setattr(code, field, value)
    session.flush()
    events.log(session, "code.update", _coder_id(coder), code_id=code.id, old=old, new=changes)
    return code


def rename_code(session: Session, code: Code, new_name: str, coder: Coder | None = None) -> Code:
    return update_code(session, code, coder, name=new_name)


def merge_codes(session: Session, keep: Code, merged: Code, coder: Coder | None = None) -> int:
    """Move the codings of ``merged`` to ``keep``; ``merged`` stays, marked merged into ``keep``.

    A coding that ``keep`` already has on the same excerpt by the same coder is not doubled: it is
    removed (and restored on undo). Returns the number of codings that moved.
    """
    if keep.id == merged.id:
        raise InputError(f"cannot merge {keep.name!r} into itself")
    if keep.status != "active":
        raise InputError(f"cannot merge into {keep.name!r}: it is {keep.status}")
    if merged.status == "merged":
        raise InputError(f"{merged.name!r} is already merged")
    kept = aliased(Coding)
    already_kept = (
        select(kept.id)
        .where(
            kept.code_id == keep.id,
            kept.excerpt_id == Coding.excerpt_id,
            kept.coder_id == Coding.coder_id,
        )
        .exists()
    )
    doubles = session.scalars(select(Coding).where(Coding.code_id == merged.id, already_kept)).all()
    dropped = [
        {"guid": c.guid, "excerpt_id": c.excerpt_id, "coder_id": c.coder_id, "memo": c.memo}
        for c in doubles
    ]
    for coding in doubles:
        session.delete(coding)
    session.flush()
    moved = session.scalars(select(Coding.guid).where(Coding.code_id == merged.id)).all()
    session.execute(update(Coding).where(Coding.code_id == merged.id).values(code_id=keep.id))
    old_status = {"status": merged.status, "status_reason": merged.status_reason}
    merged.status, merged.merged_into_id, merged.status_reason = "merged", keep.id, None
    session.flush()
    events.log(
        session,
        "code.merge",
        _coder_id(coder),
        keep_id=keep.id,
        merged_id=merged.id,
        moved=list(moved),
        dropped=dropped,
        old=old_status,
    )
    return len(moved)


def exclude_code(session: Session, code: Code, reason: str, coder: Coder | None = None) -> Code:
    """Leave a code out of the analysis (its codings stay, reports skip it), with a reason."""
    if not reason.strip():
        raise InputError(f"excluding {code.name!r} needs a reason")
    if code.status == "merged":
        raise InputError(f"{code.name!r} is merged; exclude the code it was merged into")
    old = {"status": code.status, "status_reason": code.status_reason}
    code.status, code.status_reason = "excluded", reason.strip()
    session.flush()
    events.log(
        session,
        "code.status",
        _coder_id(coder),
        code_id=code.id,
        old=old,
        new={"status": "excluded", "status_reason": code.status_reason},
    )
    return code


def include_code(session: Session, code: Code, coder: Coder | None = None) -> Code:
    if code.status != "excluded":
        raise InputError(f"{code.name!r} is {code.status}, not excluded")
    old = {"status": code.status, "status_reason": code.status_reason}
    code.status, code.status_reason = "active", None
    session.flush()
    events.log(
        session,
        "code.status",
        _coder_id(coder),
        code_id=code.id,
        old=old,
        new={"status": "active", "status_reason": None},
    )
    return code


def create_theme(
    session: Session,
    name: str,
    *,
    parent: Theme | None = None,
    description: str | None = None,
    coder: Coder | None = None,
) -> Theme:
    name = name.strip()
    if not name:
        raise InputError("a theme needs a name")
    if lookup.find_theme(session, name) is not None:
        raise InputError(f"a theme named {name!r} exists already")
    theme = Theme(
        name=name,
        description=description,
        parent_id=parent.id if parent else None,
        position=_next_position(session, Theme.position),
    )
    session.add(theme)
    session.flush()
    events.log(
        session,
        "theme.create",
        _coder_id(coder),
        theme_id=theme.id,
        guid=theme.guid,
        name=name,
        description=description,
        parent_id=theme.parent_id,
        position=theme.position,
    )
    return theme


def nest_theme(session: Session, theme: Theme, parent: Theme | None, coder: Coder | None = None):
    """Make ``theme`` a sub-theme of ``parent`` (or a main theme with None); no cycles."""
    ancestor = parent
    while ancestor is not None:
        if ancestor.id == theme.id:
            raise InputError(f"theme {theme.name!r} cannot be nested under itself")
        ancestor = ancestor.parent
    old = theme.parent_id
    theme.parent_id = parent.id if parent else None
    session.flush()
    events.log(
        session, "theme.nest", _coder_id(coder), theme_id=theme.id, old=old, new=theme.parent_id
    )
    return theme


def assign_code(session: Session, code: Code, theme: Theme, coder: Coder | None = None) -> bool:
    """Put a code in a theme; False when it was there already."""
    if session.get(CodeTheme, (code.id, theme.id)) is not None:
        return False
    position = (
        session.scalar(select(func.max(CodeTheme.position)).where(CodeTheme.theme_id == theme.id))
        or 0
    ) + 1
    session.add(CodeTheme(code_id=code.id, theme_id=theme.id, position=position))
    session.flush()
    events.log(
        session,
        "theme.assign",
        _coder_id(coder),
        code_id=code.id,
        theme_id=theme.id,
        position=position,
    )
    return True


def unassign_code(session: Session, code: Code, theme: Theme, coder: Coder | None = None) -> bool:
    link = session.get(CodeTheme, (code.id, theme.id))
    if link is None:
        return False
    position = link.position
    session.delete(link)
    session.flush()
    events.log(
        session,
        "theme.unassign",
        _coder_id(coder),
        code_id=code.id,
        theme_id=theme.id,
        position=position,
    )
    return True


def example_excerpt(session: Session, ref: str) -> Excerpt:
    """The coded excerpt an address names: ``#ID`` or any address ``code`` takes, whose range
    must be exactly a coded excerpt's (an example is a quote the researcher coded)."""
    from qualcode.coding import resolve_target

    target = resolve_target(session, ref)
    excerpt = session.scalar(
        select(Excerpt).where(
            Excerpt.source_id == target.source_id,
            Excerpt.start == target.start,
            Excerpt.end == target.end,
        )
    )
    if excerpt is None:
        raise InputError(f"{ref}: no coded excerpt covers exactly {target.start}-{target.end}")
    return excerpt


def set_example(
    session: Session, code: Code, excerpt: Excerpt | None, coder: Coder | None = None
) -> Code:
    """Choose the excerpt the appendix quotes for ``code`` (None: back to the default rule).

    The excerpt must carry a coding of that code (by any coder), so the appendix never quotes a
    passage the code was not applied to. Logged as ``code.example``; undo restores the old choice.
    """
    if excerpt is not None:
        if code.status != "active":
            raise InputError(f"code {code.name!r} is {code.status}: it is not printed")
        coded = session.scalar(
            select(func.count()).where(Coding.excerpt_id == excerpt.id, Coding.code_id == code.id)
        )
        if not coded:
            if not session.scalar(select(func.count()).where(Coding.code_id == code.id)):
                raise InputError(f"{code.name!r} has no codings: code an excerpt with it first")
            names = session.scalars(
                select(Code.name)
                .join(Coding, Coding.code_id == Code.id)
                .where(Coding.excerpt_id == excerpt.id)
                .distinct()
                .order_by(Code.name)
            ).all()
            its = f" (it is coded with {', '.join(map(repr, names))})" if names else " (not coded)"
            raise InputError(f"#{excerpt.id}: not coded with {code.name!r}{its}")
    old = {"example_excerpt_id": code.example_excerpt_id}
    new = {"example_excerpt_id": excerpt.id if excerpt is not None else None}
    code.example_excerpt_id = new["example_excerpt_id"]
    session.flush()
    events.log(session, "code.example", _coder_id(coder), code_id=code.id, old=old, new=new)
    return code


# --- inverses for undo / redo -------------------------------------------------------------


def _code_create_redo(session: Session, p: dict[str, Any]) -> None:
    session.add(
        Code(
            id=p["code_id"],
            guid=p["guid"],
            name=p["name"],
            definition=p["definition"],
            colour=p["colour"],
            parent_id=p["parent_id"],
            position=p["position"],
        )
    )
    session.flush()


def _code_create_undo(session: Session, p: dict[str, Any]) -> None:
    if session.scalar(select(func.count()).where(Coding.code_id == p["code_id"])):
        raise InputError(f"cannot undo creating {p['name']!r}: it has codings now")
    session.execute(delete(Code).where(Code.id == p["code_id"]))


def _code_fields(which: str):
    def handler(session: Session, p: dict[str, Any]) -> None:
        code = session.get(Code, p["code_id"])
        for field, value in p[which].items():
            setattr(code, field, value)
        session.flush()

    return handler


def _merge_undo(session: Session, p: dict[str, Any]) -> None:
    if p["moved"]:
        session.execute(
            update(Coding).where(Coding.guid.in_(p["moved"])).values(code_id=p["merged_id"])
        )
    for d in p["dropped"]:
        session.add(
            Coding(
                guid=d["guid"],
                excerpt_id=d["excerpt_id"],
                coder_id=d["coder_id"],
                memo=d["memo"],
                code_id=p["merged_id"],
            )
        )
    merged = session.get(Code, p["merged_id"])
    merged.status, merged.status_reason = p["old"]["status"], p["old"]["status_reason"]
    merged.merged_into_id = None
    session.flush()


def _merge_redo(session: Session, p: dict[str, Any]) -> None:
    if p["dropped"]:
        session.execute(delete(Coding).where(Coding.guid.in_([d["guid"] for d in p["dropped"]])))
    if p["moved"]:
        session.execute(
            update(Coding).where(Coding.guid.in_(p["moved"])).values(code_id=p["keep_id"])
        )
    merged = session.get(Code, p["merged_id"])
    merged.status, merged.merged_into_id, merged.status_reason = "merged", p["keep_id"], None
    session.flush()


def _theme_create_undo(session: Session, p: dict[str, Any]) -> None:
    session.execute(delete(Theme).where(Theme.id == p["theme_id"]))


def _theme_create_redo(session: Session, p: dict[str, Any]) -> None:
    session.add(
        Theme(
            id=p["theme_id"],
            guid=p["guid"],
            name=p["name"],
            description=p["description"],
            parent_id=p["parent_id"],
            position=p["position"],
        )
    )
    session.flush()


def _nest(which: str):
    def handler(session: Session, p: dict[str, Any]) -> None:
        session.get(Theme, p["theme_id"]).parent_id = p[which]
        session.flush()

    return handler


def _link_add(session: Session, p: dict[str, Any]) -> None:
    session.add(CodeTheme(code_id=p["code_id"], theme_id=p["theme_id"], position=p["position"]))
    session.flush()


def _link_remove(session: Session, p: dict[str, Any]) -> None:
    session.execute(
        delete(CodeTheme).where(
            CodeTheme.code_id == p["code_id"], CodeTheme.theme_id == p["theme_id"]
        )
    )


events.undoable("code.create", undo=_code_create_undo, redo=_code_create_redo)
events.undoable("code.update", undo=_code_fields("old"), redo=_code_fields("new"))
events.undoable("code.status", undo=_code_fields("old"), redo=_code_fields("new"))
events.undoable("code.example", undo=_code_fields("old"), redo=_code_fields("new"))
events.undoable("code.merge", undo=_merge_undo, redo=_merge_redo)
events.undoable("theme.create", undo=_theme_create_undo, redo=_theme_create_redo)
events.undoable("theme.nest", undo=_nest("old"), redo=_nest("new"))
events.undoable("theme.assign", undo=_link_remove, redo=_link_add)
events.undoable("theme.unassign", undo=_link_add, redo=_link_remove)
