"""Real input files for the import tests, written by the libraries users' tools use."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select

from qualcode.models import Code, Coding, Event, Excerpt, Segment, Source, Theme


def make_docx(path: Path, paragraphs: Sequence[str]) -> Path:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    return path


def make_odt(path: Path, paragraphs: Sequence[str], heading: str | None = None) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    if heading:
        document.text.addElement(H(outlinelevel=1, text=heading))
    for text in paragraphs:
        document.text.addElement(P(text=text))
    document.save(str(path))
    return path


def make_pdf(path: Path, pages: Sequence[str]) -> Path:
    """A PDF with a real text layer (matplotlib's PDF backend, TrueType fonts)."""
    import matplotlib

    matplotlib.use("pdf")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with plt.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for text in pages:
            fig = plt.figure(figsize=(8.27, 11.69))
            fig.text(0.1, 0.9, text)
            pdf.savefig(fig)
            plt.close(fig)
    return path


def encrypt_pdf(source: Path, target: Path, password: str = "secret") -> Path:
    """AES, as PDF editors write today (pypdf needs the cryptography package, a test extra)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(password, algorithm="AES-128")
    with target.open("wb") as fh:
        writer.write(fh)
    return target


def counts(project) -> dict[str, int]:
    """How many rows each table holds: 'project unchanged' means these stay equal."""
    with project.session(write=False) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Source, Segment, Excerpt, Coding, Code, Theme, Event)
        }


def source_texts(project) -> dict[str, str]:
    with project.session(write=False) as session:
        return dict(session.execute(select(Source.title, Source.text)).all())


def one_line_error(result, *fragments: str) -> None:
    """A failed command: exit != 0 and one 'qualcode: error:' line naming what went wrong."""
    assert result.exit_code != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("qualcode: error:")]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
