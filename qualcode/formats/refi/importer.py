"""Storing what a REFI-QDA file holds into a project: merge by GUID, then by name, in bulk.

One transaction per file: the whole import lands or nothing does. Rows are written set-wise
(``session.execute(insert(Model), rows)``) because a project from another tool can hold hundreds of
thousands of codings; ids of the new rows are read back in one query per table.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from qualcode import events, lookup
from qualcode.formats.refi import schema as S
from qualcode.formats.refi.reader import RDocument, RSource, RUser
from qualcode.models import (
    SOURCE_KINDS,
    Code,
    Coder,
    CodeTheme,
    Coding,
    Excerpt,
    Memo,
    Participant,
    ParticipantAttribute,
    Source,
    Theme,
    new_guid,
    utcnow,
)

KINDS = (
    "coders",
    "codes",
    "themes",
    "theme links",
    "participants",
    "sources",
    "excerpts",
    "codings",
    "memos",
)


@dataclass
class ImportSummary:
    """What an import added, merged with what the project had, skipped; and its warnings."""

    file: str
    added: Counter[str] = field(default_factory=Counter)
    merged: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @staticmethod
    def _phrase(counts: Counter[str]) -> str:
        parts = [f"{counts[k]} {k}" for k in KINDS if counts.get(k)]
        parts += [f"{v} {k}" for k, v in sorted(counts.items()) if k not in KINDS and v]
        return ", ".join(parts) or "nothing"

    def __str__(self) -> str:
        """One line (for callers that print a summary as text), warnings included."""
        parts = [f"added {self._phrase(self.added)}"]
        if self.merged:
            parts.append(f"merged with existing {self._phrase(self.merged)}")
        if self.skipped:
            parts.append(f"skipped {self._phrase(self.skipped)}")
        parts += [f"warning: {w}" for w in self.warnings]
        return "; ".join(parts)

    def lines(self) -> list[str]:
        """Human lines for the CLI: added, merged, skipped (warnings are separate)."""
        out = [f"{self.file}: added {self._phrase(self.added)}"]
        if self.merged:
            out.append(f"merged with existing: {self._phrase(self.merged)}")
        if self.skipped:
            out.append(f"skipped: {self._phrase(self.skipped)}")
        return out


def _bulk(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows with the driver's executemany, values bound by SQLAlchemy's own processors.

    Hundreds of thousands of codings are the normal case for a project from another tool; going
    through the ORM (or even Core's per-row parameter handling) costs more than the database
    does. The statement is still compiled by SQLAlchemy for the dialect (quoting, placeholders).
    """
    if not rows:
        return
    conn = session.connection()
    table = model.__table__
    columns = list(rows[0])
    if conn.dialect.name == "postgresql":
        _copy(conn, table, columns, rows)
        return
    compiled = (
        insert(table).values({c: bindparam(c) for c in columns}).compile(dialect=conn.dialect)
    )
    order = list(compiled.positiontup) if compiled.positional else columns
    # Column-wise: each value processor (e.g. SQLite's datetime to text) runs once per distinct
    # value, and zip() builds the parameter tuples in C.
    values = []
    for name in order:
        column = [row.get(name) for row in rows]
        process = table.c[name].type._cached_bind_processor(conn.dialect)
        if process is not None:
            cached = functools.lru_cache(maxsize=1 << 16)(process)
            column = [None if v is None else cached(v) for v in column]
        values.append(column)
    params: list[Any] = list(zip(*values, strict=True))
    if not compiled.positional:
        params = [dict(zip(order, p, strict=True)) for p in params]
    sql = str(compiled)
    for i in range(0, len(params), 50_000):
        conn.exec_driver_sql(sql, params[i : i + 50_000])


