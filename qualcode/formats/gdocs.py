"""Google Docs exports: commented interview notes become coded sources; a code-to-theme sheet
becomes the codebook's themes.

The thesis team coded in Google Docs: a comment on a passage names its code(s), separated by ";"
or new lines, and its author is the coder. Exported as .docx, the anchors are
``w:commentRangeStart``/``w:commentRangeEnd`` in word/document.xml and the comments sit in
word/comments.xml; python-docx parses both with lxml (no entities resolved, nothing fetched). The
text is assembled once with the anchors' positions in it, so a comment spanning paragraphs maps to
the same offsets as the stored text. The source, its segments, new codes and the codings are
written in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from qualcode.errors import InputError
from qualcode.names import fold

if TYPE_CHECKING:
    from qualcode.db import Project
    from qualcode.models import Code, Source
    from qualcode.sources import SourceOptions

_CODE_SEPARATORS = re.compile(r"[;\n]")
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
COMMENTS_EXTENDED = "/word/commentsExtended.xml"


def split_codes(comment: str) -> list[str]:
    """Code names in a comment: separated by ';' or new lines, blanks dropped, order kept."""
    names: list[str] = []
    for part in _CODE_SEPARATORS.split(comment):
        name = " ".join(part.split())
        if name and fold(name) not in {fold(n) for n in names}:
            names.append(name)
    return names


@dataclass(frozen=True)
class CommentCoding:
    """One comment read as codings: a trimmed range of the text, its codes and its author."""

    comment_id: str
    start: int
    end: int
    codes: list[str]
    author: str


@dataclass
class GdocsImport:
    """What a Google Docs import did (printed by the CLI)."""

    source_id: int = 0
    title: str = ""
    codings: int = 0
    codes_created: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (
            f"source #{self.source_id} {self.title!r}: {self.codings} codings by "
            f"{', '.join(self.coders) or 'nobody'}; {len(self.codes_created)} new codes"
        )
        if self.skipped:
            text += f"; skipped {len(self.skipped)} comments ({'; '.join(self.skipped)})"
        return text


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _reply_paragraphs(document: Any) -> set[str]:
    """Paragraph ids of comments that are replies in a thread (commentsExtended.xml): a reply
    ("I agree", "merge with X?") is discussion, not a code."""
    from docx.oxml.parser import parse_xml

    for part in document.part.package.iter_parts():
        if str(part.partname) == COMMENTS_EXTENDED:
            root = parse_xml(part.blob)
            return {
                entry.get(f"{{{W15}}}paraId")
                for entry in root.iter(f"{{{W15}}}commentEx")
                if entry.get(f"{{{W15}}}paraIdParent")
            }
    return set()


def read_comments(
    document: Any, text: str, starts: dict[str, int], ends: dict[str, int]
) -> tuple[list[CommentCoding], list[str]]:
    """The comments of a document as :class:`CommentCoding`, and why others were skipped."""
    from docx.oxml.ns import qn

    plans: list[CommentCoding] = []
    skipped: list[str] = []
    replies = _reply_paragraphs(document)
    for comment in document.comments:
        key = str(comment.comment_id)
        codes = split_codes(comment.text or "")
        if any(p._p.get(qn("w14:paraId")) in replies for p in comment.paragraphs):
            skipped.append(f"comment {key} is a reply")
            continue
        if key not in starts or key not in ends:
            skipped.append(f"comment {key} is not anchored to any text")
            continue
        start, end = _trim(text, starts[key], ends[key])
        if start >= end:
            skipped.append(f"comment {key} is anchored to no words")
        elif not codes:
            skipped.append(f"comment {key} names no code")
        else:
            plans.append(CommentCoding(key, start, end, codes, (comment.author or "").strip()))
    return plans, skipped


def _usable_code(session: Session, name: str, coder: Any, summary: GdocsImport) -> Code:
    """The code of that name (a merged one leads to the code it went into), created if new."""
    from qualcode import codebook

    code, created = codebook.find_or_create_code(session, name, coder)
    if created:
        summary.codes_created.append(code.name)
    while code.status == "merged" and code.merged_into is not None:
        code = code.merged_into
    return code


def import_gdocs(
    project: Project,
    path: Path,
    options: SourceOptions,
    coder_map: dict[str, str] | None = None,
) -> GdocsImport:
    """Import a Google Docs .docx export: its text as a source, its comments as codings."""
    from qualcode import coding, lookup, sources
    from qualcode.formats import documents, files

    coder_map = {fold(k.strip()): v for k, v in (coder_map or {}).items()}
    data = files.read_bytes(path, (".docx",))
    document = documents.open_docx(path, data)
    extracted = documents.docx_text(document)
    text = extracted.text
    if sources.normalise(text) != text:  # pragma: no cover - Word text holds no CR or BOM
        raise InputError(f"{path}: unexpected carriage returns in the document text")
    plans, skipped = read_comments(document, text, extracted.starts, extracted.ends)
    summary = GdocsImport(title=options.title or path.stem, skipped=skipped)

    def add_codings(session: Session, source: Source) -> None:
        coders: dict[str, Any] = {}
        for plan in plans:
            name = coder_map.get(fold(plan.author), plan.author) or None
            who = coders.get(name or "") or lookup.coder(session, name)
            coders[name or ""] = who
            for code_name in plan.codes:
                code = _usable_code(session, code_name, who, summary)
                target = coding.Target(source.id, plan.start, plan.end)
                try:
                    coding.apply_code(session, target, code, who)
                except InputError as exc:
                    raise InputError(f"{path}: comment {plan.comment_id}: {exc}") from None
                summary.codings += 1
        summary.coders = sorted({c.name for c in coders.values()})

    summary.source_id = sources.import_text(
        project,
        text,
        title=summary.title,
        options=options,
        imported_from=str(path.resolve()),
        digest=sources.checksum(data),
        label=str(path),
        then=add_codings,
    )
    return summary


# --- code-to-theme sheets ----------------------------------------------------------------------


@dataclass
class ThemeMapImport:
    themes_created: list[str] = field(default_factory=list)
    codes_created: list[str] = field(default_factory=list)
    assigned: int = 0

    def __str__(self) -> str:
        return (
            f"{len(self.themes_created)} themes created, {len(self.codes_created)} codes created, "
            f"{self.assigned} codes assigned"
        )


def _column(name: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def read_theme_sheet(path: Path) -> list[tuple[int, str, str, str]]:
    """(row, code, theme, sub-theme) rows of a .csv or .xlsx sheet with those columns.

    As kept in a spreadsheet, an empty theme cell continues the theme above (and its sub-theme,
    when the sub-theme cell is empty too); a theme written out with an empty sub-theme means the
    code belongs to the main theme.
    """
    import pandas as pd

    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        if suffix == ".csv":
            sheet = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suffix in (".xlsx", ".xlsm"):
            sheet = pd.read_excel(path, dtype=str, keep_default_na=False)
        else:
            raise InputError(f"{path}: a code-to-theme sheet must be .csv or .xlsx")
    except InputError:
        raise
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot read the sheet ({reason})") from None
    sheet.columns = [_column(c) for c in sheet.columns]
    sheet = sheet.rename(columns={"subtheme": "sub_theme", "code_name": "code"})
    missing = [c for c in ("code", "theme") if c not in sheet.columns]
    if missing:
        raise InputError(f"{path}: no {' or '.join(missing)} column in the header")
    if "sub_theme" not in sheet.columns:
        sheet["sub_theme"] = ""
    rows: list[tuple[int, str, str, str]] = []
    theme = sub = ""
    for number, (code, main, sub_cell) in enumerate(
        sheet[["code", "theme", "sub_theme"]].itertuples(index=False), start=2
    ):
        code, main, sub_cell = (" ".join(str(v).split()) for v in (code, main, sub_cell))
        if main:
            theme, sub = main, sub_cell
        elif sub_cell:
            sub = sub_cell
        if not code:
            continue
        if not theme:
            raise InputError(f"{path}: row {number}: code {code!r} has no theme")
        rows.append((number, code, theme, sub))
    if not rows:
        raise InputError(f"{path}: no codes in the sheet")
    return rows


def apply_theme_sheet(session: Session, path: Path) -> ThemeMapImport:
    """Create the sheet's themes and sub-themes and put each code in its (sub-)theme."""
    from qualcode import codebook, lookup

    rows = read_theme_sheet(path)
    summary = ThemeMapImport()

    def theme(name: str, parent: Any, number: int) -> Any:
        found = lookup.find_theme(session, name)
        if found is None:
            found = codebook.create_theme(session, name, parent=parent)
            summary.themes_created.append(found.name)
        elif parent is not None and found.parent_id != parent.id:
            if found.parent_id is not None:
                raise InputError(
                    f"{path}: row {number}: sub-theme {name!r} is under "
                    f"{found.parent.name if found.parent else '?'!r} already, not {parent.name!r}"
                )
            codebook.nest_theme(session, found, parent)
        return found

    for number, code_name, main, sub in rows:
        target = theme(main, None, number)
        if sub:
            target = theme(sub, target, number)
        code, created = codebook.find_or_create_code(session, code_name)
        if created:
            summary.codes_created.append(code.name)
        summary.assigned += codebook.assign_code(session, code, target)
    return summary
