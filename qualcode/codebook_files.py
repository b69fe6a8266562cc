"""Codebook files: YAML (nested themes, one entry per code) and CSV (one flat row per code).

A file is read into plain data (:class:`Codebook`), checked whole, and only then written into a
project in one transaction, so a bad file leaves the project untouched. Export writes the canonical
form: keys in a fixed order, defaults left out, themes in tree order, codes in codebook order. The
canonical form is what makes ``import`` then ``export`` give back the same file byte for byte.

A printed codebook's section heading can differ from the theme it was mapped to (Appendix B's
"Current Policy and Regulation Enhancements" is Chapter 4's "Recent Policies and Enhancements"). The
schema has no column for it, so it is kept as a memo on the theme titled :data:`HEADING_MEMO`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from qualcode.errors import InputError
from qualcode.formats.inert import csv_cell, from_csv_cell
from qualcode.models import (
    CODE_STATUSES,
    Code,
    CodeTheme,
    Coding,
    Excerpt,
    Memo,
    Participant,
    Source,
    Theme,
)

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project

FORMAT_VERSION = 1
HEADING_MEMO = "Printed heading"
YAML_HEADER = "# qualcode codebook: the format is described in docs/codebook.md\n"
CSV_COLUMNS = (
    "code",
    "theme",
    "sub_theme",
    "count",
    "status",
    "reason",
    "merged_into",
    "reconstructed",
    "participant",
    "quote",
    "definition",
    "parent",
    "colour",
    "provenance",
)
THEME_KEYS = ("name", "description", "heading", "themes")
CODE_KEYS = (
    "name",
    "parent",
    "definition",
    "themes",
    "count",
    "status",
    "reason",
    "merged_into",
    "reconstructed",
    "example",
    "colour",
    "provenance",
)
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$")


@dataclass
class ThemeEntry:
    name: str
    parent: str | None = None
    description: str | None = None
    heading: str | None = None


@dataclass
class CodeEntry:
    name: str
    themes: list[str] = field(default_factory=list)
    count: int | None = None
    status: str = "active"
    reason: str | None = None
    merged_into: str | None = None
    reconstructed: bool = False
    participant: str | None = None
    quote: str | None = None
    definition: str | None = None
    parent: str | None = None
    colour: str | None = None
    provenance: str | None = None
    excerpt: str | None = None  # the chosen example's address, SOURCE:START-END


@dataclass
class Codebook:
    """A codebook as plain data: themes in tree order (parents first), codes in codebook order."""

    themes: list[ThemeEntry] = field(default_factory=list)
    codes: list[CodeEntry] = field(default_factory=list)

    def children(self, parent: str | None) -> list[ThemeEntry]:
        return [t for t in self.themes if t.parent == parent]


# --- reading ------------------------------------------------------------------------------


def _text(label: str, value: Any, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(f"{label}: {what} must be text, not {type(value).__name__}")
    text = str(value)
    return text if text.strip() else None


def _count(label: str, value: Any, code: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(value) if not isinstance(value, bool | float) else None
    except (TypeError, ValueError):
        number = None
    if number is None or number < 0:
        raise InputError(f"{label}: code {code!r}: count {value!r} is not a whole number >= 0")
    return number


def _flag(label: str, value: Any, code: str) -> bool:
    if value in (None, "", False, "false", "no", "0"):
        return False
    if value in (True, "true", "yes", "1"):
        return True
    raise InputError(f"{label}: code {code!r}: reconstructed must be true or false, not {value!r}")


def _keys(label: str, entry: Any, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise InputError(f"{label}: each {what} must be a mapping of keys, not {entry!r}")
    unknown = sorted(set(map(str, entry)) - set(allowed))
    if unknown:
        raise InputError(f"{label}: {what} has unknown key(s) {', '.join(unknown)}")
    return entry


def _named(label: str, raw: Any, allowed: tuple[str, ...], what: str) -> tuple[dict, str]:
    """A theme's or code's entry, checked, and its name (which it must have)."""
    entry = _keys(label, raw, allowed, what)
    name = _text(label, entry.get("name"), f"a {what}'s name")
    if name is None:
        raise InputError(f"{label}: a {what} has no name")
    return entry, name


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte at offset {exc.start})") from None


def parse_yaml(text: str, label: str) -> Codebook:
    """A codebook from YAML text; InputError names ``label`` and the problem."""
    import yaml

    try:
        # libyaml's loader when present: the same documents, read ten times faster
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{label}: not valid YAML{where}: {problem}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{label}: expected a mapping with 'themes' and 'codes'")
    doc = _keys(label, doc, ("qualcode_codebook", "themes", "codes"), "the file")
    version = doc.get("qualcode_codebook", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise InputError(f"{label}: codebook format {version!r} is not supported (expected 1)")
    book = Codebook()

    def walk(entries: Any, parent: str | None) -> None:
        if entries is None:
            return
        if not isinstance(entries, list):
            raise InputError(f"{label}: 'themes' must be a list")
        for raw in entries:
            entry, name = _named(label, raw, THEME_KEYS, "theme")
            book.themes.append(
                ThemeEntry(
                    name=name,
                    parent=parent,
                    description=_text(label, entry.get("description"), f"{name!r} description"),
                    heading=_text(label, entry.get("heading"), f"{name!r} heading"),
                )
            )
            walk(entry.get("themes"), name)

    walk(doc.get("themes"), None)
    codes = doc.get("codes") or []
    if not isinstance(codes, list):
        raise InputError(f"{label}: 'codes' must be a list")
    for raw in codes:
        entry, name = _named(label, raw, CODE_KEYS, "code")
        themes = entry.get("themes") or []
        if isinstance(themes, str):
            themes = [themes]
        if not isinstance(themes, list):
            raise InputError(f"{label}: code {name!r}: 'themes' must be a list of theme names")
        example = entry.get("example") or {}
        example = _keys(label, example, ("participant", "quote", "excerpt"), f"example of {name!r}")
        book.codes.append(
            CodeEntry(
                name=name,
                themes=[_text(label, t, f"a theme of {name!r}") or "" for t in themes],
                count=_count(label, entry.get("count"), name),
                status=_text(label, entry.get("status"), f"status of {name!r}") or "active",
                reason=_text(label, entry.get("reason"), f"reason of {name!r}"),
                merged_into=_text(label, entry.get("merged_into"), f"merged_into of {name!r}"),
                reconstructed=_flag(label, entry.get("reconstructed"), name),
                participant=_text(label, example.get("participant"), f"participant of {name!r}"),
                quote=_text(label, example.get("quote"), f"quote of {name!r}"),
                definition=_text(label, entry.get("definition"), f"definition of {name!r}"),
                parent=_text(label, entry.get("parent"), f"parent of {name!r}"),
                colour=_text(label, entry.get("colour"), f"colour of {name!r}"),
                provenance=_text(label, entry.get("provenance"), f"provenance of {name!r}"),
                excerpt=_text(label, example.get("excerpt"), f"excerpt of {name!r}"),
            )
        )
    return validate(book, label)


def _split(cell: str) -> list[str]:
    """A cell holding several theme names, separated by ';' (empty cell: none)."""
    return [part.strip() for part in cell.split(";")] if cell.strip() else []


def parse_csv(text: str, label: str) -> Codebook:
    """A codebook from the flat CSV form; themes come from the theme and sub_theme columns."""
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = [h.strip() for h in (reader.fieldnames or [])]
        rows = [
            {k: from_csv_cell(v) if isinstance(v, str) else v for k, v in r.items()} for r in reader
        ]
    except csv.Error as exc:
        raise InputError(f"{label}: not a readable CSV file ({exc})") from None
    if "code" not in header:
        raise InputError(f"{label}: no 'code' column in the header")
    unknown = sorted(set(header) - set(CSV_COLUMNS))
    if unknown:
        raise InputError(f"{label}: unknown column(s) {', '.join(unknown)}")
    book = Codebook()
    known: dict[str, ThemeEntry] = {}

    def theme(name: str, parent: str | None, row: int) -> str:
        entry = known.get(name.lower())
        if entry is None:
            entry = known[name.lower()] = ThemeEntry(name=name, parent=parent)
            book.themes.append(entry)
        elif entry.parent != parent:
            raise InputError(f"{label}: row {row}: theme {name!r} has two parents")
        return entry.name

    for number, raw in enumerate(rows, start=2):
        if None in raw:
            raise InputError(f"{label}: row {number} has more cells than the header")
        row = {k.strip(): (v or "") for k, v in raw.items()}
        name = row.get("code", "")
        if not name.strip():
            raise InputError(f"{label}: row {number}: the code name is empty")
        mains = [t.strip() for t in row.get("theme", "").split(";")] if row.get("theme") else []
        subs = (
            [t.strip() for t in row.get("sub_theme", "").split(";")] if row.get("sub_theme") else []
        )
        if len(subs) > len(mains):
            raise InputError(f"{label}: row {number}: a sub_theme without its theme")
        themes = []
        for i, main in enumerate(mains):
            if not main:
                raise InputError(f"{label}: row {number}: an empty theme name")
            theme(main, None, number)
            sub = subs[i] if i < len(subs) else ""
            themes.append(theme(sub, main, number) if sub else main)
        book.codes.append(
            CodeEntry(
                name=name,
                themes=themes,
                count=_count(label, row.get("count"), name),
                status=row.get("status") or "active",
                reason=row.get("reason") or None,
                merged_into=row.get("merged_into") or None,
                reconstructed=_flag(label, row.get("reconstructed"), name),
                participant=row.get("participant") or None,
                quote=row.get("quote") or None,
                definition=row.get("definition") or None,
                parent=row.get("parent") or None,
                colour=row.get("colour") or None,
                provenance=row.get("provenance") or None,
            )
        )
    return validate(book, label)


def validate(book: Codebook, label: str) -> Codebook:
    """Check what the database would refuse, and what it cannot see, before anything is written."""
    themes: dict[str, ThemeEntry] = {}
    for t in book.themes:
        if t.name.lower() in themes:
            raise InputError(f"{label}: theme {t.name!r} appears twice")
        themes[t.name.lower()] = t
    codes: dict[str, CodeEntry] = {}
    for c in book.codes:
        if c.name.lower() in codes:
            raise InputError(f"{label}: code {c.name!r} appears twice (names ignore case)")
        codes[c.name.lower()] = c
    for c in book.codes:
        where = f"{label}: code {c.name!r}"
        for t in c.themes:
            if t.lower() not in themes:
                raise InputError(f"{where}: unknown theme {t!r}")
        if len({t.lower() for t in c.themes}) != len(c.themes):
            raise InputError(f"{where}: a theme is listed twice")
        if c.status not in CODE_STATUSES:
            raise InputError(
                f"{where}: status {c.status!r} is not one of {', '.join(CODE_STATUSES)}"
            )
        if (c.status == "merged") != (c.merged_into is not None):
            raise InputError(f"{where}: a merged code needs merged_into, and only a merged one")
        if c.merged_into is not None:
            target = codes.get(c.merged_into.lower())
            if target is None:
                raise InputError(f"{where}: merged into unknown code {c.merged_into!r}")
            if target is c or target.status != "active":
                raise InputError(f"{where}: merged into {c.merged_into!r}, which is not active")
        if c.status == "excluded" and not c.reason:
            raise InputError(f"{where}: an excluded code needs a reason")
        if c.colour is not None and not _COLOUR.match(c.colour):
            raise InputError(f"{where}: colour {c.colour!r} is not #RRGGBB")
        if c.quote is None and c.participant is not None:
            raise InputError(f"{where}: a participant without a quote")
        seen = {c.name.lower()}
        parent = c.parent
        while parent is not None:
            if parent.lower() not in codes:
                raise InputError(f"{where}: unknown parent code {parent!r}")
            if parent.lower() in seen:
                raise InputError(f"{where}: its parent codes form a cycle")
            seen.add(parent.lower())
            parent = codes[parent.lower()].parent
    return book


def load(path: Path) -> Codebook:
    """Read a .yaml/.yml or .csv codebook file into plain data (nothing is written)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return parse_yaml(_read_text(path), str(path))
    if suffix == ".csv":
        return parse_csv(_read_text(path), str(path))
    raise InputError(f"{path}: a codebook file must be .yaml, .yml, .csv or .qdc")


