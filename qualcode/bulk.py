"""Applying many codings at once from a CSV file (``qualcode code --from FILE.csv``).

A file of codings (from another tool, a script, or a spreadsheet) is applied in ONE transaction:
every row is checked first (a bad row names the file, row and column, and nothing is written); the
sources, codes and coders are looked up once; missing excerpts and then the codings go in as bulk
inserts that skip rows already there (``ON CONFLICT DO NOTHING``, so re-applying a file, or another
coder's session adding the same excerpt at the same moment, is harmless); and ONE event records the
batch so it can be undone as a whole. This is what makes 10,000 codings take well under 2 s.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, Table, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from qualcode import events, lookup, team
from qualcode.errors import InputError
from qualcode.models import Code, Coder, Coding, Excerpt, Source
from qualcode.names import fold
from qualcode.row_defaults import new_guid, utcnow

if TYPE_CHECKING:
    from qualcode.db import Project

REQUIRED = ("source", "start", "end", "code")
OPTIONAL = ("coder", "memo")
TARGET = "target"  # an address `qualcode code` takes, instead of source, start and end
COLUMNS = (TARGET, *REQUIRED, *OPTIONAL)
CHUNK = 500  # ids per IN (...) list: well inside SQLite's limit on bound parameters
BATCH = 20_000  # codings built and inserted at a time, all in the one transaction


@dataclass(frozen=True, slots=True)
class Row:
    """One CSV row, checked for form (not yet against the project)."""

    line: int  # the row number a spreadsheet shows (the header is row 1)
    source: str
    start: int
    end: int
    code: str
    coder: str | None
    memo: str | None
    target: str | None = None  # an address, resolved to source, start and end when applied


@dataclass(frozen=True)
class BulkResult:
    rows: int
    applied: int  # new codings
    already: int  # rows whose coding existed already
    excerpts_created: int
    codes_created: list[str]
    event_id: int | None


def _where(path: Path | str, line: int, column: str) -> str:
    return f"{path}: row {line}, column {column}"


def read_rows(path: Path) -> list[Row]:
    """Parse and check the form of a codings CSV: header names, whole numbers, no empty cells."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return _parse(path, csv.reader(fh))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None


def _parse(path: Path, reader: Iterable[list[str]]) -> list[Row]:
    lines = iter(reader)
    header = _header(path, [h.strip().lower() for h in next(lines, [])])
    where = [header.index(c) if c in header else None for c in COLUMNS]
    width = len(header)
    rows: list[Row] = []
    names: dict[str, str] = {}  # one string per distinct name: 300,000 rows name a few sources
    for line, cells in enumerate(lines, start=2):
        if len(cells) != width:
            if not any(c.strip() for c in cells):
                continue  # blank lines, as spreadsheets leave at the end
            raise InputError(f"{path}: row {line}: {len(cells)} cells where the header has {width}")
        values = [
            names.setdefault(v, v)
            for v in (cells[i].strip() if i is not None else "" for i in where)
        ]
        if any(values):
            rows.append(_row(path, line, values, TARGET in header))
    if not rows:
        raise InputError(f"{path}: no codings (only a header)")
    return rows


def _header(path: Path, header: list[str]) -> list[str]:
    """The header row, refused (row 1) when empty, with an unknown column or a required one
    missing; the usage line says what it may hold."""
    usage = (
        f"columns: {', '.join(REQUIRED + OPTIONAL)}, or {TARGET} instead of source, start and "
        f"end; {', '.join(OPTIONAL)} optional"
    )
    if not header:
        raise InputError(f"{path}: empty file ({usage})")
    unknown = [h for h in header if h not in COLUMNS]
    needed = ("code",) if TARGET in header else REQUIRED
    missing = [c for c in needed if c not in header]
    if unknown or missing:
        problem = f"unknown column {unknown[0]!r}" if unknown else f"no column {missing[0]!r}"
        raise InputError(f"{path}: row 1: {problem} ({usage})")
    return header


