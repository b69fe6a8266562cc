"""Importing a folder of cases from one manifest: ``qualcode import --from sources.csv``.

A manifest names each file with its title, participant, kind and language; any other column is a
participant attribute (profession, city), and the participant fields of the participants file
(organisation, role, location, mode, date) fill those fields. Every row is checked and every file
read and segmented before anything is written; then all sources, participants and attributes go
in in ONE transaction, so a bad row leaves the project as it was.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode import participants, sources
from qualcode.errors import InputError, QualcodeError
from qualcode.formats import files
from qualcode.models import SOURCE_KINDS, Participant, Source
from qualcode.names import fold

if TYPE_CHECKING:
    from qualcode.db import Project

SOURCE_COLUMNS = ("file", "title", "participant", "kind", "language")
PARTICIPANT_FIELDS = {
    alias: name
    for alias, name in participants.ALIASES.items()
    if name != "pseudonym"  # "participant" names the participant in a manifest
}


@dataclass
class Entry:
    """One manifest row, checked for form: a file to import and what the user says about it."""

    line: int
    path: Path
    options: sources.SourceOptions
    fields: dict[str, object] = field(default_factory=dict)  # participant fields
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Prepared:
    """A file read and segmented, ready to store."""

    entry: Entry
    ready: sources.Segmented


def _where(path: Path, line: int, column: str | None = None) -> str:
    return f"{path}: row {line}" + (f", column {column}" if column else "")


def read_manifest(path: Path, defaults: sources.SourceOptions) -> list[Entry]:
    """Check a manifest's form: header, files that exist, known kinds, titles used once."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte at offset {exc.start})") from None
    try:
        lines = list(csv.reader(text.splitlines(), strict=True))
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    if not lines:
        raise InputError(f"{path}: empty file (columns: {', '.join(SOURCE_COLUMNS)}, ...)")
    header = [h.strip() for h in lines[0]]
    keys = [h.lower() for h in header]
    if "file" not in keys:
        raise InputError(f"{path}: row 1: no column 'file' (columns: {', '.join(SOURCE_COLUMNS)})")
    for number, name in enumerate(header, start=1):
        if not name:
            raise InputError(f"{path}: row 1: column {number} has no name")
        if keys.index(name.lower()) != number - 1:
            raise InputError(f"{path}: row 1: column {name!r} appears twice")
    entries: list[Entry] = []
    titles: dict[str, int] = {}
    folder = path.parent
    for line, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise InputError(
                f"{_where(path, line)}: {len(cells)} cells where the header has {len(header)}"
            )
        row = {key: cell.strip() for key, cell in zip(keys, cells, strict=True)}
        entry = _entry(path, line, row, header, folder, defaults)
        title = entry.options.title or entry.path.stem
        if fold(title) in titles:
            raise InputError(
                f"{_where(path, line, 'title')}: the title {title!r} is used by row "
                f"{titles[fold(title)]} too"
            )
        titles[fold(title)] = line
        entries.append(entry)
    if not entries:
        raise InputError(f"{path}: no files to import (only a header)")
    return entries


