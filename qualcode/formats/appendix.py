"""The codebook printed the way a thesis appendix prints it (Appendix B of the model thesis).

One table: per section a header row (section | Example of a code | Number of codes), then one row
per active code: name | ``Expert X: 'quote'`` | count. A section is a theme (under its printed
heading where one is kept, see ``codebook_sync.HEADING_MEMO``); sub-themes follow their parent.

Counts come from the reports (:func:`qualcode.reports.code_figures`): codings (default),
participants or excerpts; ``reported`` prints the tallies imported from a printed codebook. The
example is the one :mod:`qualcode.code_examples` picks. Sections follow the theme tree, except with
``reported`` counts, where each section comes at its first code so that an imported printed
codebook prints in its own order. Excluded and merged codes are not printed (a merged code's
codings count under the code kept), as in the reports.

Documents are built for print: docx on A4 (or Letter, portrait or landscape) with column widths
from the content, the header row repeated on each page and section rows as headings that stay with
their codes; xlsx with numbers as numbers, a frozen header row and column widths; tex as a booktabs
longtable; md, csv and the terminal through :mod:`qualcode.formats.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from qualcode.codebook_sync import HEADING_MEMO
from qualcode.errors import InputError
from qualcode.formats.inert import xlsx_cell, xml_text
from qualcode.models import Code, CodeTheme, Memo, Theme

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project

EXAMPLE = "Example of a code"
COUNT = "Number of codes"
# the count column's header: the thesis's own for codings and printed tallies
COUNT_HEADERS = {
    "codings": COUNT,
    "reported": COUNT,
    "participants": "Number of participants",
    "excerpts": "Number of excerpts",
}
NO_THEME = "Codes in no theme"
FORMATS = ("table", "md", "csv", "xlsx", "docx", "tex")
COUNTS = ("codings", "participants", "excerpts", "reported")
PAPERS = ("a4", "letter")
DEFAULT_MAX_WORDS = 60
TITLE = "Codebook"


@dataclass(frozen=True)
class Layout:
    """How the appendix is counted and printed."""

    counts: str = "codings"
    max_words: int = DEFAULT_MAX_WORDS
    paper: str = "a4"
    landscape: bool = False

    def check(self) -> None:
        if self.counts not in COUNTS:
            raise InputError(f"--counts must be one of {', '.join(COUNTS)}, not {self.counts!r}")
        if self.paper not in PAPERS:
            raise InputError(f"--paper must be a4 or letter, not {self.paper!r}")
        if self.max_words < 0:
            raise InputError(
                f"--max-quote-words must be 0 (no limit) or more, not {self.max_words}"
            )


def _listing(project: Project) -> pd.DataFrame:
    """(theme, code) rows of active codes with positions; a code in no theme has no theme."""
    import pandas as pd

    heading = aliased(Memo)
    query = (
        select(
            Theme.id.label("theme_id"),
            Theme.name.label("theme"),
            Theme.parent_id.label("parent_id"),
            heading.body.label("heading"),
            Code.id.label("code_id"),
            Code.name.label("code"),
            Code.position.label("code_position"),
            CodeTheme.position.label("link_position"),
            Code.reported_count.label("reported"),
        )
        .select_from(Code)
        .outerjoin(CodeTheme, CodeTheme.code_id == Code.id)
        .outerjoin(Theme, Theme.id == CodeTheme.theme_id)
        .outerjoin(heading, and_(heading.theme_id == Theme.id, heading.title == HEADING_MEMO))
        .where(Code.status == "active")
    )
    with project.session(write=False) as session:
        return pd.DataFrame(
            session.execute(query).all(), columns=list(query.selected_columns.keys())
        )


def _tree(project: Project) -> list[tuple[int, str, int]]:
    """(theme id, printed name, depth) depth-first in the codebook's order."""
    with project.session(write=False) as session:
        themes = session.execute(
            select(Theme.id, Theme.name, Theme.parent_id).order_by(Theme.position, Theme.id)
        ).all()
        headings = dict(
            session.execute(
                select(Memo.theme_id, Memo.body).where(
                    Memo.theme_id.is_not(None), Memo.title == HEADING_MEMO
                )
            ).all()
        )
    known = {tid for tid, _, _ in themes}
    children: dict[int | None, list[tuple[int, str]]] = {}
    for tid, name, parent in themes:
        children.setdefault(parent if parent in known else None, []).append((tid, name))
    out: list[tuple[int, str, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for tid, name in children.get(parent, []):
            out.append((tid, headings.get(tid) or name, depth))
            walk(tid, depth + 1)

    walk(None, 0)
    return out


def rows(project: Project, layout: Layout = Layout()) -> pd.DataFrame:
    """One row per (section, active code) in printed order: section, theme, level, code,
    example, count (an integer; missing only for an unknown reported tally)."""
    from qualcode import code_examples, reports

    layout.check()
    data = _listing(project)
    data["theme_id"] = data["theme_id"].fillna(-1).astype(int)
    data["link_position"] = data["link_position"].fillna(0)
    if layout.counts == "reported":
        data["count"] = data["reported"].astype("Int64")
        data["section"] = data["heading"].where(data["heading"].notna(), data["theme"])
        data["section"] = data["section"].fillna(NO_THEME)
        data["level"] = 0
        data["section_order"] = data.groupby("theme_id")["code_position"].transform("min")
    else:
        figures = reports.code_figures(project).set_index("id")[layout.counts]
        data["count"] = data["code_id"].map(figures).fillna(0).astype(int)
        tree = _tree(project)
        order = {tid: i for i, (tid, _, _) in enumerate(tree)}
        names = {tid: name for tid, name, _ in tree}
        depth = {tid: d for tid, _, d in tree}
        data["section"] = data["theme_id"].map(names).fillna(NO_THEME)
        data["level"] = data["theme_id"].map(depth).fillna(0).astype(int)
        data["section_order"] = data["theme_id"].map(order).fillna(len(order))
    data = data.sort_values(["section_order", "theme_id", "link_position", "code_position"])
    with project.session(write=False) as session:
        quotes = code_examples.examples(session)
    data["example"] = [
        code_examples.cite(quotes.get(cid), layout.max_words) for cid in data["code_id"]
    ]
    columns = ["section", "theme", "level", "code", "example", "count"]
    out = data[columns].reset_index(drop=True)
    if layout.counts != "reported":
        out = _with_parent_sections(out, project)
    return out


def _with_parent_sections(data: pd.DataFrame, project: Project) -> pd.DataFrame:
    """Rows for themes that hold no code themselves but have sub-themes that do, so that a
    sub-theme never prints without its parent's heading (code empty: a heading only)."""
    import pandas as pd

    tree = _tree(project)
    present = set(data["section"])
    wanted: list[tuple[str, int]] = []
    parents: list[tuple[str, int]] = []
    for _tid, name, depth in tree:
        parents = [p for p in parents if p[1] < depth] + [(name, depth)]
        if name in present:
            for parent in parents[:-1]:
                if parent[0] not in present and parent not in wanted:
                    wanted.append(parent)
    if not wanted:
        return data
    pieces = []
    done: set[str] = set()
    for _tid, name, depth in tree:
        if (name, depth) in wanted and name not in done:
            pieces.append(
                pd.DataFrame(
                    [[name, name, depth, None, "", pd.NA]],
                    columns=data.columns,
                )
            )
            done.add(name)
        part = data[data["section"] == name]
        if len(part) and name not in done:
            pieces.append(part)
            done.add(name)
    pieces.append(data[data["section"] == NO_THEME])
    return pd.concat(pieces, ignore_index=True)


def table(project: Project, layout: Layout = Layout()) -> tuple[pd.DataFrame, list[int]]:
    """The appendix table and the indices of its section rows (the first section's heading is
    the table's header row, so it is not among them). ``df.attrs['levels']`` gives each section
    row's depth (0 a theme, 1 a sub-theme, ...)."""
    import pandas as pd

    data = rows(project, layout)
    sections = list(dict.fromkeys(data["section"]))
    out: list[list[object]] = []
    marks: list[int] = []
    levels: dict[int, int] = {}
    count = COUNT_HEADERS[layout.counts]
    for i, section in enumerate(sections):
        part = data[data["section"] == section]
        if i > 0:
            marks.append(len(out))
            levels[len(out)] = int(part["level"].iloc[0])
            out.append([section, EXAMPLE, count])
        part = part[part["code"].notna()]
        for code, example, n in zip(part["code"], part["example"], part["count"], strict=True):
            out.append([code, example, "" if n is pd.NA or n is None else int(n)])
    first = sections[0] if sections else "Code"
    df = pd.DataFrame(out, columns=[first, EXAMPLE, count])
    df.attrs["levels"] = levels
    return df, marks


def summary(project: Project, layout: Layout = Layout(counts="reported")) -> pd.DataFrame:
    """Per printed section: number of codes and sum of counts, with a total row."""
    import pandas as pd

    data = rows(project, layout)
    data = data[data["code"].notna()]
    grouped = data.groupby("section", sort=False).agg(
        theme=("theme", "first"), codes=("code", "size"), count=("count", "sum")
    )
    grouped = grouped.reset_index()
    total = pd.DataFrame(
        [{"section": "Total", "theme": "", "codes": len(data), "count": data["count"].sum()}]
    )
    return pd.concat([grouped, total], ignore_index=True)


def render(
    project: Project, fmt: str, output: Path | None = None, layout: Layout = Layout()
) -> str | None:
    """The appendix as md, csv, tex or table text, or written as xlsx or docx to ``output``."""
    from qualcode.formats import tables

    if fmt not in FORMATS:
        raise InputError(f"the appendix is printed as {', '.join(FORMATS)}, not {fmt!r}")
    if fmt in ("xlsx", "docx") and output is None:
        raise InputError(f"--format {fmt} needs --output FILE")
    layout.check()
    df, marks = table(project, layout)
    if fmt == "docx":
        _docx(df, marks, Path(output or ""), layout)
        return None
    if fmt == "xlsx":
        _xlsx(df, marks, Path(output or ""))
        return None
    if fmt == "tex":
        text = _tex(df, marks, TITLE)
        if output is not None:
            Path(output).write_text(text, encoding="utf-8")
            return None
        return text
    return tables.render(df, fmt, output, title=TITLE)


# --- print layout -------------------------------------------------------------------------

# Paper sizes and margins in millimetres; the text width is what the columns share.
PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
MARGIN_MM = 25.0
FONT_PT = 10
CHAR_MM = 1.9  # the mean advance of a 10 pt serif or sans character, padding included
CODE_CHARS = (12, 32)  # the code column holds between 12 and 32 characters a line
COUNT_MM = 22.0  # "Number of" / "codes" on two lines


def text_width_mm(paper: str, landscape: bool) -> float:
    width, height = PAPER_MM[paper]
    return (height if landscape else width) - 2 * MARGIN_MM


def column_widths_mm(df: pd.DataFrame, width: float) -> list[float]:
    """Code | quote | count: the code column as wide as its longest name needs (within
    :data:`CODE_CHARS`), the count column fixed, the quote column the rest (the widest)."""
    names = [str(v) for v in df.iloc[:, 0]] + [str(df.columns[0])]
    longest = max((len(word) for n in names for word in n.split()), default=0)
    chars = max(CODE_CHARS[0], min(CODE_CHARS[1], max((len(n) for n in names), default=0)))
    code = max(chars, longest) * CHAR_MM + 4
    code = min(code, (width - COUNT_MM) * 0.4)
    return [code, width - code - COUNT_MM, COUNT_MM]


def _docx(df: pd.DataFrame, marks: list[int], path: Path, layout: Layout) -> None:
    """A Word document: page size and orientation, a fixed-width table whose header row repeats
    on every page, section rows shaded and bold (sub-themes italic) that keep with the next row."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    from qualcode.formats import tables

    doc = Document()
    doc.styles["Normal"].font.size = Pt(FONT_PT)
    section = doc.sections[0]
    width, height = PAPER_MM[layout.paper]
    if layout.landscape:
        width, height = height, width
        section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    widths = [Mm(w) for w in column_widths_mm(df, text_width_mm(layout.paper, layout.landscape))]
    doc.add_heading(TITLE, level=2)
    table = doc.add_table(rows=1, cols=len(df.columns))
    table.style = "Table Grid"
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    fixed = OxmlElement("w:tblLayout")
    fixed.set(qn("w:type"), "fixed")
    tbl_pr.append(fixed)
    for column, w in zip(table.columns, widths, strict=True):
        column.width = w
    levels = df.attrs.get("levels", {})

    def fill(row, values, bold: bool, italic: bool = False) -> None:
        for cell, value, w in zip(row.cells, values, widths, strict=True):
            cell.width = w
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(xml_text("" if value is None else str(value)))
            run.bold, run.italic = bold or None, italic or None

    header = table.rows[0]
    tables.repeat_header_row(header)
    fill(header, list(df.columns), bold=True)
    for i, values in enumerate(df.itertuples(index=False)):
        row = table.add_row()
        is_section = i in marks
        fill(row, list(values), bold=is_section, italic=is_section and levels.get(i, 0) > 0)
        if is_section:
            _heading_row(row)
    doc.save(str(path))


def _heading_row(row) -> None:
    """Shade a section row, keep it on the page of its first code and never split it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    tr_pr.append(cant_split)
    for cell in row.cells:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), "D9D9D9")
        cell._tc.get_or_add_tcPr().append(shading)
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def _xlsx(df: pd.DataFrame, marks: list[int], path: Path) -> None:
    """One sheet: counts as numbers, the header row frozen, widths to fit, quotes wrapped."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = TITLE
    bold = Font(bold=True)
    shade = PatternFill("solid", fgColor="D9D9D9")
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, name in enumerate(df.columns, start=1):
        xlsx_cell(sheet.cell(row=1, column=column), str(name))
        sheet.cell(row=1, column=column).font = bold
    for row, values in enumerate(df.itertuples(index=False), start=2):
        for column, value in enumerate(values, start=1):
            xlsx_cell(sheet.cell(row=row, column=column), _xlsx_value(value))
    for i in marks:
        for cell in sheet[i + 2]:
            cell.font, cell.fill = bold, shade
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = wrap
    names = [str(v) for v in df.iloc[:, 0]] + [str(df.columns[0])]
    sheet.column_dimensions["A"].width = min(45, max(15, max(len(n) for n in names) + 2))
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 16
    sheet.freeze_panes = "A2"
    book.save(str(path))


def _xlsx_value(value: object) -> object:
    """Numbers stay numbers; everything else is text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def _tex(df: pd.DataFrame, marks: list[int], title: str) -> str:
    """tables.to_tex's booktabs longtable, with wrapping columns and ruled, bold section rows
    (sub-themes bold italic)."""
    from qualcode.formats import tables

    text = tables.to_tex(df, title)
    lines = text.split("\n")
    begin = next(i for i, line in enumerate(lines) if line.startswith("\\begin{longtable}"))
    lines[begin] = "\\begin{longtable}{p{0.27\\linewidth}p{0.55\\linewidth}r}"
    body_start = lines.index("\\endlastfoot") + 1
    levels = df.attrs.get("levels", {})
    for index in sorted(marks, reverse=True):
        at = body_start + index
        cells = lines[at].removesuffix(" \\\\").split(" & ")
        style = "\\textbf{\\textit{%s}}" if levels.get(index, 0) > 0 else "\\textbf{%s}"
        lines[at] = " & ".join(style % c for c in cells) + " \\\\"
        lines.insert(at + 1, "\\midrule")
        lines.insert(at, "\\midrule")
    return "\n".join(lines)