def _row(path: Path, line: int, values: list[str], has_target: bool) -> Row:
    """One row's cells (in :data:`COLUMNS` order, stripped) checked: a code, and either a
    target or a source with a range of whole numbers."""
    target, source, start, end, code, coder, memo = values
    if not code:
        raise InputError(f"{_where(path, line, 'code')}: empty")
    if target:
        if source or start or end:
            raise InputError(
                f"{_where(path, line, TARGET)}: give either a target or source, start and "
                "end, not both"
            )
        return Row(line, "", 0, 0, code, coder or None, memo or None, target)
    if not (source and start and end):
        column = ("source", "start", "end")[[source, start, end].index("")]
        if has_target and not (source or start or end):
            column = TARGET
        raise InputError(f"{_where(path, line, column)}: empty")
    try:
        first, last = int(start), int(end)
    except ValueError:
        column, value = ("start", start) if not start.lstrip("-").isdigit() else ("end", end)
        raise InputError(f"{_where(path, line, column)}: {value!r} is not a whole number") from None
    if not 0 <= first < last:
        raise InputError(
            f"{_where(path, line, 'end')}: the range {first}-{last} "
            "must start at 0 or later and end after it starts"
        )
    return Row(line, source, first, last, code, coder or None, memo or None)


def resolve_targets(session: Session, path: Path | str, rows: list[Row]) -> list[Row]:
    """Rows with an address in ``target`` as rows with a source id and a range; each distinct
    address is resolved once, by the parser `qualcode code` uses, and a bad one names its row."""
    from qualcode.coding import resolve_target
    from qualcode.errors import QualcodeError

    places: dict[str, tuple[int, int, int]] = {}
    resolved = []
    for row in rows:
        if row.target is None:
            resolved.append(row)
            continue
        if row.target not in places:
            try:
                place = resolve_target(session, row.target)
            except QualcodeError as exc:
                raise InputError(f"{_where(path, row.line, TARGET)}: {exc}") from None
            places[row.target] = (place.source_id, place.start, place.end)
        source_id, start, end = places[row.target]
        resolved.append(replace(row, source=f"#{source_id}", start=start, end=end, target=None))
    return resolved


def _dialect_insert(session: Session, table: Table) -> sqlite.Insert | postgresql.Insert:
    """INSERT with ``on_conflict_do_nothing``: both SQLite and PostgreSQL have it."""
    if session.get_bind().dialect.name == "sqlite":
        return sqlite.insert(table)
    return postgresql.insert(table)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _resolve_sources(
    session: Session, path: Path | str, rows: list[Row]
) -> dict[str, tuple[int, str, int]]:
    """Source reference (title, ``12`` or ``#12``) -> (id, title, length); one query."""
    listing = session.execute(select(Source.id, Source.title, func.length(Source.text))).all()
    by_title = {fold(title): (sid, title, n) for sid, title, n in listing}
    by_id = {str(sid): (sid, title, n) for sid, title, n in listing}
    found: dict[str, tuple[int, str, int]] = {}
    for row in rows:
        ref = row.source
        if ref in found:
            continue
        key = ref.lstrip("#")
        hit = by_id.get(key) if key.isdigit() else None
        hit = hit or by_title.get(fold(ref))
        if hit is None:
            hint = lookup._suggest(session, Source.title, ref)
            raise InputError(f"{_where(path, row.line, 'source')}: no source {ref!r}{hint}")
        found[ref] = hit
    for row in rows:
        _sid, title, length = found[row.source]
        if row.end > length:
            raise InputError(
                f"{_where(path, row.line, 'end')}: {row.end} is past the end of source "
                f"{title!r} ({length} characters)"
            )
    return found


def _resolve_codes(
    session: Session, path: Path | str, rows: list[Row], create: bool, coder_id: int
) -> tuple[dict[str, int], list[str]]:
    first_row: dict[str, Row] = {}
    for row in rows:
        first_row.setdefault(fold(row.code), row)
    codes: dict[str, Code] = {}
    for chunk in _chunks(list(first_row)):
        for code in session.scalars(select(Code).where(Code.name_key.in_(chunk))):
            codes[code.name_key] = code
    created: list[str] = []
    for key, row in sorted(first_row.items()):  # one order in every session: no deadlocks
        found = codes.get(key)
        if found is None:
            if not create:
                hint = lookup._suggest(session, Code.name, row.code)
                raise InputError(f"{_where(path, row.line, 'code')}: no code {row.code!r}{hint}")
            found = codes[key] = team.ensure_code(session, row.code, session.get(Coder, coder_id))
            created.append(found.name)
        code = found
        if code.status != "active":
            raise InputError(
                f"{_where(path, row.line, 'code')}: code {code.name!r} is {code.status}; "
                "include it again to use it"
            )
    return {key: code.id for key, code in codes.items()}, created