# --- writing ------------------------------------------------------------------------------


def _code_dict(c: CodeEntry) -> dict[str, Any]:
    out: dict[str, Any] = {"name": c.name}
    if c.parent:
        out["parent"] = c.parent
    if c.definition:
        out["definition"] = c.definition
    if c.themes:
        out["themes"] = list(c.themes)
    out["count"] = c.count
    if c.status != "active":
        out["status"] = c.status
    if c.reason:
        out["reason"] = c.reason
    if c.merged_into:
        out["merged_into"] = c.merged_into
    if c.reconstructed:
        out["reconstructed"] = True
    if c.quote:
        out["example"] = {"participant": c.participant, "quote": c.quote}
        if c.participant is None:
            del out["example"]["participant"]
        if c.excerpt:
            out["example"]["excerpt"] = c.excerpt
    if c.colour:
        out["colour"] = c.colour
    if c.provenance:
        out["provenance"] = c.provenance
    return out


def _theme_dicts(book: Codebook, parent: str | None) -> list[dict[str, Any]]:
    out = []
    for t in book.children(parent):
        entry: dict[str, Any] = {"name": t.name}
        if t.description:
            entry["description"] = t.description
        if t.heading:
            entry["heading"] = t.heading
        children = _theme_dicts(book, t.name)
        if children:
            entry["themes"] = children
        out.append(entry)
    return out


