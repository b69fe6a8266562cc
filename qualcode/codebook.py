"""Shaping the codebook: codes and themes created, renamed, merged, excluded and grouped.

Merged and excluded codes stay in the database with their status, so the audit trail (and the
funnel of applications -> unique codes -> codes used) can account for them. Every operation logs an
event with its inverse, which is how the TUI offers undo and redo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from qualcode import events, lookup
from qualcode.codebook_apply import check_merge, checked_reason
from qualcode.errors import InputError
from qualcode.models import Code, Coder, CodeTheme, Coding, Excerpt, Theme
from qualcode.names import sort_key

CODE_FIELDS = (
    "name",
    "definition",
    "colour",
    "parent_id",
    "reported_count",
    "example_quote",
    "example_participant_id",
    "example_excerpt_id",
    "reconstructed",
    "provenance",
)
THEME_FIELDS = ("name", "description")


def _coder_id(coder: Coder | None) -> int | None:
    return coder.id if coder is not None else None


def _check_name_free(session: Session, name: str, keep: Code | None = None) -> str:
    name = name.strip()
    if not name:
        raise InputError("a code needs a name")
    return lookup.check_free(session, Code, name, "code", keep)


def _next_position(session: Session, column: InstrumentedAttribute[int]) -> int:
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
    events.CODE_CREATE.log(
        session,
        _coder_id(coder),
        events.code_created(
            code_id=code.id,
            guid=code.guid,
            name=code.name,
            definition=definition,
            colour=colour,
            parent_id=code.parent_id,
            position=code.position,
        ),
    )
    return code


def find_or_create_code(
    session: Session, name: str, coder: Coder | None = None
) -> tuple[Code, bool]:
    """The code of that name, or a new one (True): the one find-or-create every path shares.

    Under PostgreSQL's read committed, another session may commit the same name between the
    look-up and the insert; the name check then sees it, and that code is used. (A commit that
    lands after the check fails the unique index instead: ``db.race_safe`` retries that.)
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
    """Rename, define, recolour or re-parent a code, or set what a printed codebook says of it
    (any of ``CODE_FIELDS``)."""
    unknown = set(changes) - set(CODE_FIELDS)
    if unknown:
        raise InputError(f"cannot change {', '.join(sorted(unknown))} of a code")
    if "name" in changes:
        changes["name"] = _check_name_free(session, changes["name"], keep=code)
    old = {field: getattr(code, field) for field in changes}
    for field, value in changes.items():
        setattr(code, field, value)
    session.flush()
    events.CODE_UPDATE.log(
        session, _coder_id(coder), {"code_id": code.id, "old": old, "new": changes}
    )
    return code


def rename_code(session: Session, code: Code, new_name: str, coder: Coder | None = None) -> Code:
    return update_code(session, code, coder, name=new_name)


