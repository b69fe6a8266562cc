"""Codebook files: YAML (nested themes, one entry per code) and CSV (one flat row per code).

A file is read into plain data (:class:`qualcode.codebook_sync.Codebook`), checked whole, and only
then written into a project in one transaction (by :mod:`qualcode.codebook_sync`), so a bad file
leaves the project untouched. Export writes the canonical form: keys in a fixed order, defaults
left out, themes in tree order, codes in codebook order. The canonical form is what makes
``import`` then ``export`` give back the same file byte for byte.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.codebook_data import CODE_STATUSES, Codebook, CodeEntry, ImportSummary, ThemeEntry
from qualcode.errors import InputError
from qualcode.formats.inert import csv_cell, from_csv_cell
from qualcode.names import fold

if TYPE_CHECKING:
    from qualcode.db import Project
    from qualcode.formats.refi.importer import ImportSummary as RefiSummary

FORMAT_VERSION = 1
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
    doc = _load_yaml(text, label)
    book = Codebook(themes=_yaml_themes(doc.get("themes"), label))
    codes = doc.get("codes") or []
    if not isinstance(codes, list):
        raise InputError(f"{label}: 'codes' must be a list")
    book.codes = [_yaml_code(raw, label) for raw in codes]
    return validate(book, label)


def _load_yaml(text: str, label: str) -> dict[str, Any]:
    """The file's top mapping, its keys and format version checked."""
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
    return doc


def _yaml_themes(entries: Any, label: str) -> list[ThemeEntry]:
    """The nested themes, flattened depth first (each names its parent)."""
    themes: list[ThemeEntry] = []

    def walk(entries: Any, parent: str | None) -> None:
        if entries is None:
            return
        if not isinstance(entries, list):
            raise InputError(f"{label}: 'themes' must be a list")
        for raw in entries:
            entry, name = _named(label, raw, THEME_KEYS, "theme")
            themes.append(
                ThemeEntry(
                    name=name,
                    parent=parent,
                    description=_text(label, entry.get("description"), f"{name!r} description"),
                    heading=_text(label, entry.get("heading"), f"{name!r} heading"),
                )
            )
            walk(entry.get("themes"), name)

    try:
        walk(entries, None)
    except RecursionError:
        raise InputError(
            f"{label}: themes nest without end (a YAML alias that refers to itself)"
        ) from None
    return themes


def _yaml_code(raw: Any, label: str) -> CodeEntry:
    """One entry of 'codes', each value checked for its type."""
    entry, name = _named(label, raw, CODE_KEYS, "code")
    themes = entry.get("themes") or []
    if isinstance(themes, str):
        themes = [themes]
    if not isinstance(themes, list):
        raise InputError(f"{label}: code {name!r}: 'themes' must be a list of theme names")
    example = entry.get("example") or {}
    example = _keys(label, example, ("participant", "quote", "excerpt"), f"example of {name!r}")
    return CodeEntry(
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


def _split(cell: str) -> list[str]:
    """A cell holding several theme names, separated by ';' (empty cell: none; a blank name
    is kept, for the caller to refuse)."""
    return [part.strip() for part in cell.split(";")] if cell else []


def parse_csv(text: str, label: str) -> Codebook:
    """A codebook from the flat CSV form; themes come from the theme and sub_theme columns."""
    book = Codebook()
    known: dict[str, ThemeEntry] = {}

    def theme(name: str, parent: str | None, row: int) -> str:
        entry = known.get(fold(name))
        if entry is None:
            entry = known[fold(name)] = ThemeEntry(name=name, parent=parent)
            book.themes.append(entry)
        elif entry.parent != parent:
            raise InputError(f"{label}: row {row}: theme {name!r} has two parents")
        return entry.name

    for number, raw in enumerate(_csv_rows(text, label), start=2):
        if None in raw:
            raise InputError(f"{label}: row {number} has more cells than the header")
        row = {k.strip(): (v or "") for k, v in raw.items()}
        name = row.get("code", "")
        if not name.strip():
            raise InputError(f"{label}: row {number}: the code name is empty")
        mains, subs = _split(row.get("theme", "")), _split(row.get("sub_theme", ""))
        if len(subs) > len(mains):
            raise InputError(f"{label}: row {number}: a sub_theme without its theme")
        themes = []
        for i, main in enumerate(mains):
            if not main:
                raise InputError(f"{label}: row {number}: an empty theme name")
            theme(main, None, number)
            sub = subs[i] if i < len(subs) else ""
            themes.append(theme(sub, main, number) if sub else main)
        book.codes.append(_csv_code(row, name, themes, label))
    return validate(book, label)


def _csv_rows(text: str, label: str) -> list[dict[str, Any]]:
    """The rows as dicts by column, cells un-escaped (see formats.inert); the header checked."""
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
    return rows


def _csv_code(row: dict[str, str], name: str, themes: list[str], label: str) -> CodeEntry:
    """A code from one row (empty cells are unset values)."""
    return CodeEntry(
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


def validate(book: Codebook, label: str) -> Codebook:
    """Check what the database would refuse, and what it cannot see, before anything is written."""
    themes: dict[str, ThemeEntry] = {}
    for entry in book.themes:
        if fold(entry.name) in themes:
            raise InputError(f"{label}: theme {entry.name!r} appears twice")
        themes[fold(entry.name)] = entry
    codes: dict[str, CodeEntry] = {}
    for c in book.codes:
        if fold(c.name) in codes:
            raise InputError(f"{label}: code {c.name!r} appears twice (names ignore case)")
        codes[fold(c.name)] = c
    for c in book.codes:
        where = f"{label}: code {c.name!r}"
        for t in c.themes:
            if fold(t) not in themes:
                raise InputError(f"{where}: unknown theme {t!r}")
        if len({fold(t) for t in c.themes}) != len(c.themes):
            raise InputError(f"{where}: a theme is listed twice")
        if c.status not in CODE_STATUSES:
            raise InputError(
                f"{where}: status {c.status!r} is not one of {', '.join(CODE_STATUSES)}"
            )
        if (c.status == "merged") != (c.merged_into is not None):
            raise InputError(f"{where}: a merged code needs merged_into, and only a merged one")
        if c.merged_into is not None:
            target = codes.get(fold(c.merged_into))
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
        seen = {fold(c.name)}
        parent = c.parent
        while parent is not None:
            if fold(parent) not in codes:
                raise InputError(f"{where}: unknown parent code {parent!r}")
            if fold(parent) in seen:
                raise InputError(f"{where}: its parent codes form a cycle")
            seen.add(fold(parent))
            parent = codes[fold(parent)].parent
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


def import_codebook(project: Project, path: Path) -> ImportSummary | RefiSummary:
    """Import a codebook file (.yaml, .yml, .csv; .qdc through REFI-QDA) all or nothing."""
    path = Path(path)
    if path.suffix.lower() == ".qdc":
        from qualcode.formats import refi

        return refi.import_codebook(project, path)
    from qualcode.codebook_sync import apply_codebook

    book = load(path)
    return project.transaction(lambda session: apply_codebook(session, book, str(path)))


def export_codebook(project: Project, fmt: str, output: Path | None = None) -> str | None:
    """The project's codebook as yaml or csv text (also written to ``output``); qdc is written."""
    if fmt == "qdc":
        if output is None:
            raise InputError("--format qdc needs --output FILE.qdc")
        from qualcode.formats import refi

        refi.export_codebook(project, Path(output))
        return None
    from qualcode.codebook_sync import read_codebook

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