def dump_yaml(book: Codebook) -> str:
    """The canonical YAML text of a codebook."""
    import yaml

    doc = {
        "qualcode_codebook": FORMAT_VERSION,
        "themes": _theme_dicts(book, None),
        "codes": [_code_dict(c) for c in book.codes],
    }
    body = yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, default_flow_style=False, width=96
    )
    return YAML_HEADER + body


def dump_csv(book: Codebook) -> str:
    """The canonical flat CSV text: one row per code (theme descriptions are not kept)."""
    parents = {t.name: t.parent for t in book.themes}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in book.codes:
        mains = [parents[t] or t for t in c.themes]
        subs = [t if parents[t] else "" for t in c.themes]
        writer.writerow(
            map(
                csv_cell,
                [
                    c.name,
                    "; ".join(mains),
                    "; ".join(subs).rstrip("; ") if any(subs) else "",
                    "" if c.count is None else c.count,
                    c.status,
                    c.reason or "",
                    c.merged_into or "",
                    "true" if c.reconstructed else "",
                    c.participant or "",
                    c.quote or "",
                    c.definition or "",
                    c.parent or "",
                    c.colour or "",
                    c.provenance or "",
                ],
            )
        )
    return out.getvalue()


# --- the project ----------------------------------------------------------------------------


