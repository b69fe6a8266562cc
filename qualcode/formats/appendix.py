"""The codebook printed the way a thesis appendix prints it (Appendix B of the model thesis).

One table: per section a header row (section | Example of a code | Number of codes), then one row
per code: name | ``Expert X: 'quote'`` | reported count. A section is a theme; sections come in the
order of their first code, so a codebook imported from the appendix prints in the appendix's order,
under the printed heading where one is kept (see ``codebook_files.HEADING_MEMO``). Only active codes
are printed. Writing goes through :mod:`qualcode.formats.tables`, so every format behaves as the
other tables do; the section rows are then set in bold (docx) or between rules (tex).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from qualcode.codebook_files import HEADING_MEMO
from qualcode.models import Code, CodeTheme, Memo, Participant, Theme

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.db import Project

EXAMPLE = "Example of a code"
COUNT = "Number of codes"
NO_THEME = "Codes in no theme"
FORMATS = ("table", "md", "csv", "xlsx", "docx", "tex")


def rows(project: Project) -> pd.DataFrame:
    """One row per (section, active code): section, code, example, count; in printed order."""
    import pandas as pd

    heading = aliased(Memo)
    query = (
        select(
            Theme.id.label("theme_id"),
            Theme.name.label("theme"),
            heading.body.label("heading"),
            Code.name.label("code"),
            Code.position.label("code_position"),
            CodeTheme.position.label("link_position"),
            Participant.pseudonym.label("participant"),
            Code.example_quote.label("quote"),
            Code.reported_count.label("count"),
        )
        .select_from(Code)
        .outerjoin(CodeTheme, CodeTheme.code_id == Code.id)
        .outerjoin(Theme, Theme.id == CodeTheme.theme_id)
        .outerjoin(heading, and_(heading.theme_id == Theme.id, heading.title == HEADING_MEMO))
        .outerjoin(Participant, Participant.id == Code.example_participant_id)
        .where(Code.status == "active")
    )
    with project.session(write=False) as session:
        df = pd.DataFrame(
            session.execute(query).mappings().all(), columns=list(query.selected_columns.keys())
        )
    df["section"] = df["heading"].where(df["heading"].notna(), df["theme"]).fillna(NO_THEME)
    df["theme_id"] = df["theme_id"].fillna(-1)
    df["section_order"] = df.groupby("theme_id")["code_position"].transform("min")
    df["link_position"] = df["link_position"].fillna(0)
    df = df.sort_values(["section_order", "theme_id", "link_position", "code_position"])
    df["example"] = [_example(p, q) for p, q in zip(df["participant"], df["quote"], strict=True)]
    df["count"] = df["count"].astype("Int64")
    return df[["section", "theme", "code", "example", "count"]].reset_index(drop=True)


def _example(participant: str | None, quote: str | None) -> str:
    if not isinstance(quote, str) or not quote:
        return ""
    said = f"'{quote}'"
    return f"{participant}: {said}" if isinstance(participant, str) else said


def table(project: Project) -> tuple[pd.DataFrame, list[int]]:
    """The appendix table and the indices of its section rows (the first section's heading is
    the table's header row, so it is not among them)."""
    import pandas as pd

    data = rows(project)
    sections = list(dict.fromkeys(data["section"]))
    out: list[list[object]] = []
    marks: list[int] = []
    for i, section in enumerate(sections):
        if i > 0:
            marks.append(len(out))
            out.append([section, EXAMPLE, COUNT])
        part = data[data["section"] == section]
        out.extend(part[["code", "example", "count"]].astype(object).values.tolist())
    first = sections[0] if sections else "Code"
    df = pd.DataFrame(out, columns=[first, EXAMPLE, COUNT])
    df[COUNT] = df[COUNT].map(lambda v: "" if v is None or v is pd.NA else str(v))
    return df, marks


def summary(project: Project) -> pd.DataFrame:
    """Per printed section: number of codes and sum of reported counts, with a total row."""
    import pandas as pd

    data = rows(project)
    grouped = data.groupby("section", sort=False).agg(
        theme=("theme", "first"), codes=("code", "size"), count=("count", "sum")
    )
    grouped = grouped.reset_index()
    total = pd.DataFrame(
        [{"section": "Total", "theme": "", "codes": len(data), "count": data["count"].sum()}]
    )
    return pd.concat([grouped, total], ignore_index=True)


def render(project: Project, fmt: str, output: Path | None = None) -> str | None:
    """The appendix as md, csv, tex or table text, or written as xlsx or docx to ``output``."""
    from qualcode.errors import InputError
    from qualcode.formats import tables

    if fmt not in FORMATS:
        raise InputError(f"the appendix is printed as {', '.join(FORMATS)}, not {fmt!r}")
    if fmt in ("xlsx", "docx") and output is None:
        raise InputError(f"--format {fmt} needs --output FILE")
    df, marks = table(project)
    title = "Codebook"
    if fmt == "docx":
        tables.to_docx(df, Path(output), title)
        _bold_rows(Path(output), marks)
        return None
    if fmt == "tex":
        text = _tex(df, marks, title)
        if output is not None:
            Path(output).write_text(text, encoding="utf-8")
            return None
        return text
    return tables.render(df, fmt, output, title=title)


def _bold_rows(path: Path, marks: list[int]) -> None:
    """Section rows in bold, as the header row is, in the Word table that tables.to_docx wrote."""
    from docx import Document

    doc = Document(str(path))
    table = doc.tables[0]
    for index in marks:
        for cell in table.rows[index + 1].cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.bold = True
    doc.save(str(path))


def _tex(df: pd.DataFrame, marks: list[int], title: str) -> str:
    """tables.to_tex's booktabs longtable, with wrapping columns and ruled, bold section rows."""
    from qualcode.formats import tables

    text = tables.to_tex(df, title)
    lines = text.split("\n")
    begin = next(i for i, line in enumerate(lines) if line.startswith("\\begin{longtable}"))
    lines[begin] = "\\begin{longtable}{p{0.27\\linewidth}p{0.55\\linewidth}r}"
    body_start = lines.index("\\endlastfoot") + 1
    for index in sorted(marks, reverse=True):
        at = body_start + index
        cells = lines[at].removesuffix(" \\\\").split(" & ")
        lines[at] = " & ".join(f"\\textbf{{{c}}}" for c in cells) + " \\\\"
        lines.insert(at + 1, "\\midrule")
        lines.insert(at, "\\midrule")
    return "\n".join(lines)
