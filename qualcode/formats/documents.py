"""Text out of documents: .docx (python-docx), .odt (odfpy) and the text layer of .pdf (pypdf).

Paragraphs come out in document order, joined by a blank line, so that the paragraph rule of
:func:`qualcode.nlp.paragraphs` finds them again. A file that cannot be read whole (corrupt,
truncated, encrypted, no text) is refused with one line naming it: a half-read file would give
offsets into text the researcher never saw.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import InputError

PARAGRAPH_SEPARATOR = "\n\n"
DOCUMENT_SUFFIXES = (".docx", ".odt", ".pdf")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --- .docx ------------------------------------------------------------------------------------


@dataclass
class DocxText:
    """A Word document's text and where its comment ranges start and end in that text."""

    text: str
    starts: dict[str, int] = field(default_factory=dict)
    ends: dict[str, int] = field(default_factory=dict)


def open_docx(path: Path, data: bytes) -> Any:
    """A python-docx Document (its lxml parser resolves no entities and fetches nothing)."""
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # zip, package and XML errors all mean "not a usable .docx"
        raise InputError(f"{path}: not a readable .docx file ({_reason(exc)})") from None


def _docx_events(body: Any) -> Iterator[tuple[str, str]]:
    """("para", ""), ("text", s), ("start", id), ("end", id) in document order."""
    from docx.oxml.ns import qn

    w_p, w_r = qn("w:p"), qn("w:r")
    text_tags = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}
    text_tags[qn("w:noBreakHyphen")] = "-"
    start, end, w_id = qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:id")
    for el in body.iter():
        tag = el.tag
        if tag == w_p:
            yield "para", ""
        elif tag in text_tags and el.getparent().tag == w_r:  # w:tab in w:pPr is a tab stop
            yield "text", str(text_tags[tag] if text_tags[tag] is not None else (el.text or ""))
        elif tag == start:
            yield "start", el.get(w_id)
        elif tag == end:
            yield "end", el.get(w_id)


def docx_text(document: Any) -> DocxText:
    """Non-empty paragraphs (tables included, in order) joined by a blank line.

    A comment range that starts between paragraphs starts at the end of the earlier one; callers
    trim white space, so the range begins where the next paragraph's words do.
    """
    out = DocxText("")
    pieces: list[str] = []
    length = 0
    pending_separator = para_has_text = False
    for kind, value in _docx_events(document.element.body):
        if kind == "para":
            pending_separator = pending_separator or para_has_text
            para_has_text = False
        elif kind == "text":
            if not value:
                continue
            if pending_separator:
                pieces.append(PARAGRAPH_SEPARATOR)
                length += len(PARAGRAPH_SEPARATOR)
                pending_separator = False
            pieces.append(value)
            length += len(value)
            para_has_text = True
        elif kind == "start":
            out.starts[value] = length
        else:
            out.ends[value] = length
    out.text = "".join(pieces)
    return out


# --- .odt -------------------------------------------------------------------------------------


def odt_text(path: Path, data: bytes) -> str:
    from odf import teletype
    from odf.namespaces import OFFICENS, TEXTNS
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
    except Exception as exc:
        raise InputError(f"{path}: not a readable .odt file ({_reason(exc)})") from None
    blocks = {(TEXTNS, "p"), (TEXTNS, "h")}
    skip = {(OFFICENS, "annotation"), (TEXTNS, "note")}

    def walk(node: Any) -> Iterator[str]:
        for child in node.childNodes:
            qname = getattr(child, "qname", None)
            if qname in skip:
                continue
            if qname in blocks:
                yield teletype.extractText(child)
            elif qname is not None:
                yield from walk(child)

    return PARAGRAPH_SEPARATOR.join(p for p in walk(document.text) if p.strip())


# --- .pdf -------------------------------------------------------------------------------------


def pdf_text(path: Path, data: bytes) -> str:
    """The text layer, page by page; encrypted, truncated and image-only PDFs are refused."""
    from pypdf import PdfReader

    if b"%PDF-" not in data[:1024]:  # readers allow a little junk before the header
        raise InputError(f"{path}: not a PDF file")
    if b"%%EOF" not in data[-2048:]:
        raise InputError(f"{path}: the PDF is truncated (no end-of-file marker)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(f"{path}: the PDF is encrypted; save an unprotected copy to import it")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"{path}: not a readable PDF ({_reason(exc)})") from None
    text = PARAGRAPH_SEPARATOR.join(p.strip() for p in pages if p.strip())
    if not text:
        raise InputError(f"{path}: the PDF has no text layer (scanned?); run OCR on it first")
    return text


def extract(path: Path, data: bytes) -> str:
    """The text of a .docx, .odt or .pdf file."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return docx_text(open_docx(path, data)).text
    if suffix == ".odt":
        return odt_text(path, data)
    if suffix == ".pdf":
        return pdf_text(path, data)
    raise InputError(f"{path}: cannot import {suffix or 'files without a suffix'}")