def _entry(
    path: Path,
    line: int,
    row: dict[str, str],
    header: list[str],
    folder: Path,
    defaults: sources.SourceOptions,
) -> Entry:
    if not row["file"]:
        raise InputError(f"{_where(path, line, 'file')}: empty")
    file = Path(row["file"]).expanduser()
    file = file if file.is_absolute() else folder / file
    if not file.exists():
        raise InputError(f"{_where(path, line, 'file')}: {row['file']}: no such file")
    kind = row.get("kind") or defaults.kind
    if kind not in SOURCE_KINDS:
        raise InputError(
            f"{_where(path, line, 'kind')}: {kind!r} is not a kind ({', '.join(SOURCE_KINDS)})"
        )
    options = sources.SourceOptions(
        participant=row.get("participant") or defaults.participant,
        kind=kind,
        language=row.get("language") or defaults.language,
        title=row.get("title") or None,
        encoding=defaults.encoding,
        model=defaults.model,
        interviewer=defaults.interviewer,
    )
    entry = Entry(line, file, options)
    for name in header:
        key = name.lower()
        value = row[key]
        if key in SOURCE_COLUMNS or not value:
            continue
        if options.participant is None:
            raise InputError(
                f"{_where(path, line, name)}: a participant column, but this row names no "
                "participant to carry it"
            )
        if PARTICIPANT_FIELDS.get(key) == "interview_date":
            try:
                entry.fields["interview_date"] = participants.parse_date(value)
            except ValueError:
                raise InputError(
                    f"{_where(path, line, name)}: {value!r} is not a date (use 2024-04-11)"
                ) from None
        elif key in PARTICIPANT_FIELDS:
            entry.fields[PARTICIPANT_FIELDS[key]] = value
        else:
            entry.attributes[name] = value
    return entry


def prepare(
    manifest: Path,
    entries: list[Entry],
    progress: Callable[[Entry, int, int], None] | None = None,
    abbreviations: tuple[str, ...] = (),
) -> list[Prepared]:
    """Read and segment every file (the slow part) before the write transaction opens; a file
    that cannot be read names its manifest row."""
    ready = []
    for entry in entries:
        try:
            item = files.read_source(entry.path, entry.options)
        except QualcodeError as exc:
            raise InputError(f"{_where(manifest, entry.line, 'file')}: {exc}") from None
        item = replace(item, label=_where(manifest, entry.line))
        per_file = _per_file(progress, entry) if progress else None
        ready.append(Prepared(entry, sources.segment(item, entry.options, abbreviations, per_file)))
    return ready


def _per_file(progress: Callable[[Entry, int, int], None], entry: Entry) -> sources.Progress:
    """The segmentation's progress (characters done, in all) as the manifest's."""
    return lambda done, total: progress(entry, done, total)


def store(session: Session, manifest: Path, ready: list[Prepared]) -> list[tuple[Entry, int]]:
    """Add every prepared file with its participant and attributes; the new sources' ids."""

    position = session.scalar(select(func.count()).select_from(Participant)) or 0
    taken = sources.Taken.of(session, (item.ready.incoming for item in ready))
    done = []
    for item in ready:
        entry = item.entry
        taken.check(item.ready.incoming)  # a file imported before, or twice in the manifest
        taken.take(item.ready.incoming)
        person = None
        if entry.options.participant:
            row = {"pseudonym": entry.options.participant, **entry.fields}
            row["attributes"] = entry.attributes
            person, created = participants.upsert(session, row, position + 1)
            position += created
        participant = person.id if person else None
        logged = {"manifest": str(manifest)}
        source_id = sources.store(session, item.ready, entry.options, participant, logged=logged)
        done.append((entry, source_id))
    return done


def import_manifest(
    project: Project,
    manifest: Path,
    defaults: sources.SourceOptions = sources.SourceOptions(),
    progress: Callable[[Entry, int, int], None] | None = None,
) -> list[tuple[Entry, int]]:
    """Import every file a manifest names, all or nothing; (entry, new source id) per file."""
    entries = read_manifest(manifest, defaults)
    from qualcode import segments

    with project.session(write=False) as session:
        taken = {fold(t): t for t in session.scalars(select(Source.title))}
        own = segments.abbreviations(session)
    for entry in entries:
        title = entry.options.title or entry.path.stem
        if fold(title) in taken:
            raise InputError(
                f"{_where(manifest, entry.line, 'title')}: a source titled "
                f"{taken[fold(title)]!r} exists already"
            )
    ready = prepare(manifest, entries, progress, own)
    try:
        return project.transaction(lambda session: store(session, manifest, ready))
    except InputError as exc:
        text = str(exc)
        prefixed = text if text.startswith(str(manifest)) else f"{manifest}: {text}"
        raise InputError(prefixed) from None