def _copy(conn: Any, table: Any, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's own bulk path: COPY ... FROM STDIN on the session's connection (and so in
    its transaction); psycopg adapts the Python values."""
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    raw = conn.connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as cp,
    ):
        for row in rows:
            cp.write_row([row.get(c) for c in columns])


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert rows in bulk; the new rows' ids by GUID (read back in one query)."""
    if not rows:
        return {}
    before = session.scalar(select(func.coalesce(func.max(model.id), 0)))
    _bulk(session, model, rows)
    wanted = {row["guid"] for row in rows}
    return {
        guid: id_
        for id_, guid in session.execute(select(model.id, model.guid).where(model.id > before))
        if guid in wanted
    }


def _free_name(name: str, taken: set[str], hint: str | None) -> str:
    candidates = [f"{name} ({hint})"] if hint else []
    candidates += [f"{name} ({n})" for n in range(2, 10_000)]
    for candidate in candidates:
        if candidate.lower() not in taken:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


class _Store:
    def __init__(self, session: Session, doc: RDocument, summary: ImportSummary) -> None:
        self.s = session
        self.doc = doc
        self.summary = summary
        self.now = utcnow()
        self.users: dict[str, int] = {}
        self.codes: dict[str, int] = {}
        self.themes: dict[str, int] = {}
        self.participants: dict[str, int] = {}
        self.sources: dict[str, int] = {}
        self.new_sources: set[int] = set()
        self.excerpts: dict[str, int] = {}
        self.notes_used: set[str] = set()
        self.code_extra: dict[int, dict[str, Any]] = {}
        self._unknown_coder: int | None = None

    def warn(self, message: str) -> None:
        self.summary.warnings.append(message)

    # --- coders ----------------------------------------------------------------------------

    def coders(self) -> None:
        known = {u.guid for u in self.doc.users}
        missing: set[str] = set()
        for source in self.doc.sources:
            for sel in source.selections:
                missing.update(c.user for c in sel.codings if c.user and c.user not in known)
        missing.update(n.user for n in self.doc.notes if n.user and n.user not in known)
        if missing:
            self.warn(f"{len(missing)} user GUID(s) used but not listed under Users; named by GUID")
        users = self.doc.users + [RUser(g, None, None) for g in sorted(missing)]
        rows = self.s.execute(select(Coder.id, Coder.guid, Coder.name)).all()
        by_guid = {r.guid: r.id for r in rows}
        by_name = {r.name.lower(): r.id for r in rows}
        pending: dict[str, str] = {}
        new: list[dict[str, Any]] = []
        alias: dict[str, str] = {}
        for user in users:
            name = (user.name or user.initials or f"user {user.guid[:8]}").strip()[:200]
            if user.guid in by_guid:
                self.users[user.guid] = by_guid[user.guid]
                self.summary.merged["coders"] += 1
            elif name.lower() in by_name:
                self.users[user.guid] = by_name[name.lower()]
                self.summary.merged["coders"] += 1
            elif name.lower() in pending:
                alias[user.guid] = pending[name.lower()]
            else:
                pending[name.lower()] = user.guid
                initials = (user.initials if user.name else None) or None
                new.append(
                    {
                        "guid": user.guid,
                        "name": name,
                        "initials": initials[:20] if initials else None,
                        "created_at": self.now,
                    }
                )
        self.users.update(_insert(self.s, Coder, new))
        for guid, target in alias.items():
            self.users[guid] = self.users[target]
        self.summary.added["coders"] += len(new)

    def unknown_coder(self) -> int:
        if self._unknown_coder is None:
            before = self.s.scalar(select(func.count()).select_from(Coder))
            self._unknown_coder = lookup.coder(self.s, S.UNKNOWN_CODER).id
            if self.s.scalar(select(func.count()).select_from(Coder)) != before:
                self.summary.added["coders"] += 1
        return self._unknown_coder

    # --- codes -----------------------------------------------------------------------------

    def codes_(self) -> None:
        rows = self.s.execute(select(Code.id, Code.guid, Code.name)).all()
        by_guid = {r.guid: r.id for r in rows}
        by_name = {r.name.lower(): r.id for r in rows}
        taken = set(by_name)
        names: dict[str, str] = {}
        new: list[dict[str, Any]] = []
        parents: dict[str, str] = {}
        for code in self.doc.codes:
            names[code.guid] = code.name
            if code.guid in by_guid:
                self.codes[code.guid] = by_guid[code.guid]
                self.summary.merged["codes"] += 1
                continue
            name = code.name[:300]
            if not name:
                name = f"code {code.guid[:8]}"
                self.warn(f"a code without a name (guid {code.guid}) was named {name!r}")
            if name.lower() in by_name:
                self.codes[code.guid] = by_name[name.lower()]
                self.summary.merged["codes"] += 1
                continue
            if name.lower() in taken:
                renamed = _free_name(name, taken, names.get(code.parent or ""))
                self.warn(f"code {name!r} appears twice in the file; the second became {renamed!r}")
                name = renamed
            taken.add(name.lower())
            extra = code.extra
            count = extra.get("reported_count")
            new.append(
                {
                    "guid": code.guid,
                    "name": name,
                    "definition": code.description,
                    "colour": code.colour,
                    "parent_id": None,
                    "status": "excluded" if extra.get("status") == "excluded" else "active",
                    "status_reason": extra.get("reason"),
                    "reported_count": count if isinstance(count, int) and count >= 0 else None,
                    "example_quote": extra.get("example_quote"),
                    "reconstructed": bool(extra.get("reconstructed", False)),
                    "provenance": extra.get("provenance"),
                    "position": code.position,
                    "created_at": self.now,
                }
            )
            if code.parent:
                parents[code.guid] = code.parent
        ids = _insert(self.s, Code, new)
        self.codes.update(ids)
        self.summary.added["codes"] += len(new)
        for code in self.doc.codes:
            if code.guid in ids:
                self.code_extra[ids[code.guid]] = {
                    "parent": parents.get(code.guid),
                    **{k: code.extra[k] for k in ("status", "reason") if k in code.extra},
                    **{
                        k: code.extra[k]
                        for k in ("merged_into", "example_participant", "example_excerpt")
                        if code.extra.get(k)
                    },
                }

    def code_links(self) -> None:
        """Parents, merge targets and example references, once every row they name exists."""
        updates = []
        merged = 0
        for code_id, extra in self.code_extra.items():
            row: dict[str, Any] = {"id": code_id}
            if extra.get("parent"):
                row["parent_id"] = self.codes.get(extra["parent"])
            target = self.codes.get(extra.get("merged_into") or "")
            if extra.get("status") == "merged":
                if target is not None and target != code_id:
                    row["status"], row["merged_into_id"] = "merged", target
                    merged += 1
                else:
                    self.warn(f"code #{code_id}: merged into a code not in the file; kept active")
            if extra.get("example_participant"):
                row["example_participant_id"] = self._participant(str(extra["example_participant"]))
            if extra.get("example_excerpt"):
                row["example_excerpt_id"] = self.excerpts.get(
                    extra["example_excerpt"]
                ) or self._by_guid(Excerpt, extra["example_excerpt"])
            if len(row) > 1:
                updates.append(row)
        for keys in {tuple(sorted(r)) for r in updates}:
            batch = [r for r in updates if tuple(sorted(r)) == keys]
            self.s.execute(update(Code), batch)

    def _participant(self, pseudonym: str) -> int:
        """A code's example participant by pseudonym, created if new (as codebook files do)."""
        pseudonym = pseudonym.strip()[:200]
        found = self.s.scalar(
            select(Participant.id).where(func.lower(Participant.pseudonym) == pseudonym.lower())
        )
        if found is None:
            position = (self.s.scalar(select(func.max(Participant.position))) or 0) + 1
            found = _insert(
                self.s,
                Participant,
                [
                    {
                        "guid": new_guid(),
                        "pseudonym": pseudonym,
                        "position": position,
                        "created_at": self.now,
                    }
                ],
            ).popitem()[1]
            self.summary.added["participants"] += 1
        return found

    def _by_guid(self, model: Any, guid: str) -> int | None:
        return self.s.scalar(select(model.id).where(model.guid == guid))

    # --- themes ----------------------------------------------------------------------------

    def themes_(self) -> None:
        rows = self.s.execute(select(Theme.id, Theme.guid, Theme.name)).all()
        by_guid = {r.guid: r.id for r in rows}
        by_name = {r.name.lower(): r.id for r in rows}
        taken = set(by_name)
        new: list[dict[str, Any]] = []
        parents: dict[str, str] = {}
        sibling: Counter[str | None] = Counter()
        kept = []
        for item in self.doc.sets:
            if not item.codes and item.sources:
                self.warn(
                    f"set {item.name!r} groups sources, not codes (qualcode has no source "
                    "groups); skipped"
                )
                self.summary.skipped["sets of sources"] += 1
                continue
            if item.sources:
                self.warn(f"set {item.name!r}: its {item.sources} member source(s) ignored")
            kept.append(item)
            if item.guid in by_guid:
                self.themes[item.guid] = by_guid[item.guid]
                self.summary.merged["themes"] += 1
                continue
            name = str(item.extra.get("name") or item.name or f"theme {item.guid[:8]}")[:300]
            if name.lower() in by_name:
                self.themes[item.guid] = by_name[name.lower()]
                self.summary.merged["themes"] += 1
                continue
            if name.lower() in taken:
                renamed = _free_name(name, taken, None)
                self.warn(f"set {name!r} appears twice in the file; the second became {renamed!r}")
                name = renamed
            taken.add(name.lower())
            parent = S.normal_guid(item.extra.get("parent"))
            if parent:
                parents[item.guid] = parent
            new.append(
                {
                    "guid": item.guid,
                    "name": name,
                    "description": item.description,
                    "parent_id": None,
                    "position": sibling[parent],
                    "created_at": self.now,
                }
            )
            sibling[parent] += 1
        ids = _insert(self.s, Theme, new)
        self.themes.update(ids)
        self.summary.added["themes"] += len(new)
        nest = [
            {"id": ids[g], "parent_id": self.themes[p]}
            for g, p in parents.items()
            if p in self.themes and self.themes[p] != ids[g]
        ]
        if nest:
            self.s.execute(update(Theme), nest)
        existing = {tuple(r) for r in self.s.execute(select(CodeTheme.code_id, CodeTheme.theme_id))}
        links = []
        unknown = 0
        for item in kept:
            theme_id = self.themes[item.guid]
            for position, code_guid in enumerate(item.codes):
                code_id = self.codes.get(code_guid)
                if code_id is None:
                    unknown += 1
                    continue
                if (code_id, theme_id) in existing:
                    continue
                existing.add((code_id, theme_id))
                links.append({"code_id": code_id, "theme_id": theme_id, "position": position})
        if unknown:
            self.warn(f"{unknown} set member(s) name codes not in the file; skipped")
        if links:
            _bulk(self.s, CodeTheme, links)
        self.summary.added["theme links"] += len(links)

    # --- participants ----------------------------------------------------------------------

    def participants_(self) -> None:
        from qualcode.participants import parse_date

        rows = self.s.execute(select(Participant.id, Participant.guid, Participant.pseudonym)).all()
        by_guid = {r.guid: r.id for r in rows}
        by_name = {r.pseudonym.lower(): r.id for r in rows}
        start = (self.s.scalar(select(func.max(Participant.position))) or -1) + 1
        new: list[dict[str, Any]] = []
        attributes: dict[str, dict[str, str]] = {}
        self._case_sources: dict[str, list[str]] = {}
        for case in self.doc.cases:
            self._case_sources[case.guid] = case.sources
            name = (case.name or "").strip()[:200] or f"case {case.guid[:8]}"
            if case.guid in by_guid or name.lower() in by_name:
                self.participants[case.guid] = by_guid.get(case.guid) or by_name[name.lower()]
                self.summary.merged["participants"] += 1
                continue
            by_name[name.lower()] = -1
            row: dict[str, Any] = dict.fromkeys(S.CASE_FIELDS.values())
            attrs: dict[str, str] = {}
            for var_guid, value in case.values.items():
                var = self.doc.variables.get(var_guid)
                if var is None:
                    continue
                column = S.CASE_FIELD_ALIASES.get(var.name.lower())
                if column == "interview_date":
                    try:
                        row[column] = dt.date.fromisoformat(value[:10])
                    except ValueError:
                        try:
                            row[column] = parse_date(value)
                        except ValueError:
                            attrs[var.name] = value
                elif column:
                    row[column] = value
                else:
                    attrs[var.name] = value
            row.update(
                guid=case.guid,
                pseudonym=name,
                position=start + len(new),
                created_at=self.now,
            )
            new.append(row)
            attributes[case.guid] = attrs
        ids = _insert(self.s, Participant, new)
        self.participants.update(ids)
        self.summary.added["participants"] += len(new)
        attr_rows = [
            {"participant_id": ids[g], "name": k[:200], "value": v}
            for g, attrs in attributes.items()
            for k, v in sorted(attrs.items())
        ]
        if attr_rows:
            _bulk(self.s, ParticipantAttribute, attr_rows)

    # --- sources ---------------------------------------------------------------------------

    def sources_(self) -> list[tuple[RSource, int]]:
        """Sources added or merged; returns those whose selections should be stored."""
        from qualcode.sources import checksum

        rows = self.s.execute(select(Source.id, Source.guid, Source.title, Source.checksum)).all()
        by_guid = {r.guid: r.id for r in rows}
        by_title = {r.title.lower(): r.id for r in rows}
        by_digest = {r.checksum: r.id for r in rows if r.checksum}
        case_of: dict[str, str] = {}
        for case_guid, refs in getattr(self, "_case_sources", {}).items():
            for ref in refs:
                case_of.setdefault(ref, case_guid)
        keep: list[tuple[RSource, str]] = []
        merged: list[tuple[RSource, int]] = []
        new: list[dict[str, Any]] = []
        digests: set[str] = set()
        for src in self.doc.sources:
            title = (src.name or "").strip() or f"source {src.guid[:8]}"
            if not src.text.strip():
                self.warn(f"source {title!r} has no text; skipped")
                self.summary.skipped["sources"] += 1
                continue
            digest = checksum(src.text.encode("utf-8"))
            match = by_guid.get(src.guid)
            if match is None and title.lower() in by_title:
                match = by_title[title.lower()]
            if match is None and digest in by_digest:
                match = by_digest[digest]
            if match is not None:
                self.sources[src.guid] = match
                self.summary.merged["sources"] += 1
                stored = self.s.scalar(select(Source.text).where(Source.id == match))
                if stored == src.text:
                    merged.append((src, match))
                    continue
                if src.guid in by_guid or digest in by_digest:
                    self.warn(
                        f"source {title!r}: the project's copy has different text; its "
                        f"{len(src.selections)} selection(s) skipped"
                    )
                    continue
                # Same title, different text: a different document; keep both.
                del self.sources[src.guid]
                self.summary.merged["sources"] -= 1
                renamed = _free_name(title, set(by_title), src.guid[:8])
                self.warn(f"source {title!r} exists with other text; imported as {renamed!r}")
                title = renamed
            by_title[title.lower()] = -1
            kind = src_value(self.doc, src, "kind")
            language = src_value(self.doc, src, "language")
            new.append(
                {
                    "guid": src.guid,
                    "title": title[:500],
                    "kind": kind if kind in SOURCE_KINDS else "interview",
                    "language": (language or "en")[:20],
                    "participant_id": self.participants.get(case_of.get(src.guid, "")),
                    "imported_from": self.doc.label,
                    "checksum": digest if digest not in digests else None,
                    "text": src.text,
                    "created_at": src.created or self.now,
                    "updated_at": src.modified or src.created or self.now,
                }
            )
            digests.add(digest)
            keep.append((src, src.guid))
        ids = _insert(self.s, Source, new)
        self.sources.update(ids)
        self.new_sources.update(ids.values())
        self.summary.added["sources"] += len(new)
        return merged + [(src, ids[g]) for src, g in keep]

    # --- excerpts and codings --------------------------------------------------------------

    def selections(self, stored: list[tuple[RSource, int]]) -> None:
        old_sources = [sid for _, sid in stored if sid not in self.new_sources]
        by_range: dict[tuple[int, int, int], int] = {}
        old_codings: set[tuple[int, int, int]] = set()
        excerpt_guids: set[str] = set(self.s.scalars(select(Excerpt.guid)))
        coding_guids: set[str] = (
            set(self.s.scalars(select(Coding.guid))) if excerpt_guids else set()
        )
        for chunk in _chunks(old_sources, 500):
            for r in self.s.execute(
                select(
                    Excerpt.id, Excerpt.guid, Excerpt.source_id, Excerpt.start, Excerpt.end
                ).where(Excerpt.source_id.in_(chunk))
            ):
                by_range[(r.source_id, r.start, r.end)] = r.id
                self.excerpts[r.guid] = r.id
            old_codings.update(
                tuple(r)
                for r in self.s.execute(
                    select(Coding.excerpt_id, Coding.code_id, Coding.coder_id)
                    .join(Excerpt, Excerpt.id == Coding.excerpt_id)
                    .where(Excerpt.source_id.in_(chunk))
                )
            )
        pending: dict[tuple[int, int, int], str] = {}
        new: list[dict[str, Any]] = []
        keys: list[tuple[Any, tuple[int, int, int]]] = []
        for src, sid in stored:
            for sel in src.selections:
                key = (sid, sel.start, sel.end)
                keys.append((sel, key))
                if key in by_range or key in pending:
                    if key in by_range:
                        self.summary.merged["excerpts"] += 1
                    continue
                guid = sel.guid if sel.guid and sel.guid not in excerpt_guids else new_guid()
                excerpt_guids.add(guid)
                pending[key] = guid
                new.append(
                    {
                        "guid": guid,
                        "source_id": sid,
                        "start": sel.start,
                        "end": sel.end,
                        "created_at": sel.created or self.now,
                    }
                )
        ids = _insert(self.s, Excerpt, new)
        self.summary.added["excerpts"] += len(new)
        for key, guid in pending.items():
            by_range[key] = ids[guid]
        notes = {n.guid: n.text for n in self.doc.notes}
        rows: list[dict[str, Any]] = []
        seen = set(old_codings)
        no_code = no_user = 0
        self.selection_notes: list[tuple[str, int]] = []
        for sel, key in keys:
            excerpt_id = by_range[key]
            if sel.guid:
                self.excerpts.setdefault(sel.guid, excerpt_id)
            self.selection_notes.extend((n, excerpt_id) for n in sel.notes)
            for coding in sel.codings:
                code_id = self.codes.get(coding.code or "")
                if code_id is None:
                    no_code += 1
                    continue
                coder_id = self.users.get(coding.user or "")
                if coder_id is None:
                    no_user += 1
                    coder_id = self.unknown_coder()
                memo = None
                for note in coding.notes:
                    if note in notes:
                        self.notes_used.add(note)
                        memo = notes[note] if memo is None else f"{memo}\n\n{notes[note]}"
                triple = (excerpt_id, code_id, coder_id)
                if triple in seen:
                    self.summary.merged["codings"] += 1
                    continue
                seen.add(triple)
                guid = (
                    coding.guid if coding.guid and coding.guid not in coding_guids else new_guid()
                )
                coding_guids.add(guid)
                rows.append(
                    {
                        "guid": guid,
                        "excerpt_id": excerpt_id,
                        "code_id": code_id,
                        "coder_id": coder_id,
                        "memo": memo,
                        "created_at": coding.created or self.now,
                    }
                )
        if no_code:
            self.warn(f"{no_code} coding(s) refer to codes not in the codebook; skipped")
            self.summary.skipped["codings"] += no_code
        if no_user:
            self.warn(f"{no_user} coding(s) name no user; credited to coder {S.UNKNOWN_CODER!r}")
        _bulk(self.s, Coding, rows)
        self.summary.added["codings"] += len(rows)

    # --- memos -----------------------------------------------------------------------------

    def memos(self) -> None:
        targets: dict[str, tuple[str, int] | None] = {}

        def aim(note: str, column: str | None, id_: int | None) -> None:
            if note in targets or note in self.notes_used:
                return
            targets[note] = (column, id_) if column and id_ else None

        for note in self.doc.project_notes:
            aim(note, None, None)
        for src in self.doc.sources:
            for note in src.notes:
                aim(note, "source_id", self.sources.get(src.guid))
        for code in self.doc.codes:
            for note in code.notes:
                aim(note, "code_id", self.codes.get(code.guid))
        for item in self.doc.sets:
            for note in item.notes:
                aim(note, "theme_id", self.themes.get(item.guid))
        for note, excerpt_id in getattr(self, "selection_notes", []):
            aim(note, "excerpt_id", excerpt_id)
        existing = set(self.s.scalars(select(Memo.guid)))
        rows = []
        for note in self.doc.notes:
            if note.guid in self.notes_used:
                continue
            if note.guid in existing:
                self.summary.merged["memos"] += 1
                continue
            row: dict[str, Any] = {
                "guid": note.guid,
                "title": (note.name or None) and note.name[:300],
                "body": note.text,
                "coder_id": self.users.get(note.user or ""),
                "source_id": None,
                "code_id": None,
                "theme_id": None,
                "excerpt_id": None,
                "created_at": note.created or self.now,
                "updated_at": note.modified or note.created or self.now,
            }
            target = targets.get(note.guid)
            if target:
                row[target[0]] = target[1]
            rows.append(row)
        if rows:
            _bulk(self.s, Memo, rows)
        self.summary.added["memos"] += len(rows)


def src_value(doc: RDocument, src: RSource, column: str) -> str | None:
    for var_guid, value in src.values.items():
        var = doc.variables.get(var_guid)
        if var and S.SOURCE_FIELD_ALIASES.get(var.name.lower()) == column:
            return value
    return None


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def store(session: Session, doc: RDocument, *, codebook_only: bool) -> ImportSummary:
    """Write ``doc`` into the project through ``session`` (the caller owns the transaction)."""
    summary = ImportSummary(file=doc.label)
    summary.warnings.extend(doc.warnings)
    if session.get_bind().dialect.name == "sqlite":
        # Unique indexes on random GUIDs touch pages all over the B-tree; SQLite's default 2 MB
        # page cache makes a large import slow down as the tables grow. 256 MB, this connection.
        session.execute(text("PRAGMA cache_size = -262144"))
    st = _Store(session, doc, summary)
    if not codebook_only:
        st.coders()
    st.codes_()
    st.themes_()
    if not codebook_only:
        st.participants_()
        st.selections(st.sources_())
        st.memos()
    st.code_links()
    events.log(
        session,
        "refi.import",
        file=doc.label,
        added=dict(summary.added),
        merged=dict(summary.merged),
        warnings=len(summary.warnings),
    )
    return summary