@dataclass
class ImportSummary:
    codes_created: int = 0
    codes_updated: int = 0
    themes_created: int = 0
    participants_created: int = 0

    def __str__(self) -> str:
        return (
            f"{self.codes_created} codes created, {self.codes_updated} updated, "
            f"{self.themes_created} themes created, "
            f"{self.participants_created} participants created"
        )


def _set_heading(session: Session, theme: Theme, heading: str | None) -> None:
    memo = session.scalar(select(Memo).where(Memo.theme_id == theme.id, Memo.title == HEADING_MEMO))
    if heading is None and memo is not None:
        session.delete(memo)
    elif heading is not None and memo is None:
        session.add(Memo(theme_id=theme.id, title=HEADING_MEMO, body=heading))
    elif heading is not None and memo is not None:
        memo.body = heading


def apply_codebook(session: Session, book: Codebook, label: str) -> ImportSummary:
    """Write a checked codebook into a project: codes and themes matched by name (ignoring
    case) are updated, others created; each listed code's theme links become the file's."""
    from qualcode import codebook as ops
    from qualcode import events, lookup

    summary = ImportSummary()
    themes: dict[str, Theme] = {}
    for entry in book.themes:
        parent = themes[entry.parent.lower()] if entry.parent else None
        theme = lookup.find_theme(session, entry.name)
        if theme is None:
            theme = ops.create_theme(session, entry.name, parent=parent)
            summary.themes_created += 1
        elif theme.parent_id != (parent.id if parent else None):
            ops.nest_theme(session, theme, parent)
        theme.description = entry.description
        _set_heading(session, theme, entry.heading)
        themes[entry.name.lower()] = theme

    codes: dict[str, Code] = {}
    people = {p.pseudonym.lower(): p for p in session.scalars(select(Participant))}
    existing = {c.name.lower(): c for c in session.scalars(select(Code))}
    for entry in book.codes:
        code = existing.get(entry.name.lower())
        fields = {"reported_count": entry.count, "example_quote": entry.quote}
        if code is None:
            code = ops.create_code(
                session, entry.name, definition=entry.definition, colour=entry.colour
            )
            # a new code's creation event is its undo; these fields need no event of their own
            for key, value in fields.items():
                setattr(code, key, value)
            summary.codes_created += 1
        else:
            if code.status == "merged" and entry.status != "merged":
                raise InputError(
                    f"{label}: code {code.name!r} is merged in the project; "
                    "undo the merge before importing it as " + entry.status
                )
            fields.update(name=entry.name, definition=entry.definition, colour=entry.colour)
            changes = {k: v for k, v in fields.items() if getattr(code, k) != v}
            if changes:
                ops.update_code(session, code, **changes)
            summary.codes_updated += 1
        participant = None
        if entry.participant is not None:
            participant = people.get(entry.participant.lower())
            if participant is None:
                participant = Participant(pseudonym=entry.participant, position=len(people) + 1)
                session.add(participant)
                session.flush()
                people[entry.participant.lower()] = participant
                summary.participants_created += 1
        code.example_participant_id = participant.id if participant else None
        code.example_excerpt_id = _chosen_excerpt(session, code, entry.excerpt)
        code.reconstructed = entry.reconstructed
        code.provenance = entry.provenance
        codes[entry.name.lower()] = code

    for entry in book.codes:
        code = codes[entry.name.lower()]
        parent = codes[entry.parent.lower()] if entry.parent else None
        wanted_parent = parent.id if parent else None
        if code.parent_id != wanted_parent:
            ops.update_code(session, code, parent_id=wanted_parent)
        wanted = [themes[t.lower()] for t in entry.themes]
        current = {link.theme_id: link.theme for link in code.theme_links}
        for theme in list(current.values()):
            if theme not in wanted:
                ops.unassign_code(session, code, theme)
        for theme in wanted:
            ops.assign_code(session, code, theme)
        if entry.status == "merged" and code.status != "merged":
            ops.merge_codes(session, codes[entry.merged_into.lower()], code)
        elif entry.status == "excluded":
            if code.status != "excluded" or code.status_reason != entry.reason:
                ops.exclude_code(session, code, entry.reason or "")
        elif entry.status == "active" and code.status == "excluded":
            ops.include_code(session, code)
    events.log(session, "codebook.import", None, file=label, summary=str(summary))
    return summary


