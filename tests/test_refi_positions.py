"""Positions as the real vendors count them: each imported coding holds exactly the intended words.

Fixtures are written here with zipfile + lxml, positions counted independently of qualcode
(``vendor_spans``): NVivo counts UTF-16 code units and CR+LF as 2 (BOM not counted), ATLAS.ti a
line break as 1, Python tools code points. Texts in Kazakh, Russian and English, with emoji,
CR+LF, a BOM and combining accents.
"""

from __future__ import annotations

import codecs
import uuid
import zipfile

import pytest
from lxml import etree
from sqlalchemy import select

from qualcode import open_project
from qualcode.formats import refi
from qualcode.formats.refi import positions as P
from qualcode.models import Excerpt, Segment, Source
from tests.refi_support import (
    NS,
    counts,
    excerpt_texts,
    second_url,
    units16,
    vendor_project,
    vendor_spans,
)

KAZAKH = (
    "Сәлем! Біз Алматыда тұрамыз 😀 және жұмыс іздейміз.\r\n"
    "Қазақстанға ағылған көшіп-қонушылар 👨‍👩‍👧 ақша жібереді.\r\n"
    "Ұлттық үкімет һәм ғылым."
)
KAZAKH_WORDS = ["жұмыс іздейміз", "көшіп-қонушылар", "ақша жібереді", "жібереді.\r\nҰлттық"]
RUSSIAN = (
    "Мигранты едут в Россию 🙂 на сезонные работы.\r\n"
    "Они отправляют деньги домой каждый месяц 💸.\r\n"
    "Семьи остаются в Казахстане."
)
RUSSIAN_WORDS = ["сезонные работы", "отправляют деньги", "остаются в Казахстане"]
ACCENTS = "Cafe\u0301 au lait, nai\u0308ve 😀 re\u0301sume\u0301 here; Jose\u0301 said so."
ACCENT_WORDS = ["re\u0301sume\u0301", "Jose\u0301 said"]
CODE = "c0000000-0000-4000-8000-000000000001"


def sel_guid(n: int) -> str:
    return str(uuid.UUID(int=0xE0000000000040008000000000000000 + n))


def fixture(tmp_path, origin, vendor, *, folder="sources", bom=False, inline=False, name="v"):
    """Three sources (Kazakh, Russian, accents), selections on the intended words counted as
    ``vendor`` counts; returns the file and {selection guid: intended normalised text}."""
    sources, expected, n = [], {}, 0
    for title, raw, words in (
        ("Сұхбат 1", KAZAKH, KAZAKH_WORDS),
        ("Интервью 2", RUSSIAN, RUSSIAN_WORDS),
        ("Notes 3", ACCENTS, ACCENT_WORDS),
    ):
        selections = []
        for word, (start, end) in zip(words, vendor_spans(raw, words, vendor), strict=True):
            selections.append((sel_guid(n), start, end, CODE))
            expected[sel_guid(n)] = word.replace("\r\n", "\n")
            n += 1
        data = (codecs.BOM_UTF8 if bom else b"") + raw.encode("utf-8")
        sources.append((title, data, selections))
    path = vendor_project(
        tmp_path / f"{name}.qdpx",
        origin=origin,
        sources=sources,
        codes=[(CODE, "Migration")],
        folder=folder,
        inline=inline,
    )
    return path, expected


@pytest.mark.parametrize(
    ("origin", "vendor", "folder", "bom"),
    [
        ("NVivo 12.6.0.959 (Windows)", "nvivo", "Sources", True),
        ("NVivo 12.7 (Mac)", "nvivo", "sources", False),
        ("NVivo 15.0", "nvivo", "SOURCES", True),
        ("ATLAS.ti 8.4.24", "atlas", "sources", False),
        ("ATLAS.ti 23.2.1 (Windows)", "atlas", "Sources", True),
        ("QualCoder 3.5", "standard", "sources", False),
        ("Taguette 1.4.1", "standard", "sources", True),
    ],
)
def test_each_writer_s_positions_hold_exactly_the_intended_words(
    project, tmp_path, origin, vendor, folder, bom
):
    path, expected = fixture(tmp_path, origin, vendor, folder=folder, bom=bom)
    summary = refi.import_project(project, path)
    assert summary.added["codings"] == len(expected)
    assert excerpt_texts(project) == expected
    with project.session(write=False) as s:
        texts = list(s.scalars(select(Source.text)))
        assert all("\r" not in t and not t.startswith("\ufeff") for t in texts)


@pytest.mark.parametrize("vendor", ["nvivo", "atlas", "standard"])
def test_without_an_origin_word_boundaries_decide_the_reading(sqlite_url, tmp_path, vendor):
    project = open_project(sqlite_url)
    path, expected = fixture(tmp_path, None, vendor)
    summary = refi.import_project(project, path)
    assert excerpt_texts(project) == expected
    guessed = [w for w in summary.warnings if w.startswith("positions read as")]
    if vendor == "standard":
        assert guessed == []  # the standard reading needs no word
    else:
        # the accents text has no CR+LF: there ATLAS.ti's reading is the standard one
        label, n = (P.NVIVO.label, 3) if vendor == "nvivo" else (P.ATLAS.label, 2)
        assert len(guessed) == 1 and guessed[0].startswith(f"positions read as {label} in {n}")


def test_an_unknown_writer_such_as_maxqda_is_read_by_the_evidence(sqlite_url, tmp_path):
    project = open_project(sqlite_url)
    path, expected = fixture(tmp_path, "MAXQDA 24 (Release 24.1.0)", "nvivo")
    refi.import_project(project, path)
    assert excerpt_texts(project) == expected


