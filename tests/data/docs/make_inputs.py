"""Write the binary input files of the docs pages' examples (docx, pdf, xlsx, qdpx).

The pages' text inputs are committed as they are; these are written by the libraries the users'
tools use (python-docx, matplotlib's PDF backend, openpyxl, zipfile) and committed too, so the
docs runner (tests/test_docs_run.py) only copies them. Run it again after changing one:

    python tests/data/docs/make_inputs.py [PAGE...]     # e.g. refi
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from tests.import_fixtures import make_docx, make_pdf  # noqa: E402

ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # fixed, so an unchanged input is written byte for byte again


def commented_docx(path: Path, paragraphs: list[list[tuple[str, str | None, str | None]]]) -> None:
    """A Google Docs export: paragraphs of runs (text, comment text, author); a run with a
    comment is what the comment is anchored to."""
    from docx import Document

    document = Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for text, comment, author in runs:
            run = paragraph.add_run(text)
            if comment and author:
                initials = "".join(word[0] for word in author.split())
                document.add_comment(run, comment, author=author, initials=initials)
    document.save(path)


def themes_xlsx(path: Path) -> None:
    """The code-to-theme sheet of docs/import.md, as Google Sheets downloads it."""
    from openpyxl import Workbook

    rows = [line.split(",") for line in (HERE / "import" / "themes.csv").read_text().splitlines()]
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([cell or None for cell in row])
    book.save(path)


def zip_folder(folder: Path, target: Path) -> None:
    """A .qdpx: project.qde and sources/ zipped as the vendor would."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                info = zipfile.ZipInfo(file.relative_to(folder).as_posix(), ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, file.read_bytes())


def import_page() -> None:
    here = HERE / "import"
    make_pdf(
        here / "law-on-migration.pdf",
        [
            "Law of the Republic of Kazakhstan on Migration of Population, 2011.\n\n"
            "Article 1. Basic concepts used in this Law.",
            "Article 2. Foreign workers receive a work permit.",
        ],
    )
    full = (here / "law-on-migration.pdf").read_bytes()
    (here / "broken.pdf").write_bytes(full[: len(full) // 2])  # truncated: no end-of-file marker
    make_docx(
        here / "b.docx",
        ["Expert L works for a recruitment agency.", "Work permits take two weeks now."],
    )
    make_docx(
        here / "notes" / "expert-e.docx",
        ["Quotas for foreign workers fell every year.", "Dr. Seitkali said so in 2020."],
    )
    make_docx(
        here / "cases" / "случай02.docx",
        ["Я программист из Новосибирска. Визу ждал три месяца.", "Сейчас работаю в Астане."],
    )
    make_docx(
        here / "notes-08.docx",
        [
            "Interviewer: Why did you choose Almaty?",
            "Respondent: The salaries. My visa came quickly.",
            "Interviewer: And the language?",
            "Respondent: Russian is enough at work.",
        ],
    )
    commented_docx(
        here / "Expert A interview.docx",
        [
            [
                ("The influx of migrants ", None, None),
                ("had recovered by 2019.", "Recovery of patterns", "Aigerim Sadykova"),
            ],
            [
                ("Now everything is normalised. ", None, None),
                ("Salaries grew in Almaty.", "Salaries; Brain drain", "Aigerim Sadykova"),
            ],
        ],
    )
    commented_docx(
        here / "expert-b.docx",
        [
            [("Companies select foreign workers carefully.", "Work permits", "dana.k@uni.kz")],
            [
                ("Visa rules changed in 2023. ", "Visa regime", "Aigerim Sadykova"),
                ("Engineers leave for Russia.", "Brain drain", "dana.k@uni.kz"),
            ],
        ],
    )
    themes_xlsx(here / "themes.xlsx")


def refi_page() -> None:
    """The NVivo imitation of tests/data/refi/nvivo/, zipped as NVivo exports it."""
    zip_folder(ROOT / "tests" / "data" / "refi" / "nvivo", HERE / "refi" / "from-nvivo.qdpx")


PAGES = {"import": import_page, "refi": refi_page}


def main(pages: list[str]) -> None:
    """Write the inputs of the pages named (default: all); docx and pdf files carry the time
    they were written, so rewrite only the page whose inputs changed."""
    for page in pages or PAGES:
        PAGES[page]()


if __name__ == "__main__":
    main(sys.argv[1:])