def _chosen_excerpt(session: Session, code: Code, address: str | None) -> int | None:
    """The excerpt a codebook file names as a code's chosen example, where this project has it
    and it carries the code; elsewhere None (the file's quote still prints as imported)."""
    from qualcode import codebook as ops
    from qualcode.errors import QualcodeError

    if address is None:
        return None
    try:
        excerpt = ops.example_excerpt(session, address)
    except QualcodeError:
        return None
    coded = session.scalar(
        select(func.count()).where(Coding.excerpt_id == excerpt.id, Coding.code_id == code.id)
    )
    return excerpt.id if coded else None


def import_codebook(project: Project, path: Path) -> ImportSummary | Any:
    """Import a codebook file (.yaml, .yml, .csv; .qdc through REFI-QDA) all or nothing."""
    path = Path(path)
    if path.suffix.lower() == ".qdc":
        from qualcode.formats import refi

        return refi.import_codebook(project, path)
    book = load(path)
    return project.transaction(lambda session: apply_codebook(session, book, str(path)))


def read_codebook(session: Session) -> Codebook:
    """The project's codebook as plain data, in the canonical order."""
    theme_rows = session.scalars(select(Theme).order_by(Theme.position, Theme.id)).all()
    headings = dict(
        session.execute(
            select(Memo.theme_id, Memo.body).where(
                Memo.theme_id.is_not(None), Memo.title == HEADING_MEMO
            )
        ).all()
    )
    by_id = {t.id: t for t in theme_rows}
    book = Codebook()
    order: dict[int, int] = {}

    def walk(parent_id: int | None) -> None:
        for t in theme_rows:
            if t.parent_id == parent_id:
                order[t.id] = len(order)
                book.themes.append(
                    ThemeEntry(
                        name=t.name,
                        parent=by_id[t.parent_id].name if t.parent_id else None,
                        description=t.description,
                        heading=headings.get(t.id),
                    )
                )
                walk(t.id)

    walk(None)
    links: dict[int, list[int]] = {}
    for code_id, theme_id in session.execute(select(CodeTheme.code_id, CodeTheme.theme_id)).all():
        links.setdefault(code_id, []).append(theme_id)
    pseudonyms = dict(session.execute(select(Participant.id, Participant.pseudonym)).all())
    code_rows = session.scalars(select(Code).order_by(Code.position, Code.id)).all()
    names = {c.id: c.name for c in code_rows}
    chosen = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                Code.id,
                Source.participant_id,
                func.substr(Source.text, Excerpt.start + 1, Excerpt.end - Excerpt.start),
                Source.title + ":" + cast(Excerpt.start, String) + "-" + cast(Excerpt.end, String),
            )
            .join(Excerpt, Excerpt.id == Code.example_excerpt_id)
            .join(Source, Source.id == Excerpt.source_id)
        )
    }
    for c in code_rows:
        who, quote, excerpt = chosen.get(c.id, (c.example_participant_id, c.example_quote, None))
        book.codes.append(
            CodeEntry(
                name=c.name,
                themes=[by_id[t].name for t in sorted(links.get(c.id, []), key=order.get)],
                count=c.reported_count,
                status=c.status,
                reason=c.status_reason,
                merged_into=names.get(c.merged_into_id) if c.merged_into_id else None,
                reconstructed=c.reconstructed,
                participant=pseudonyms.get(who),
                quote=quote,
                definition=c.definition,
                parent=names.get(c.parent_id) if c.parent_id else None,
                colour=c.colour,
                provenance=c.provenance,
                excerpt=excerpt,
            )
        )
    return book