def test_inline_text_with_combining_accents_counts_code_points(project, tmp_path):
    path, expected = fixture(tmp_path, "QualCoder 3.5", "standard", inline=True)
    refi.import_project(project, path)
    texts = excerpt_texts(project)
    assert texts[sel_guid(7)] == "re\u0301sume\u0301" and texts == expected


def test_a_selection_inside_a_surrogate_pair_or_outside_is_reported_by_guid(project, tmp_path):
    emoji = KAZAKH.index("😀")
    half = units16(KAZAKH[:emoji]) + 1  # between the two halves of 😀
    total = units16(KAZAKH)
    good = vendor_spans(KAZAKH, ["Алматыда"], "nvivo")[0]
    path = vendor_project(
        tmp_path / "halves.qdpx",
        origin="NVivo 14",
        sources=[
            (
                "Сұхбат",
                KAZAKH.encode("utf-8"),
                [
                    (sel_guid(1), *good, CODE),
                    (sel_guid(2), half, half + 6, CODE),
                    (sel_guid(3), total - 3, total + 40, CODE),
                ],
            )
        ],
        codes=[(CODE, "Migration")],
    )
    summary = refi.import_project(project, path)
    text = "\n".join(summary.warnings)
    assert f"1 selection(s) inside a surrogate pair (half a character) ({sel_guid(2)} at" in text
    assert f"1 selection(s) outside its {len(KAZAKH) - 2} characters ({sel_guid(3)} at" in text
    assert excerpt_texts(project) == {sel_guid(1): "Алматыда"}
    assert summary.skipped["codings"] == 2 and summary.added["codings"] == 1


@pytest.mark.parametrize("reader", ["nvivo", "atlas", "maxqda", "standard"])
def test_export_writes_positions_for_the_reader_it_is_meant_for(
    request, project, db_url, tmp_path, reader
):
    """Exported positions, counted independently over the exported text, hold the words; and
    qualcode reads its own export for that reader back to the same excerpts."""
    path, expected = fixture(tmp_path, "NVivo 12.6 (Windows)", "nvivo", bom=True)
    refi.import_project(project, path)
    out = refi.export_project(project, tmp_path / f"for-{reader}.qdpx", reader)
    counting = {"nvivo": "nvivo", "atlas": "atlas"}.get(reader, "standard")
    with zipfile.ZipFile(out) as zf:
        root = etree.fromstring(zf.read("project.qde"))
        for src in root.iter(f"{{{NS}}}TextSource"):
            data = zf.read("sources/" + src.get("plainTextPath").split("://")[1])
            assert data.startswith(codecs.BOM_UTF8) == (reader == "nvivo")
            raw = data.decode("utf-8-sig")
            if "\n" in raw:
                assert ("\r\n" in raw) == (reader in ("nvivo", "atlas"))
            for sel in src.iter(f"{{{NS}}}PlainTextSelection"):
                word = expected[sel.get("guid")].replace("\n", "\r\n" if "\r" in raw else "\n")
                span = vendor_spans(raw, [word], counting)[0]
                assert (int(sel.get("startPosition")), int(sel.get("endPosition"))) == span
    again = open_project(second_url(request, db_url, tmp_path))
    refi.import_project(again, out)
    assert excerpt_texts(again) == expected
    again.close()


def test_imported_sources_are_segmented_like_any_other_import(project, tmp_path):
    path, _ = fixture(tmp_path, "NVivo 12.6 (Windows)", "nvivo")
    refi.import_project(project, path)
    with project.session(write=False) as s:
        source = s.scalar(select(Source).where(Source.title == "Сұхбат 1"))
        spans = s.execute(
            select(Segment.kind, Segment.start, Segment.end)
            .where(Segment.source_id == source.id)
            .order_by(Segment.kind, Segment.start)
        ).all()
        paragraphs = [source.text[a:b] for kind, a, b in spans if kind == "paragraph"]
        sentences = [source.text[a:b] for kind, a, b in spans if kind == "sentence"]
    assert paragraphs == KAZAKH.split("\r\n")
    assert "Сәлем!" in sentences and "Ұлттық үкімет һәм ғылым." in sentences


def test_convention_round_trip_at_every_offset():
    raw = "a😀\r\nб👨‍👩‍👧 c\r\rd"
    tp = P.TextPositions(raw)
    for conv in P.CANDIDATES:
        for newline in ("\n", "\r\n"):
            back = P.TextPositions(tp.normal.replace("\n", newline))
            for offset in range(len(tp.normal) + 1):
                assert back.to_normal(tp.from_normal(offset, conv, newline), conv) == offset


def test_counts_unchanged_when_the_file_adds_nothing_and_the_cli_says_why(cli, project, tmp_path):
    path, _ = fixture(tmp_path, "NVivo 14", "nvivo")
    first = cli("refi", "import", str(path))
    assert first.exit_code == 0, first.stderr
    before = counts(project)
    again = cli("refi", "import", str(path))
    assert again.exit_code == 1
    assert (
        again.stderr.strip()
        .splitlines()[-1]
        .startswith(
            f"qualcode: error: {path}: added nothing: everything in it is already in the project"
        )
    )
    assert counts(project) == before
    with project.session(write=False) as s:
        assert s.scalar(select(Excerpt.id).where(Excerpt.guid == sel_guid(0))) is not None