Span = tuple[int, int, int]


def ensure_excerpts(session: Session, spans: set[Span]) -> tuple[dict[Span, int], list[Span]]:
    """(source_id, start, end) -> excerpt id for every span, inserting the missing ones in bulk;
    and the spans that were missing."""

    def existing() -> dict[tuple[int, int, int], int]:
        found: dict[tuple[int, int, int], int] = {}
        for chunk in _chunks(sorted({s[0] for s in spans})):
            query = select(Excerpt.source_id, Excerpt.start, Excerpt.end, Excerpt.id).where(
                Excerpt.source_id.in_(chunk)
            )
            found.update({(s, a, b): i for s, a, b, i in session.execute(query)})
        return found

    ids = existing()
    missing = sorted(spans - ids.keys())
    if missing:
        now = utcnow()
        stmt = _dialect_insert(session, cast(Table, Excerpt.__table__)).on_conflict_do_nothing()
        session.execute(
            stmt,
            [
                {"guid": new_guid(), "source_id": s, "start": a, "end": b, "created_at": now}
                for s, a, b in missing
            ],
        )
        ids = existing()
    return ids, missing


def insert_codings(session: Session, rows: list[dict[str, Any]]) -> list[str]:
    """Insert codings, skipping any (excerpt, code, coder) already there; the new rows' guids.

    The rows already there are found first (one query per 500 excerpts), so that the rest can go
    in as a plain ``executemany`` (pipelined on PostgreSQL); ``ON CONFLICT DO NOTHING`` still
    covers another session adding the same coding meanwhile, and then the guids are re-read.
    """
    table = cast(Table, Coding.__table__)
    existing: set[tuple[int, int, int]] = set()
    for chunk in _chunks(sorted({r["excerpt_id"] for r in rows})):
        query = select(table.c.excerpt_id, table.c.code_id, table.c.coder_id).where(
            table.c.excerpt_id.in_(chunk)
        )
        existing.update(tuple(row) for row in session.execute(query))
    new = [r for r in rows if (r["excerpt_id"], r["code_id"], r["coder_id"]) not in existing]
    if not new:
        return []
    result = session.execute(_dialect_insert(session, table).on_conflict_do_nothing(), new)
    guids = [r["guid"] for r in new]
    if cast(CursorResult[Any], result).rowcount == len(new):
        return guids
    stored: list[str] = []  # a concurrent session won some rows: keep only ours
    for chunk in _chunks(guids):
        stored += session.scalars(select(table.c.guid).where(table.c.guid.in_(chunk)))
    return stored


def apply_rows(
    session: Session,
    rows: list[Row],
    *,
    label: Path | str,
    coder_name: str | None = None,
    create: bool = True,
) -> BulkResult:
    """Apply checked rows inside the caller's transaction (see the module docstring)."""
    rows = resolve_targets(session, label, rows)
    sources = _resolve_sources(session, label, rows)
    coders, default = _resolve_coders(session, rows, coder_name)
    codes, created = _resolve_codes(session, label, rows, create, coders[fold(default)])
    spans = {(sources[r.source][0], r.start, r.end) for r in rows}
    excerpt_ids, new_spans = ensure_excerpts(session, spans)
    del spans
    now = utcnow()
    # Built and inserted BATCH rows at a time (one transaction still): memory stays bounded by
    # the batch and the undo log, not by a dict per row of the file. A coding an earlier batch
    # inserted is found by insert_codings like any coding already there: the first row wins.
    logged: list[list[Any]] = []
    for batch in _chunks(rows, BATCH):
        keyed: list[tuple[Span, tuple[int, int, int], str | None]] = []
        for r in batch:
            span = (sources[r.source][0], r.start, r.end)
            key = (excerpt_ids[span], codes[fold(r.code)], coders[fold(r.coder or default)])
            keyed.append((span, key, r.memo))
        logged += _insert_batch(session, keyed, now)
    event = None
    if logged:
        event = events.CODING_BULK.log(
            session,
            coders[fold(default)],
            {
                "file": str(label),
                "codings": logged,
                "excerpts_new": sorted([excerpt_ids[span], *span] for span in new_spans),
            },
        )
    return BulkResult(
        rows=len(rows),
        applied=len(logged),
        already=len(rows) - len(logged),
        excerpts_created=len(new_spans),
        codes_created=created,
        event_id=event.id if event else None,
    )