def merge_codes(session: Session, keep: Code, merged: Code, coder: Coder | None = None) -> int:
    """Move the codings of ``merged`` to ``keep``; ``merged`` stays, marked merged into ``keep``.

    A coding that ``keep`` already has on the same excerpt by the same coder is not doubled: it is
    removed (and restored on undo). Returns the number of codings that moved.
    """
    check_merge(keep, merged)
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
    dropped: list[events.DroppedCoding] = [
        {
            "guid": c.guid,
            "excerpt_id": c.excerpt_id,
            "coder_id": c.coder_id,
            "memo": c.memo,
            "id": c.id,
            "created_at": events.stamp(c.created_at),
        }
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
    events.CODE_MERGE.log(
        session,
        _coder_id(coder),
        {
            "keep_id": keep.id,
            "merged_id": merged.id,
            "moved": list(moved),
            "dropped": dropped,
            "old": old_status,
        },
    )
    return len(moved)


def exclude_code(session: Session, code: Code, reason: str, coder: Coder | None = None) -> Code:
    """Leave a code out of the analysis (its codings stay, reports skip it), with a reason."""
    return _set_status(session, code, "excluded", checked_reason(code, reason), coder)


def include_code(session: Session, code: Code, coder: Coder | None = None) -> Code:
    if code.status != "excluded":
        raise InputError(f"{code.name!r} is {code.status}, not excluded")
    return _set_status(session, code, "active", None, coder)


def _set_status(
    session: Session, code: Code, status: str, reason: str | None, coder: Coder | None
) -> Code:
    old = {"status": code.status, "status_reason": code.status_reason}
    code.status, code.status_reason = status, reason
    session.flush()
    events.CODE_STATUS.log(
        session,
        _coder_id(coder),
        {"code_id": code.id, "old": old, "new": {"status": status, "status_reason": reason}},
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
    lookup.check_free(session, Theme, name, "theme")
    theme = Theme(
        name=name,
        description=description,
        parent_id=parent.id if parent else None,
        position=_next_position(session, Theme.position),
    )
    session.add(theme)
    session.flush()
    events.THEME_CREATE.log(
        session,
        _coder_id(coder),
        {
            "theme_id": theme.id,
            "guid": theme.guid,
            "name": name,
            "description": description,
            "parent_id": theme.parent_id,
            "position": theme.position,
        },
    )
    return theme


def update_theme(
    session: Session, theme: Theme, coder: Coder | None = None, **changes: Any
) -> Theme:
    """Rename or describe a theme (any of ``THEME_FIELDS``)."""
    unknown = set(changes) - set(THEME_FIELDS)
    if unknown:
        raise InputError(f"cannot change {', '.join(sorted(unknown))} of a theme")
    if "name" in changes:
        name = changes["name"] = str(changes["name"]).strip()
        found = lookup.find_theme(session, name)
        if not name or (found is not None and found is not theme):
            raise InputError(f"a theme named {name!r} exists already" if name else "no name")
    old = {field: getattr(theme, field) for field in changes}
    for field, value in changes.items():
        setattr(theme, field, value)
    session.flush()
    events.THEME_UPDATE.log(
        session, _coder_id(coder), {"theme_id": theme.id, "old": old, "new": changes}
    )
    return theme


def nest_theme(
    session: Session, theme: Theme, parent: Theme | None, coder: Coder | None = None
) -> Theme:
    """Make ``theme`` a sub-theme of ``parent`` (or a main theme with None); no cycles."""
    ancestor = parent
    while ancestor is not None:
        if ancestor.id == theme.id:
            raise InputError(f"theme {theme.name!r} cannot be nested under itself")
        ancestor = ancestor.parent
    old = theme.parent_id
    theme.parent_id = parent.id if parent else None
    session.flush()
    events.THEME_NEST.log(
        session, _coder_id(coder), {"theme_id": theme.id, "old": old, "new": theme.parent_id}
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
    events.THEME_ASSIGN.log(
        session, _coder_id(coder), {"code_id": code.id, "theme_id": theme.id, "position": position}
    )
    return True


def unassign_code(session: Session, code: Code, theme: Theme, coder: Coder | None = None) -> bool:
    link = session.get(CodeTheme, (code.id, theme.id))
    if link is None:
        return False
    position = link.position
    session.delete(link)
    session.flush()
    events.THEME_UNASSIGN.log(
        session, _coder_id(coder), {"code_id": code.id, "theme_id": theme.id, "position": position}
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
            ).all()
            names = sorted(names, key=sort_key)
            its = f" (it is coded with {', '.join(map(repr, names))})" if names else " (not coded)"
            raise InputError(f"#{excerpt.id}: not coded with {code.name!r}{its}")
    old = {"example_excerpt_id": code.example_excerpt_id}
    new = {"example_excerpt_id": excerpt.id if excerpt is not None else None}
    code.example_excerpt_id = new["example_excerpt_id"]
    session.flush()
    events.CODE_EXAMPLE.log(session, _coder_id(coder), {"code_id": code.id, "old": old, "new": new})
    return code


# --- inverses for undo / redo -------------------------------------------------------------


def _code_create_redo(session: Session, p: events.CodeCreated) -> None:
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


def _code_create_undo(session: Session, p: events.CodeCreated) -> None:
    if session.scalar(select(func.count()).where(Coding.code_id == p["code_id"])):
        raise InputError(f"cannot undo creating {p['name']!r}: it has codings now")
    session.execute(delete(Code).where(Code.id == p["code_id"]))


FieldHandler = Callable[[Session, events.FieldChange], None]


def _fields(model: type[Code] | type[Theme], which: Literal["old", "new"]) -> FieldHandler:
    def handler(session: Session, p: events.FieldChange) -> None:
        row_id = p.get("code_id") if model is Code else p.get("theme_id")
        row = session.get(model, row_id) if row_id is not None else None
        if row is None:
            raise InputError(f"cannot undo: {model.__tablename__[:-1]} #{row_id} is gone")
        for field, value in p[which].items():
            setattr(row, field, value)
        session.flush()

    return handler


def _merge_undo(session: Session, p: events.CodeMerged) -> None:
    if p["moved"]:
        session.execute(
            update(Coding).where(Coding.guid.in_(p["moved"])).values(code_id=p["merged_id"])
        )
    for d in p["dropped"]:
        coding = Coding(
            guid=d["guid"],
            excerpt_id=d["excerpt_id"],
            coder_id=d["coder_id"],
            memo=d["memo"],
            code_id=p["merged_id"],
        )
        if "id" in d:
            coding.id = d["id"]
            events.restore_stamp(coding, d.get("created_at"))
        session.add(coding)
    merged = session.get(Code, p["merged_id"])
    assert merged is not None  # the foreign key of its codings keeps it
    merged.status, merged.status_reason = p["old"]["status"], p["old"]["status_reason"]
    merged.merged_into_id = None
    session.flush()


def _merge_redo(session: Session, p: events.CodeMerged) -> None:
    if p["dropped"]:
        session.execute(delete(Coding).where(Coding.guid.in_([d["guid"] for d in p["dropped"]])))
    if p["moved"]:
        session.execute(
            update(Coding).where(Coding.guid.in_(p["moved"])).values(code_id=p["keep_id"])
        )
    merged = session.get(Code, p["merged_id"])
    assert merged is not None
    merged.status, merged.merged_into_id, merged.status_reason = "merged", p["keep_id"], None
    session.flush()


def _theme_create_undo(session: Session, p: events.ThemeCreated) -> None:
    session.execute(delete(Theme).where(Theme.id == p["theme_id"]))


def _theme_create_redo(session: Session, p: events.ThemeCreated) -> None:
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


def _nest(which: Literal["old", "new"]) -> Callable[[Session, events.ThemeNested], None]:
    def handler(session: Session, p: events.ThemeNested) -> None:
        theme = session.get(Theme, p["theme_id"])
        if theme is None:
            raise InputError(f"cannot undo: theme #{p['theme_id']} is gone")
        theme.parent_id = p[which]
        session.flush()

    return handler


def _link_add(session: Session, p: events.ThemeLink) -> None:
    session.add(CodeTheme(code_id=p["code_id"], theme_id=p["theme_id"], position=p["position"]))
    session.flush()


def _link_remove(session: Session, p: events.ThemeLink) -> None:
    session.execute(
        delete(CodeTheme).where(
            CodeTheme.code_id == p["code_id"], CodeTheme.theme_id == p["theme_id"]
        )
    )


events.undoable(events.CODE_CREATE, undo=_code_create_undo, redo=_code_create_redo)
events.undoable(events.CODE_UPDATE, undo=_fields(Code, "old"), redo=_fields(Code, "new"))
events.undoable(events.CODE_STATUS, undo=_fields(Code, "old"), redo=_fields(Code, "new"))
events.undoable(events.CODE_EXAMPLE, undo=_fields(Code, "old"), redo=_fields(Code, "new"))
events.undoable(events.CODE_MERGE, undo=_merge_undo, redo=_merge_redo)
events.undoable(events.THEME_CREATE, undo=_theme_create_undo, redo=_theme_create_redo)
events.undoable(events.THEME_UPDATE, undo=_fields(Theme, "old"), redo=_fields(Theme, "new"))
events.undoable(events.THEME_NEST, undo=_nest("old"), redo=_nest("new"))
events.undoable(events.THEME_ASSIGN, undo=_link_remove, redo=_link_add)
events.undoable(events.THEME_UNASSIGN, undo=_link_add, redo=_link_remove)
