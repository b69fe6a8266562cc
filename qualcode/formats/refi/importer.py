"""Storing what a REFI-QDA file holds into a project: merge by GUID, then by name, in bulk.

One transaction per file: the whole import lands or nothing does. Rows are written set-wise
(``session.execute(insert(Model), rows)``) because a project from another tool can hold hundreds of
thousands of codings; ids of the new rows are read back in one query per table.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from qualcode import events, lookup
from qualcode.errors import InputError
from qualcode.formats.refi import schema as S
from qualcode.formats.refi.reader import RCode, RDocument, RSet, RSource, RUser
from qualcode.models import (
    NAMED,
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
)
from qualcode.names import fold
from qualcode.row_defaults import new_guid, utcnow

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
    if model in NAMED and "name_key" not in rows[0]:  # the key the ORM would have set
        rows = [{**row, "name_key": fold(row[NAMED[model]])} for row in rows]
    conn = session.connection()
    table = model.__table__
    columns = list(rows[0])
    if conn.dialect.name == "postgresql":
        _copy(conn, table, columns, rows)
        return
    compiled = (
        insert(table).values({c: bindparam(c) for c in columns}).compile(dialect=conn.dialect)
    )
    order = list(compiled.positiontup or []) if compiled.positional else columns
    # Column-wise: each value processor (e.g. SQLite's datetime to text) runs once per distinct
    # value, and zip() builds the parameter tuples in C.
    values = []
    for name in order:
        column = [row.get(name) for row in rows]
        process = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
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
    table = model.__table__
    conn = session.connection()
    before = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    _bulk(session, model, rows)
    wanted = {row["guid"] for row in rows}
    # Core on the session's connection: the ORM's row handling costs more than the query.
    return {
        guid: id_
        for id_, guid in conn.execute(select(table.c.id, table.c.guid).where(table.c.id > before))
        if guid in wanted
    }


def _free_name(name: str, taken: set[str], hint: str | None) -> str:
    candidates = [f"{name} ({hint})"] if hint else []
    candidates += [f"{name} ({n})" for n in range(2, 10_000)]
    for candidate in candidates:
        if fold(candidate) not in taken:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def _code_row(code: RCode, name: str, now: dt.datetime) -> dict[str, Any]:
    """A new code's row; what qualcode keeps in the file's extension (status, the thesis's
    reported count and example) read back, links to other rows left for ``code_links``."""
    extra = code.extra
    count = extra.get("reported_count")
    return {
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
        "created_at": now,
    }


def _code_links(code: RCode, parent: str | None) -> dict[str, Any]:
    """What a new code names by GUID or pseudonym (parent, merge target, example), resolved by
    ``code_links`` once every row exists."""
    return {
        "parent": parent,
        **{k: code.extra[k] for k in ("status", "reason") if k in code.extra},
        **{
            k: code.extra[k]
            for k in ("merged_into", "example_participant", "example_excerpt")
            if code.extra.get(k)
        },
    }


class NothingImported(InputError):
    """An import that added nothing it was given (rolled back); carries the summary."""

    def __init__(self, message: str, summary: ImportSummary) -> None:
        super().__init__(message)
        self.summary = summary


BATCH = 20_000  # selections written per batch: bounded memory, few round trips
BATCH_TEXT = 20_000_000  # characters of source text waiting in one batch


class _Store:
    """Writes a streamed document: the parts before the sources at ``header``, each source as
    it arrives (with its segments, excerpts and codings, in batches), the rest at ``finish``."""

    def __init__(self, session: Session, summary: ImportSummary, label: str) -> None:
        self.s = session
        self.summary = summary
        self.label = label
        self.now = utcnow()
        self.doc: RDocument | None = None
        self.users: dict[str, int] = {}
        self.codes: dict[str, int] = {}
        self.codes_seen = 0
        self.themes: dict[str, int] = {}
        self.participants: dict[str, int] = {}
        self.sources: dict[str, int] = {}
        self.new_sources: dict[str, tuple[int, bool, dt.datetime]] = {}
        self._case_of: dict[str, str] | None = None
        self._cases_seen = 0
        # Excerpts a file's GUID names but the project holds under another GUID (merged by
        # range, or given a new GUID on a clash), for codes' example excerpts; usually empty.
        self.excerpts: dict[str, int] = {}
        self.notes_used: set[str] = set()
        self.code_extra: dict[int, dict[str, Any]] = {}
        self.source_notes: list[tuple[str, int]] = []
        self.selection_notes: list[tuple[str, int]] = []
        self.coding_notes: list[tuple[str, list[str]]] = []
        self.unresolved: list[tuple[dict[str, Any], str]] = []
        self.batch: list[tuple[RSource, int | None, bool]] = []
        self.batch_size = 0
        self.batch_text = 0
        self.new_rows: list[tuple[RSource, dict[str, Any], Any]] = []
        self.no_code = 0
        self.no_user = 0
        self.unlisted_users = 0
        self._unknown_coder: int | None = None
        self._source_index: tuple[dict[str, int], dict[str, int], dict[str, int]] | None = None
        self._digests: set[str] = set()
        self.regiven: dict[str, str] = {}
        self.had_rows: dict[Any, bool] = {}
        self.seen_guids: set[int] = set()

    def warn(self, message: str) -> None:
        self.summary.warnings.append(message)

    # --- SourceSink ------------------------------------------------------------------------

    def header(self, doc: RDocument) -> None:
        """Coders, codes and participants: everything a source's codings point at."""
        self.doc = doc
        for model in (Excerpt, Coding):  # before this import adds any
            self.had_rows[model] = self.s.scalar(select(model.id).limit(1)) is not None
        self.coders(doc.users)
        self.codes_(doc)
        self.participants_(doc)

    def source(self, src: RSource) -> None:
        stored = self.source_row(src)
        if stored is None:
            return
        sid, new = stored
        self.batch.append((src, sid, new))
        self.batch_size += len(src.selections)
        self.batch_text += len(src.text)
        if self.batch_size >= BATCH or self.batch_text >= BATCH_TEXT:
            self.flush()

    # --- coders ----------------------------------------------------------------------------

    def coders(self, users: list[RUser]) -> None:
        rows = self.s.execute(select(Coder.id, Coder.guid, Coder.name)).all()
        by_guid = {r.guid: r.id for r in rows}
        by_name = {fold(r.name): r.id for r in rows}
        pending: dict[str, str] = {}
        new: list[dict[str, Any]] = []
        alias: dict[str, str] = {}
        for user in users:
            name = (user.name or user.initials or f"user {user.guid[:8]}").strip()[:200]
            if user.guid in by_guid:
                self.users[user.guid] = by_guid[user.guid]
                self.summary.merged["coders"] += 1
            elif fold(name) in by_name:
                self.users[user.guid] = by_name[fold(name)]
                self.summary.merged["coders"] += 1
            elif fold(name) in pending:
                alias[user.guid] = pending[fold(name)]
            else:
                pending[fold(name)] = user.guid
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

    def coder(self, guid: str | None) -> int:
        """The coder of a coding: its user, a coder named by the GUID of a user not listed under
        Users, or ``unknown`` when the coding names none."""
        if guid is None:
            self.no_user += 1
            if self._unknown_coder is None:
                before = self.s.scalar(select(func.count()).select_from(Coder))
                self._unknown_coder = lookup.coder(self.s, S.UNKNOWN_CODER).id
                if self.s.scalar(select(func.count()).select_from(Coder)) != before:
                    self.summary.added["coders"] += 1
            return self._unknown_coder
        found = self.users.get(guid)
        if found is None:
            self.unlisted_users += 1
            self.coders([RUser(guid, None, None)])
            found = self.users[guid]
        return found

    # --- codes -----------------------------------------------------------------------------

    def codes_(self, doc: RDocument) -> None:
        """The codes read so far and not stored yet (all of them, in a file in the standard's
        order; a file that puts its codebook after its sources gets a second call)."""
        todo = doc.codes[self.codes_seen :]
        self.codes_seen = len(doc.codes)
        if not todo:
            return
        rows = self.s.execute(select(Code.id, Code.guid, Code.name)).all()
        by_guid = {r.guid: r.id for r in rows}
        by_name = {fold(r.name): r.id for r in rows}
        taken = set(by_name)
        names = {c.guid: c.name for c in doc.codes}
        new: list[dict[str, Any]] = []
        parents: dict[str, str] = {}
        for code in todo:
            if code.guid in by_guid:
                self.codes[code.guid] = by_guid[code.guid]
                self.summary.merged["codes"] += 1
                continue
            name = code.name[:300]
            if not name:
                name = f"code {code.guid[:8]}"
                self.warn(f"a code without a name (guid {code.guid}) was named {name!r}")
            if fold(name) in by_name:
                self.codes[code.guid] = by_name[fold(name)]
                self.summary.merged["codes"] += 1
                continue
            if fold(name) in taken:
                renamed = _free_name(name, taken, names.get(code.parent or ""))
                self.warn(f"code {name!r} appears twice in the file; the second became {renamed!r}")
                name = renamed
            taken.add(fold(name))
            new.append(_code_row(code, name, self.now))
            if code.parent:
                parents[code.guid] = code.parent
        ids = _insert(self.s, Code, new)
        self.codes.update(ids)
        self.summary.added["codes"] += len(new)
        for code in todo:
            if code.guid in ids:
                self.code_extra[ids[code.guid]] = _code_links(code, parents.get(code.guid))

    def code_links(self) -> None:
        """Parents, merge targets and example references, once every row they name exists."""
        updates = []
        for code_id, extra in self.code_extra.items():
            row: dict[str, Any] = {"id": code_id}
            if extra.get("parent"):
                row["parent_id"] = self.codes.get(extra["parent"])
            target = self.codes.get(extra.get("merged_into") or "")
            if extra.get("status") == "merged":
                if target is not None and target != code_id:
                    row["status"], row["merged_into_id"] = "merged", target
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
        found = self.s.scalar(select(Participant.id).where(Participant.name_key == fold(pseudonym)))
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

    def themes_(self, doc: RDocument) -> None:
        """Sets of codes become themes (merged by GUID, then by name), nested as the file's
        extension says, with their member codes linked."""
        rows = self.s.execute(select(Theme.id, Theme.guid, Theme.name)).all()
        by_guid = {r.guid: r.id for r in rows}
        by_name = {fold(r.name): r.id for r in rows}
        taken = set(by_name)
        new: list[dict[str, Any]] = []
        parents: dict[str, str] = {}
        sibling: Counter[str | None] = Counter()
        kept = []
        for item in doc.sets:
            if not self._groups_codes(item):
                continue
            kept.append(item)
            if item.guid in by_guid:
                self.themes[item.guid] = by_guid[item.guid]
                self.summary.merged["themes"] += 1
                continue
            name = str(item.extra.get("name") or item.name or f"theme {item.guid[:8]}")[:300]
            if fold(name) in by_name:
                self.themes[item.guid] = by_name[fold(name)]
                self.summary.merged["themes"] += 1
                continue
            if fold(name) in taken:
                renamed = _free_name(name, taken, None)
                self.warn(f"set {name!r} appears twice in the file; the second became {renamed!r}")
                name = renamed
            taken.add(fold(name))
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
        self.theme_links(kept)

    def _groups_codes(self, item: RSet) -> bool:
        """Whether a set can be a theme: a set of sources only cannot (warned and counted)."""
        if not item.codes and item.sources:
            self.warn(
                f"set {item.name!r} groups sources, not codes (qualcode has no source "
                "groups); skipped"
            )
            self.summary.skipped["sets of sources"] += 1
            return False
        if item.sources:
            self.warn(f"set {item.name!r}: its {item.sources} member source(s) ignored")
        return True

    def theme_links(self, sets: list[RSet]) -> None:
        """Each set's member codes linked to its theme, in the set's order; links the project
        has already and members not in the file are left out."""
        existing = {tuple(r) for r in self.s.execute(select(CodeTheme.code_id, CodeTheme.theme_id))}
        links = []
        unknown = 0
        for item in sets:
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
            self.summary.skipped["set members"] += unknown
        if links:
            _bulk(self.s, CodeTheme, links)
        self.summary.added["theme links"] += len(links)

    # --- participants ----------------------------------------------------------------------

    def participants_(self, doc: RDocument) -> None:
        from qualcode.participants import parse_date

        todo = [c for c in doc.cases if c.guid not in self.participants]
        if not todo:
            return
        rows = self.s.execute(select(Participant.id, Participant.guid, Participant.pseudonym)).all()
        by_guid = {r.guid: r.id for r in rows}
        by_name = {fold(r.pseudonym): r.id for r in rows}
        start = (self.s.scalar(select(func.max(Participant.position))) or -1) + 1
        new: list[dict[str, Any]] = []
        attributes: dict[str, dict[str, str]] = {}
        for case in todo:
            name = (case.name or "").strip()[:200] or f"case {case.guid[:8]}"
            if case.guid in by_guid or fold(name) in by_name:
                self.participants[case.guid] = by_guid.get(case.guid) or by_name[fold(name)]
                self.summary.merged["participants"] += 1
                continue
            by_name[fold(name)] = -1
            row: dict[str, Any] = dict.fromkeys(S.CASE_FIELDS.values())
            attrs: dict[str, str] = {}
            for var_guid, value in case.values.items():
                var = doc.variables.get(var_guid)
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

    def case_of(self, doc: RDocument, source_guid: str) -> int | None:
        """The participant whose case lists the source (the first such case)."""
        if self._case_of is None or len(doc.cases) != self._cases_seen:
            self._cases_seen = len(doc.cases)
            self._case_of = {}
            for case in doc.cases:
                for ref in case.sources:
                    self._case_of.setdefault(ref, case.guid)
        return self.participants.get(self._case_of.get(source_guid, ""))

    def late_cases(self, doc: RDocument) -> None:
        """Link new sources to cases that came after them in the file (not the standard's
        order); their modification time is kept as the file gave it."""
        rows = []
        for guid, (sid, linked, updated) in self.new_sources.items():
            participant = self.case_of(doc, guid)
            if participant and not linked:
                rows.append({"id": sid, "participant_id": participant, "updated_at": updated})
        if rows:
            self.s.execute(update(Source), rows)

    # --- sources ---------------------------------------------------------------------------

    def _index(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        if self._source_index is None:
            rows = self.s.execute(
                select(Source.id, Source.guid, Source.title, Source.checksum)
            ).all()
            self._source_index = (
                {r.guid: r.id for r in rows},
                {fold(r.title): r.id for r in rows},
                {r.checksum: r.id for r in rows if r.checksum},
            )
        return self._source_index

    def source_row(self, src: RSource) -> tuple[int | None, bool] | None:
        """The project's own copy's id and False, or (None, True) for a new source (segmented
        now, written with the batch); None when its selections cannot be stored."""
        from qualcode.sources import checksum

        by_guid, by_title, by_digest = self._index()
        title = (src.name or "").strip() or f"source {src.guid[:8]}"
        lost = sum(len(sel.codings) for sel in src.selections)
        if not self._storable(src, title, lost):
            return None
        digest = checksum(src.text.encode("utf-8"))
        match = by_guid.get(src.guid)
        if match is None and fold(title) in by_title:
            match = by_title[fold(title)]
        if match is None and digest in by_digest:
            match = by_digest[digest]
        if match is not None and match < 0:  # a title already taken by this very file
            renamed = _free_name(title, set(by_title), src.guid[:8])
            self.warn(f"source title {title!r} appears twice in the file; imported as {renamed!r}")
            title, match = renamed, None
        if match is not None:
            self.sources[src.guid] = match
            self.summary.merged["sources"] += 1
            stored = self.s.scalar(select(Source.text).where(Source.id == match))
            if stored == src.text:
                return match, False
            if src.guid in by_guid or digest in by_digest:
                self.warn(
                    f"source {title!r}: the project's copy has different text; its "
                    f"{len(src.selections)} selection(s) with {lost} coding(s) skipped"
                )
                self.summary.skipped["codings"] += lost
                return None
            # Same title, different text: a different document; keep both.
            del self.sources[src.guid]
            self.summary.merged["sources"] -= 1
            renamed = _free_name(title, set(by_title), src.guid[:8])
            self.warn(f"source {title!r} exists with other text; imported as {renamed!r}")
            title = renamed
        self.queue_source(src, title, digest)
        return None, True

    def _storable(self, src: RSource, title: str, lost: int) -> bool:
        """False (warned, counted as skipped) for a source without text or a GUID repeated."""
        if not src.text.strip():
            self.warn(f"source {title!r} has no text; skipped with its {lost} coding(s)")
            self.summary.skipped["sources"] += 1
            self.summary.skipped["codings"] += lost
            return False
        if src.guid in self.sources:
            self.warn(f"source {title!r}: its GUID appears twice in the file; imported once")
            self.summary.skipped["codings"] += lost
            return False
        return True

    def queue_source(self, src: RSource, title: str, digest: str) -> None:
        """Segment a new source now and keep its row for the batch's one insert; its title and
        GUID count as taken (-1) from here on."""
        from qualcode import segments

        assert self.doc is not None
        by_guid, by_title, _ = self._index()
        kind = src_value(self.doc, src, "kind")
        language = (src_value(self.doc, src, "language") or "")[:20] or None  # None: detect
        segmentation = segments.find(src.text, language)
        participant = self.case_of(self.doc, src.guid)
        updated = src.modified or src.created or self.now
        row = {
            "guid": src.guid,
            "title": title[:500],
            "kind": kind if kind in SOURCE_KINDS else "interview",
            "language": language or segmentation.language,
            "participant_id": participant,
            "imported_from": self.label,
            "checksum": digest if digest not in self._digests else None,
            "text": src.text,
            "created_at": src.created or self.now,
            "updated_at": updated,
        }
        self.new_rows.append((src, row, segmentation))  # written with the batch
        self._digests.add(digest)
        by_title[fold(title)] = -1
        by_guid[src.guid] = -1
        self.sources[src.guid] = -1
        self.summary.added["sources"] += 1

    def new_source_rows(self) -> dict[str, int]:
        """Write the batch's new sources (one insert) and their segments; their ids by GUID."""
        from qualcode import segments

        pending, self.new_rows = self.new_rows, []
        ids = _insert(self.s, Source, [row for _, row, _ in pending])
        for src, row, segmentation in pending:
            sid = ids[src.guid]
            segments.store(self.s, sid, segmentation)
            self.sources[src.guid] = sid
            self.new_sources[src.guid] = (sid, row["participant_id"] is not None, row["updated_at"])
        return ids

    # --- excerpts and codings --------------------------------------------------------------

    def flush(self) -> None:
        """Write the sources waiting in the batch, then their excerpts and codings."""
        waiting, self.batch, self.batch_size, self.batch_text = self.batch, [], 0, 0
        if not waiting:
            return
        ids = self.new_source_rows()
        batch: list[tuple[RSource, int, bool]] = [
            (src, ids[src.guid] if sid is None else sid, new) for src, sid, new in waiting
        ]
        for src, sid, _ in batch:
            self.source_notes.extend((n, sid) for n in src.notes)
        by_range, seen = self._stored_selections([sid for _, sid, new in batch if not new])
        fresh = self.excerpts_(batch, by_range)
        self.codings_(batch, by_range, fresh, seen)

    def _stored_selections(
        self, source_ids: list[int]
    ) -> tuple[dict[tuple[int, int, int], int], set[tuple[int, int, int]]]:
        """The project's excerpts of sources it had already, by (source, start, end), and its
        codings of them as (excerpt, code, coder): what a merged file must not add twice."""
        by_range: dict[tuple[int, int, int], int] = {}
        seen: set[tuple[int, int, int]] = set()
        for chunk in _chunks(source_ids, 500):
            for r in self.s.execute(
                select(
                    Excerpt.id, Excerpt.guid, Excerpt.source_id, Excerpt.start, Excerpt.end
                ).where(Excerpt.source_id.in_(chunk))
            ):
                by_range[(r.source_id, r.start, r.end)] = r.id
            seen.update(
                (r[0], r[1], r[2])
                for r in self.s.execute(
                    select(Coding.excerpt_id, Coding.code_id, Coding.coder_id)
                    .join(Excerpt, Excerpt.id == Coding.excerpt_id)
                    .where(Excerpt.source_id.in_(chunk))
                )
            )
        return by_range, seen

    def excerpts_(
        self, batch: list[tuple[RSource, int, bool]], by_range: dict[tuple[int, int, int], int]
    ) -> set[tuple[int, int, int]]:
        """Insert the batch's selections the project lacks (one excerpt per range) and add
        their ids to ``by_range``; the new ranges."""
        taken: set[str] = set()
        pending: dict[tuple[int, int, int], str] = {}
        new: list[dict[str, Any]] = []
        for src, sid, _ in batch:
            for sel in src.selections:
                key = (sid, sel.start, sel.end)
                if key in by_range or key in pending:
                    if key in by_range:
                        self.summary.merged["excerpts"] += 1
                    continue
                guid = sel.guid if sel.guid and sel.guid not in taken else new_guid()
                taken.add(guid)
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
        ids = self.insert_keyed(Excerpt, new)
        pending = {key: self.regiven.get(guid, guid) for key, guid in pending.items()}
        self.summary.added["excerpts"] += len(new)
        for key, guid in pending.items():
            by_range[key] = ids[guid]
        for old_guid, guid in self.regiven.items():
            self.excerpts[old_guid] = ids[guid]
        return set(pending)

    def codings_(
        self,
        batch: list[tuple[RSource, int, bool]],
        by_range: dict[tuple[int, int, int], int],
        fresh: set[tuple[int, int, int]],
        seen: set[tuple[int, int, int]],
    ) -> None:
        """Insert the batch's codings: one per (excerpt, code, coder) not ``seen``; those whose
        code is not read yet wait in ``unresolved``; their notes wait for ``memos``."""
        taken: set[str] = set()
        users = self.users
        rows: list[dict[str, Any]] = []
        memo_of: list[tuple[str, list[str]]] = []
        for src, sid, _ in batch:
            for sel in src.selections:
                key = (sid, sel.start, sel.end)
                excerpt_id = by_range[key]
                if sel.guid and key not in fresh:  # merged with the project's own excerpt
                    self.excerpts.setdefault(sel.guid, excerpt_id)
                self.selection_notes.extend((n, excerpt_id) for n in sel.notes)
                for coding in sel.codings:
                    coder_id = users.get(coding.user) if coding.user is not None else None
                    if coder_id is None:
                        coder_id = self.coder(coding.user)
                    guid = coding.guid if coding.guid and coding.guid not in taken else new_guid()
                    taken.add(guid)
                    row = {
                        "guid": guid,
                        "excerpt_id": excerpt_id,
                        "source_id": sid,
                        "code_id": None,
                        "coder_id": coder_id,
                        "memo": None,
                        "created_at": coding.created or self.now,
                    }
                    code_id = self.codes.get(coding.code or "")
                    if code_id is None:
                        if coding.code is None:
                            self.no_code += 1
                        else:  # perhaps a codebook after the sources: resolved at the end
                            self.unresolved.append((row, coding.code))
                        continue
                    row["code_id"] = code_id
                    triple = (excerpt_id, code_id, coder_id)
                    if triple in seen:
                        self.summary.merged["codings"] += 1
                        self.notes_used.update(coding.notes)  # the memo it had already
                        continue
                    seen.add(triple)
                    if coding.notes:
                        memo_of.append((guid, coding.notes))
                    rows.append(row)
        self.insert_keyed(Coding, rows, ids=False)
        self.coding_notes.extend((self.regiven.get(g, g), notes) for g, notes in memo_of)
        self.summary.added["codings"] += len(rows)

    def insert_keyed(
        self, model: Any, rows: list[dict[str, Any]], *, ids: bool = True
    ) -> dict[str, int]:
        """Insert rows whose GUIDs come from the file; the new ids by GUID (if ``ids``).

        A GUID the project has already (asked only if the table had rows before this import)
        or that this import used already (remembered by hash: a collision only costs a fresh
        GUID) is replaced by a new one; ``self.regiven`` says which."""
        self.regiven = {}
        if not rows:
            return {}
        if model not in self.had_rows:
            self.had_rows[model] = self.s.scalar(select(model.id).limit(1)) is not None
        taken = _existing(self.s, model, [r["guid"] for r in rows]) if self.had_rows[model] else ()
        seen = self.seen_guids
        for row in rows:
            guid = row["guid"]
            key = hash(guid)
            if key in seen or guid in taken:
                fresh = new_guid()
                self.regiven[guid] = row["guid"] = fresh
                key = hash(fresh)
            seen.add(key)
        return (_insert if ids else _bulk)(self.s, model, rows) or {}

    def late_codings(self, doc: RDocument) -> None:
        """Codings whose code came after their source in the file (not the standard's order)."""
        self.codes_(doc)
        rows = []
        seen: set[tuple[int, int, int]] = set()
        for row, code in self.unresolved:
            code_id = self.codes.get(code)
            if code_id is None:
                self.no_code += 1
                continue
            row["code_id"] = code_id
            triple = (row["excerpt_id"], code_id, row["coder_id"])
            if triple in seen or self.s.scalar(
                select(Coding.id).where(
                    Coding.excerpt_id == triple[0],
                    Coding.code_id == triple[1],
                    Coding.coder_id == triple[2],
                )
            ):
                self.summary.merged["codings"] += 1
                continue
            seen.add(triple)
            rows.append(row)
        self.unresolved = []
        self.insert_keyed(Coding, rows, ids=False)
        self.summary.added["codings"] += len(rows)

    # --- memos -----------------------------------------------------------------------------

    def memos(self, doc: RDocument) -> None:
        """Notes become the memos of the codings that reference them, or memos of their own
        attached to what references them (project, source, code, set, selection)."""
        notes = {n.guid: n.text for n in doc.notes}
        self.coding_memos(notes)
        targets = self._note_targets(doc)
        existing = _existing(self.s, Memo, [n.guid for n in doc.notes])
        rows = []
        for note in doc.notes:
            if note.guid in self.notes_used:
                continue
            if note.guid in existing:
                self.summary.merged["memos"] += 1
                continue
            existing.add(note.guid)
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

    def coding_memos(self, notes: dict[str, str]) -> None:
        """A coding's notes, joined, become its memo (one update for all); those notes are used."""
        memo_rows = []
        for coding_guid, refs in self.coding_notes:
            texts = [notes[n] for n in refs if n in notes]
            self.notes_used.update(n for n in refs if n in notes)
            if texts:
                memo_rows.append({"g": coding_guid, "m": "\n\n".join(texts)})
        if memo_rows:
            table = cast(Table, Coding.__table__)
            self.s.execute(
                update(table).where(table.c.guid == bindparam("g")).values(memo=bindparam("m")),
                memo_rows,
            )

    def _note_targets(self, doc: RDocument) -> dict[str, tuple[str, int] | None]:
        """What each unused note is attached to: (column, id), or None for the project or a
        row not stored; the first reference wins."""
        targets: dict[str, tuple[str, int] | None] = {}

        def aim(note: str, column: str | None, id_: int | None) -> None:
            if note in targets or note in self.notes_used:
                return
            targets[note] = (column, id_) if column and id_ else None

        for guid in doc.project_notes:
            aim(guid, None, None)
        for guid, source_id in self.source_notes:
            aim(guid, "source_id", source_id)
        for code in doc.codes:
            for guid in code.notes:
                aim(guid, "code_id", self.codes.get(code.guid))
        for item in doc.sets:
            for guid in item.notes:
                aim(guid, "theme_id", self.themes.get(item.guid))
        for guid, excerpt_id in self.selection_notes:
            aim(guid, "excerpt_id", excerpt_id)
        return targets

    # --- the end ---------------------------------------------------------------------------

    def finish(self, doc: RDocument, *, codebook_only: bool) -> None:
        self.doc = doc
        if codebook_only:
            self.themes_(doc)
            self.code_links()
            return
        self.flush()
        if self.codes_seen < len(doc.codes) or self.unresolved:
            self.late_codings(doc)
        self.participants_(doc)
        self.late_cases(doc)
        self.themes_(doc)
        self.memos(doc)
        self.code_links()
        if self.no_code:
            self.warn(f"{self.no_code} coding(s) refer to codes not in the codebook; skipped")
            self.summary.skipped["codings"] += self.no_code
        if self.no_user:
            self.warn(
                f"{self.no_user} coding(s) name no user; credited to coder {S.UNKNOWN_CODER!r}"
            )
        if self.unlisted_users:
            self.warn(
                f"{self.unlisted_users} user GUID(s) used but not listed under Users; named by GUID"
            )


def src_value(doc: RDocument, src: RSource, column: str) -> str | None:
    for var_guid, value in src.values.items():
        var = doc.variables.get(var_guid)
        if var and S.SOURCE_FIELD_ALIASES.get(var.name.lower()) == column:
            return value
    return None


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _existing(session: Session, model: Any, guids: list[str]) -> set[str]:
    """Which of ``guids`` the project has already (asked in chunks: no table loaded whole)."""
    found: set[str] = set()
    query = select(model.guid).where(model.guid.in_(bindparam("guids", expanding=True)))
    for chunk in _chunks(sorted(set(guids)), 5_000):
        found.update(session.scalars(query, {"guids": chunk}))
    return found


def _given(summary: ImportSummary) -> str:
    """Why an import added nothing, for its one-line refusal."""
    if summary.merged:
        return f"everything in it is already in the project ({summary._phrase(summary.merged)})"
    if summary.skipped or summary.warnings:
        return f"nothing in it could be imported ({len(summary.warnings)} warning(s) above)"
    return "it holds no codes, sets, sources or notes"


def _prepare(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        # Unique indexes on random GUIDs touch pages all over the B-tree; SQLite's default 2 MB
        # page cache makes a large import slow down as the tables grow. 128 MB, this connection.
        session.execute(text("PRAGMA cache_size = -131072"))


def _end(session: Session, summary: ImportSummary, doc: RDocument) -> ImportSummary:
    summary.warnings[:0] = doc.warnings
    if doc.dropped_codings:
        summary.skipped["codings"] += doc.dropped_codings
    if not +summary.added:
        raise NothingImported(f"{summary.file}: added nothing: {_given(summary)}", summary)
    events.log(
        session,
        "refi.import",
        file=summary.file,
        added=dict(summary.added),
        merged=dict(summary.merged),
        warnings=len(summary.warnings),
    )
    return summary


def import_stream(
    session: Session, path: Path, label: str, *, allow_outside: Path | None = None
) -> ImportSummary:
    """Stream a .qdpx (or .qde) into the project through ``session`` (the caller owns the
    transaction): sources and their codings are written as they are read."""
    from qualcode.formats.refi.reader import read_project

    _prepare(session)
    summary = ImportSummary(file=label)
    st = _Store(session, summary, label)
    doc = read_project(path, sink=st, allow_outside=allow_outside)
    st.finish(doc, codebook_only=False)
    return _end(session, summary, doc)


def store_codebook(session: Session, doc: RDocument) -> ImportSummary:
    """Write a codebook's codes and sets (themes) through ``session``."""
    summary = ImportSummary(file=doc.label)
    st = _Store(session, summary, doc.label)
    st.doc = doc
    st.codes_(doc)
    st.finish(doc, codebook_only=True)
    return _end(session, summary, doc)