def export_codebook(project: Project, fmt: str, output: Path | None = None) -> str | None:
    """The project's codebook as yaml or csv text (also written to ``output``); qdc is written."""
    if fmt == "qdc":
        if output is None:
            raise InputError("--format qdc needs --output FILE.qdc")
        from qualcode.formats import refi

        refi.export_codebook(project, Path(output))
        return None
    with project.session(write=False) as session:
        book = read_codebook(session)
    if fmt == "yaml":
        text = dump_yaml(book)
    elif fmt == "csv":
        text = dump_csv(book)
    else:
        raise InputError(f"cannot export a codebook as {fmt!r} (use yaml, csv or qdc)")
    if output is not None:
        Path(output).write_text(text, encoding="utf-8")
        return None
    return text


def codebook_frame(project: Project) -> pd.DataFrame:
    """The codebook as a table: one row per code, in codebook order."""
    import pandas as pd

    with project.session(write=False) as session:
        book = read_codebook(session)
    columns = ["code", "themes", "count", "status", "reconstructed", "participant"]
    return pd.DataFrame(
        [
            [
                c.name,
                "; ".join(c.themes),
                c.count,
                c.status if c.status != "merged" else f"merged into {c.merged_into}",
                "yes" if c.reconstructed else "",
                c.participant or "",
            ]
            for c in book.codes
        ],
        columns=columns,
    ).astype({"count": "Int64"})
