"""Importing plain-text notes: encodings, duplicates, many files at once, bad and huge files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.models import Event, Segment, Source
from tests.import_fixtures import counts, one_line_error, source_texts

RUSSIAN = (
    "Эксперт сказал, что миграция выросла после 2014 года. Молодёжь уезжает учиться.\n\n"
    "Многие возвращаются в Казахстан через несколько лет."
)


def test_utf8_notes_become_a_source_with_segments(cli, project, tmp_path: Path):
    path = tmp_path / "expert-a.txt"
    path.write_text("First point. Second point!\n\nA new paragraph?", encoding="utf-8")
    result = cli("import", path, "--kind", "interview", "--language", "en")
    assert result.exit_code == 0, result.stderr
    assert "imported as source #1" in result.stdout
    with project.session(write=False) as session:
        source = session.scalar(select(Source))
        assert source.title == "expert-a" and source.language == "en"
        assert len(source.checksum) == 64 and source.imported_from == str(path.resolve())
        units = [(s.kind, source.text[s.start : s.end]) for s in source.segments]
    assert units == [
        ("paragraph", "First point. Second point!"),
        ("sentence", "First point."),
        ("sentence", "Second point!"),
        ("paragraph", "A new paragraph?"),
        ("sentence", "A new paragraph?"),
    ]


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(RUSSIAN.encode("utf-8"), id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + RUSSIAN.encode("utf-8"), id="utf-8-bom"),
        pytest.param(RUSSIAN.encode("utf-16"), id="utf-16-bom"),
        pytest.param(b"\xfe\xff" + RUSSIAN.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(RUSSIAN.encode("utf-16-le"), id="utf-16-le-detected"),
        pytest.param(RUSSIAN.encode("cp1251"), id="windows-1251-detected"),
        pytest.param(RUSSIAN.replace("\n", "\r\n").encode("cp1251"), id="windows-1251-crlf"),
    ],
)
def test_encodings_are_read_without_mangling(cli, project, tmp_path: Path, encoded: bytes):
    path = tmp_path / "notes.txt"
    path.write_bytes(encoded)
    result = cli("import", path, "--language", "ru")
    assert result.exit_code == 0, result.stderr
    assert source_texts(project) == {"notes": RUSSIAN}


def test_a_named_encoding_is_used(cli, project, tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_bytes("Привет".encode("koi8_r"))
    assert cli("import", path, "--encoding", "koi8_r", "--language", "ru").exit_code == 0
    assert source_texts(project) == {"notes": "Привет"}


def test_undecodable_text_is_refused_not_mangled(cli, project, tmp_path: Path):
    path = tmp_path / "latin.txt"
    path.write_bytes(("Café au lait, résumé, naïve.\n" * 5).encode("latin-1"))
    before = counts(project)
    result = cli("import", path)
    one_line_error(result, str(path), "--encoding")
    assert counts(project) == before


def test_a_named_encoding_that_does_not_fit_is_refused(cli, project, tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_bytes(RUSSIAN.encode("cp1251"))
    result = cli("import", path, "--encoding", "utf-8")
    one_line_error(result, str(path), "not utf-8 text")
    assert counts(project)["sources"] == 0


def test_a_binary_file_named_txt_is_refused(cli, project, tmp_path: Path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000))
    before = counts(project)
    one_line_error(cli("import", path), str(path), "binary")
    assert counts(project) == before


def test_control_characters_without_nul_are_binary(cli, project, tmp_path: Path):
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(1, 9)) * 200)
    one_line_error(cli("import", path), str(path), "binary")
    assert counts(project)["sources"] == 0


@pytest.mark.parametrize("content", [b"", b"  \n\n\t \n"], ids=["zero-bytes", "white-space"])
def test_an_empty_file_is_refused(cli, project, tmp_path: Path, content: bytes):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    before = counts(project)
    one_line_error(cli("import", path), str(path), "empty")
    assert counts(project) == before


def test_reimporting_the_same_file_names_the_source_it_duplicates(cli, project, tmp_path: Path):
    path = tmp_path / "expert-a.txt"
    path.write_text("Some notes.", encoding="utf-8")
    assert cli("import", path).exit_code == 0
    copy = tmp_path / "copy.txt"
    copy.write_bytes(path.read_bytes())
    before = counts(project)
    result = cli("import", copy)
    one_line_error(result, str(copy), "already imported as source 'expert-a'")
    assert counts(project) == before


def test_an_unknown_suffix_and_a_missing_file_are_refused(cli, project, tmp_path: Path):
    (tmp_path / "notes.rtf").write_text("{\\rtf1 hi}")
    one_line_error(cli("import", tmp_path / "notes.rtf"), "notes.rtf", "cannot import .rtf")
    one_line_error(cli("import", tmp_path / "absent.txt"), "absent.txt", "no such file")
    assert counts(project)["sources"] == 0


def test_participant_and_title_are_recorded(cli, project, tmp_path: Path):
    people = tmp_path / "people.csv"
    people.write_text("pseudonym\nExpert A\n", encoding="utf-8")
    assert cli("participants", "import", people).exit_code == 0
    path = tmp_path / "a.md"
    path.write_text("# Notes\n\nSaid things.", encoding="utf-8")
    result = cli("import", path, "--participant", "Expert A", "--title", "Interview A")
    assert result.exit_code == 0, result.stderr
    with project.session(write=False) as session:
        source = session.scalar(select(Source))
        assert (source.title, source.participant.pseudonym) == ("Interview A", "Expert A")


def test_an_unknown_participant_leaves_nothing(cli, project, tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_text("Said things.", encoding="utf-8")
    one_line_error(cli("import", path, "--participant", "Expert Z"), "Expert Z")
    assert counts(project)["sources"] == 0


def test_many_files_each_all_or_nothing_and_failures_named(cli, project, tmp_path: Path):
    """Outside a terminal there is no progress bar: stderr holds only the one-line errors."""
    good = []
    for name in ("one", "two"):
        good.append(tmp_path / f"{name}.txt")
        good[-1].write_text(f"Notes of {name}. Two sentences.", encoding="utf-8")
    binary = tmp_path / "bad.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = cli("import", good[0], binary, good[1], empty)
    assert result.exit_code == 1
    assert "one.txt: imported as source #1" in result.stdout
    assert "two.txt: imported as source #2" in result.stdout
    assert result.stderr.splitlines() == [
        f"qualcode: error: {binary}: a binary file, not text",
        f"qualcode: error: {empty}: the file is empty",
        f"qualcode: error: 2 of 4 files not imported: {binary}, {empty}",
    ]
    assert set(source_texts(project)) == {"one", "two"}
    with project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Segment)) == 6
        assert session.scalar(select(func.count()).where(Event.action == "source.import")) == 2


def test_title_with_several_files_is_refused(cli, project, tmp_path: Path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("x.")
    b.write_text("y.")
    one_line_error(cli("import", a, b, "--title", "T"), "--title")
    assert counts(project)["sources"] == 0


@pytest.mark.slow
def test_a_50_mb_text_file_imports_with_progress(cli, project, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich draws its bars as on a terminal
    paragraph = (
        "The expert said that the migration of skilled workers from Kazakhstan grew markedly "
        "after 2014, when the tenge lost almost half of its value against the rouble. "
        "Young people leave to study in Moscow, Prague or Berlin, and according to the "
        "consultants many of them do not come back once they have found work there! "
        "Why would they return, she asked, when salaries at home remain far lower and "
        "the paperwork for a professional licence takes more than a year?\n\n"
    )
    path = tmp_path / "big.txt"
    repeats = 50 * 1024 * 1024 // len(paragraph.encode()) + 1
    path.write_text(paragraph * repeats, encoding="utf-8")
    assert path.stat().st_size >= 50 * 1024 * 1024
    result = cli("import", path)
    assert result.exit_code == 0, result.stderr
    assert "100%" in result.stderr
    with project.session(write=False) as session:
        assert session.scalar(select(func.length(Source.text))) == len(paragraph) * repeats
        kinds = dict(
            session.execute(select(Segment.kind, func.count()).group_by(Segment.kind)).all()
        )
    assert kinds == {"paragraph": repeats, "sentence": 3 * repeats}


def test_words_vertical_tabs_are_text_not_binary(cli, project, tmp_path: Path):
    path = tmp_path / "from-word.txt"
    text = "".join(f"Line {i} of the notes.\x0b" for i in range(200))
    path.write_text(text, encoding="utf-8")
    assert cli("import", path).exit_code == 0
    assert source_texts(project) == {"from-word": text}