def _resolve_coders(
    session: Session, rows: list[Row], coder_name: str | None
) -> tuple[dict[str, int], str]:
    """Coder ids by folded name, and the name of the coder of rows that name none.

    The person running the import codes the rows without a coder (and is who the event names);
    when every row names its coder, nobody else is added to the project's coders."""
    runner = None
    if coder_name or any(row.coder is None for row in rows):
        runner = team.ensure_coder(session, coder_name)
    coders: dict[str, int] = {fold(runner.name): runner.id} if runner else {}
    for name in sorted({row.coder for row in rows if row.coder}):
        if fold(name) not in coders:
            coders[fold(name)] = team.ensure_coder(session, name).id
    return coders, runner.name if runner else rows[0].coder or ""


def _insert_batch(
    session: Session,
    keyed: list[tuple[Span, tuple[int, int, int], str | None]],
    now: dt.datetime,
) -> list[list[Any]]:
    """Insert a batch of (span, (excerpt, code, coder), memo), the first row of a coding only;
    the undo log's entries of the codings inserted."""
    seen: set[tuple[int, int, int]] = set()
    new_rows: list[dict[str, Any]] = []
    spans: list[Span] = []
    for span, key, memo in keyed:
        if key in seen:  # the first row of a coding wins, as before
            continue
        seen.add(key)
        new_rows.append(
            {
                "guid": new_guid(),
                "excerpt_id": key[0],
                "source_id": span[0],
                "code_id": key[1],
                "coder_id": key[2],
                "memo": memo,
                "created_at": now,
            }
        )
        spans.append(span)
    inserted = set(insert_codings(session, new_rows))
    return [
        [p["guid"], *span, p["code_id"], p["coder_id"], p["memo"]]
        for p, span in zip(new_rows, spans, strict=True)
        if p["guid"] in inserted
    ]


def apply_csv(
    project: Project, path: Path, *, coder: str | None = None, create: bool = True
) -> BulkResult:
    """Apply a codings CSV (columns source, start, end, code[, coder, memo], or target instead of
    source, start and end) all or nothing."""
    rows = read_rows(path)
    return project.transaction(
        lambda session: apply_rows(session, rows, label=path, coder_name=coder, create=create)
    )


def _bulk_undo(session: Session, payload: events.BulkCodings) -> None:
    guids = [row[0] for row in payload["codings"]]
    for chunk in _chunks(guids):
        session.execute(delete(Coding).where(Coding.guid.in_(chunk)))
    unused = ~select(Coding.id).where(Coding.excerpt_id == Excerpt.id).exists()
    for chunk in _chunks([row[0] for row in payload.get("excerpts_new", [])]):
        session.execute(delete(Excerpt).where(Excerpt.id.in_(chunk), unused))


def _bulk_redo(session: Session, payload: events.BulkCodings) -> None:
    rows = payload["codings"]
    # the excerpts the import made come back under their ids, so their codings do too
    remade = [
        {"id": i, "guid": new_guid(), "source_id": s, "start": a, "end": b, "created_at": utcnow()}
        for i, s, a, b in payload.get("excerpts_new", [])
    ]
    if remade:
        stmt = _dialect_insert(session, cast(Table, Excerpt.__table__)).on_conflict_do_nothing()
        session.execute(stmt, remade)
    excerpt_ids, _ = ensure_excerpts(session, {(s, a, b) for _g, s, a, b, *_rest in rows})
    now = utcnow()
    insert_codings(
        session,
        [
            {
                "guid": guid,
                "excerpt_id": excerpt_ids[(s, a, b)],
                "source_id": s,
                "code_id": code_id,
                "coder_id": coder_id,
                "memo": memo,
                "created_at": now,
            }
            for guid, s, a, b, code_id, coder_id, memo in rows
        ],
    )


events.undoable(events.CODING_BULK, undo=_bulk_undo, redo=_bulk_redo)
