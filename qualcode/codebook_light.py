"""``codebook import`` on a SQLite project with the standard library's sqlite3: no SQLAlchemy.

qualcode.codebook_apply decides what changes; :class:`SqliteStore` writes it as
qualcode.codebook's operations do through the ORM (the same rows, the same checks and one-line
errors, the same events with the same payloads, so undo is exact whichever path wrote them;
tests/test_codebook_light.py compares the two). It covers what a codebook file usually asks:
themes and sub-themes, codes, participants named by quotes, headings, theme links, exclusion,
and merged rows of a printed codebook.
A file that names a chosen example excerpt (an address to resolve) or merges a code that has
codings (they move), a URL, or a
project at another schema revision than the inserts were compiled for (qualcode/data/
coding_sql.json, through qualcode.light_rows) returns None: the caller then takes the ORM path.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode import codebook_apply, events, project_file
from qualcode.codebook_data import HEADING_MEMO, Codebook, ImportSummary
from qualcode.errors import InputError
from qualcode.light_rows import Runner
from qualcode.names import collision_message, fold
from qualcode.row_defaults import utcnow


class NotLight(Exception):
    """The file asks for something only the ORM path does (a merge, an excerpt to resolve)."""


@dataclass
class ThemeRow:
    id: int
    name: str
    parent_id: int | None
    description: str | None


@dataclass
class ParticipantRow:
    id: int
    pseudonym: str


@dataclass
class CodeRow:
    id: int
    name: str
    status: str
    status_reason: str | None
    definition: str | None
    colour: str | None
    parent_id: int | None
    reported_count: int | None
    example_quote: str | None
    example_participant_id: int | None
    example_excerpt_id: int | None
    reconstructed: bool
    provenance: str | None


CODE_COLUMNS = (
    "id", "name", "status", "status_reason", "definition", "colour", "parent_id",
    "reported_count", "example_quote", "example_participant_id", "example_excerpt_id",
    "reconstructed", "provenance",
)  # fmt: skip
CODE_SELECT = f"SELECT {', '.join(CODE_COLUMNS)} FROM codes"


def _code(row: tuple[Any, ...]) -> CodeRow:
    code = CodeRow(*row)
    code.reconstructed = bool(code.reconstructed)  # stored 0/1; the ORM (and the log) say bool
    return code


class SqliteStore:
    """The writes of a codebook import on one sqlite3 connection inside one transaction."""

    def __init__(self, run: Runner) -> None:
        self.run = run
        self.conn = run.conn

    def _one(self, sql: str, *params: Any) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def _log(self, action: events.Action[Any], payload: Any) -> None:
        self.run.log(action, None, payload)  # an import's events name no coder

    def _next_position(self, table: str) -> int:
        return int(self._one(f"SELECT max(position) FROM {table}") or 0) + 1

    def _check_free(self, table: str, name: str, kind: str, keep: int | None = None) -> str:
        found = self.conn.execute(
            f"SELECT id, name FROM {table} WHERE name_key = ?", (fold(name),)
        ).fetchone()
        if found is not None and found[0] != keep:
            raise InputError(collision_message(kind, name, found[1]))
        return name.strip()

    # --- themes -------------------------------------------------------------------------

    def find_theme(self, name: str) -> ThemeRow | None:
        typed = name.strip()
        rows = [
            ThemeRow(*r)
            for r in self.conn.execute(
                "SELECT id, name, parent_id, description FROM themes "
                "WHERE name_key = ? OR name = ? LIMIT 2",
                (fold(typed), typed),
            )
        ]
        exact = [r for r in rows if r.name == typed]
        return exact[0] if exact else (rows[0] if rows else None)

    def create_theme(self, name: str, parent: ThemeRow | None) -> ThemeRow:
        name = name.strip()
        if not name:
            raise InputError("a theme needs a name")
        self._check_free("themes", name, "theme")
        position, parent_id = self._next_position("themes"), parent.id if parent else None
        row = self.run.insert("themes", name=name, parent_id=parent_id, position=position)
        self._log(
            events.THEME_CREATE,
            {"theme_id": row["id"], "guid": row["guid"], "name": name, "description": None,
             "parent_id": parent_id, "position": position},
        )  # fmt: skip
        return ThemeRow(row["id"], name, parent_id, None)

    def nest_theme(self, theme: ThemeRow, parent: ThemeRow | None) -> None:
        ancestor = parent.id if parent else None
        while ancestor is not None:
            if ancestor == theme.id:
                raise InputError(f"theme {theme.name!r} cannot be nested under itself")
            ancestor = self._one("SELECT parent_id FROM themes WHERE id = ?", ancestor)
        old, theme.parent_id = theme.parent_id, parent.id if parent else None
        update = "UPDATE themes SET parent_id = ? WHERE id = ?"
        self.conn.execute(update, (theme.parent_id, theme.id))
        self._log(events.THEME_NEST, {"theme_id": theme.id, "old": old, "new": theme.parent_id})

    def update_theme(self, theme: ThemeRow, **changes: Any) -> None:
        (field,) = changes  # an import changes a theme's description only
        assert field == "description"
        old = {field: theme.description}
        theme.description = changes[field]
        self.conn.execute(
            "UPDATE themes SET description = ? WHERE id = ?", (theme.description, theme.id)
        )
        self._log(events.THEME_UPDATE, {"theme_id": theme.id, "old": old, "new": changes})

    def set_heading(self, theme: ThemeRow, heading: str | None) -> None:
        memo = self.conn.execute(
            "SELECT id, body FROM memos WHERE theme_id = ? AND title = ?", (theme.id, HEADING_MEMO)
        ).fetchone()
        old = memo[1] if memo is not None else None
        if old == heading:
            return
        if heading is None:
            self.conn.execute("DELETE FROM memos WHERE id = ?", (memo[0],))
        elif memo is None:
            self.run.insert("memos", title=HEADING_MEMO, body=heading, theme_id=theme.id)
        else:  # the memo's updated_at moves, as the ORM's onupdate moves it
            update = "UPDATE memos SET body = ?, updated_at = ? WHERE id = ?"
            self.conn.execute(update, (heading, self.run.stamp(utcnow()), memo[0]))
        self._log(events.THEME_HEADING, {"theme_id": theme.id, "old": old, "new": heading})

    # --- participants and codes ------------------------------------------------------------

    def participants(self) -> dict[str, ParticipantRow]:
        rows = self.conn.execute("SELECT id, pseudonym FROM participants")
        return {fold(p.pseudonym): p for p in (ParticipantRow(*r) for r in rows)}

    def create_participant(self, pseudonym: str, position: int) -> ParticipantRow:
        row = self.run.insert("participants", pseudonym=pseudonym, position=position)
        self._log(
            events.PARTICIPANT_CREATE,
            {"participant_id": row["id"], "guid": row["guid"], "pseudonym": pseudonym,
             "position": position},
        )  # fmt: skip
        return ParticipantRow(row["id"], pseudonym)

    def codes(self) -> dict[str, CodeRow]:
        return {fold(c.name): c for c in map(_code, self.conn.execute(CODE_SELECT))}

    def create_code(self, name: str, definition: str | None, colour: str | None) -> CodeRow:
        name = name.strip()
        if not name:
            raise InputError("a code needs a name")
        name = self._check_free("codes", name, "code")
        position = self._next_position("codes")
        row = self.run.insert(
            "codes", name=name, definition=definition, colour=colour, position=position
        )
        self._log(
            events.CODE_CREATE,
            events.code_created(
                code_id=row["id"], guid=row["guid"], name=name, definition=definition,
                colour=colour, parent_id=None, position=position,
            ),
        )  # fmt: skip
        return _code(tuple(row[c] for c in CODE_COLUMNS))

    def update_code(self, code: CodeRow, **changes: Any) -> None:
        if "name" in changes:
            name = changes["name"].strip()
            if not name:
                raise InputError("a code needs a name")
            changes["name"] = self._check_free("codes", name, "code", keep=code.id)
        old = {field: getattr(code, field) for field in changes}
        for field, value in changes.items():
            setattr(code, field, value)
        columns = {f: (int(v) if f == "reconstructed" else v) for f, v in changes.items()}
        if "name" in changes:
            columns["name_key"] = fold(changes["name"])
        sets = ", ".join(f"{c} = ?" for c in columns)
        self.conn.execute(f"UPDATE codes SET {sets} WHERE id = ?", (*columns.values(), code.id))
        self._log(events.CODE_UPDATE, {"code_id": code.id, "old": old, "new": changes})

    def chosen_excerpt(self, code: CodeRow, address: str | None) -> int | None:
        if address is not None:
            raise NotLight("an example excerpt's address")
        return None

    # --- links and status -------------------------------------------------------------------

    def theme_ids(self, code: CodeRow) -> list[int]:
        rows = self.conn.execute("SELECT theme_id FROM code_themes WHERE code_id = ?", (code.id,))
        return [r[0] for r in rows]

    def assign(self, code: CodeRow, theme: ThemeRow) -> None:
        position = (
            self._one("SELECT max(position) FROM code_themes WHERE theme_id = ?", theme.id) or 0
        ) + 1
        self.run.insert("code_themes", code_id=code.id, theme_id=theme.id, position=position)
        self._log(
            events.THEME_ASSIGN, {"code_id": code.id, "theme_id": theme.id, "position": position}
        )

    def unassign(self, code: CodeRow, theme_id: int) -> None:
        where = "WHERE code_id = ? AND theme_id = ?"
        position = self._one(f"SELECT position FROM code_themes {where}", code.id, theme_id)
        self.conn.execute(f"DELETE FROM code_themes {where}", (code.id, theme_id))
        link = {"code_id": code.id, "theme_id": theme_id, "position": position}
        self._log(events.THEME_UNASSIGN, link)

    def merge(self, keep: CodeRow, merged: CodeRow) -> None:
        """As qualcode.codebook.merge_codes for a code without codings (a printed codebook's
        merged row, new in the project): nothing moves. Codings to move: the ORM path."""
        codebook_apply.check_merge(keep, merged)
        if self._one("SELECT count(*) FROM codings WHERE code_id = ?", merged.id):
            raise NotLight("codings to move")
        old = {"status": merged.status, "status_reason": merged.status_reason}
        merged.status, merged.status_reason = "merged", None
        update = "UPDATE codes SET status = ?, merged_into_id = ?, status_reason = ? WHERE id = ?"
        self.conn.execute(update, ("merged", keep.id, None, merged.id))
        self._log(
            events.CODE_MERGE,
            {"keep_id": keep.id, "merged_id": merged.id, "moved": [], "dropped": [], "old": old},
        )

    def _set_status(self, code: CodeRow, status: str, reason: str | None) -> None:
        old = {"status": code.status, "status_reason": code.status_reason}
        code.status, code.status_reason = status, reason
        self.conn.execute(
            "UPDATE codes SET status = ?, status_reason = ? WHERE id = ?", (status, reason, code.id)
        )
        self._log(
            events.CODE_STATUS,
            {"code_id": code.id, "old": old, "new": {"status": status, "status_reason": reason}},
        )

    def exclude(self, code: CodeRow, reason: str) -> None:
        self._set_status(code, "excluded", codebook_apply.checked_reason(code, reason))

    def include(self, code: CodeRow) -> None:
        if code.status != "excluded":
            raise InputError(f"{code.name!r} is {code.status}, not excluded")
        self._set_status(code, "active", None)

    def log_import(self, label: str, summary: str) -> None:
        self._log(events.Action("codebook.import"), {"file": label, "summary": summary})


def import_book(db: str, book: Codebook, label: str) -> ImportSummary | None:
    """Write ``book`` into the SQLite project ``db`` in one transaction, or return None (nothing
    written) when the light path does not apply; a bad book leaves the project untouched."""
    if "://" in db:
        return None
    path = Path(db).expanduser()
    if not path.is_file() or path.stat().st_size == 0:
        return None  # the ORM path says what is wrong with it
    project_file.check_sqlite_file(path, project_file.display_name(db))
    if any(c.excerpt is not None for c in book.codes):
        return None  # an address to resolve: the ORM path
    from qualcode.coding_plans import load_plans

    plans = load_plans()
    try:
        with project_file.write_transaction(path) as conn:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            if found != [(plans["revision"],)]:
                raise NotLight("another schema revision")
            return codebook_apply.apply(SqliteStore(Runner(conn, plans)), book, label)
    except NotLight:
        return None
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None  # not a project: the ORM path refuses it in its words
        raise
