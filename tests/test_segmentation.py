"""Paragraphs and sentences: the sentence rules for English, Russian and Kazakh, a trained spaCy
pipeline when named, offsets that always index the stored text, and `qualcode code SOURCE:sN`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode import nlp, segments
from qualcode.errors import InputError
from qualcode.models import Coding, Segment, Source
from tests.import_fixtures import one_line_error


def _texts(text: str, spans) -> list[str]:
    return [text[s:e] for s, e in spans]


def test_blank_lines_separate_paragraphs_and_a_wrapped_paragraph_stays_whole():
    text = "  First line\nwraps here.\n\n\n  Second one.  \n \nThird."
    assert _texts(text, nlp.paragraphs(text)) == [
        "First line\nwraps here.",
        "Second one.",
        "Third.",
    ]


def test_without_blank_lines_each_line_is_a_paragraph():
    text = "One.\nTwo.\n   Three.  "
    assert _texts(text, nlp.paragraphs(text)) == ["One.", "Two.", "Three."]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "en",
            "Dr. Smith works at Dostyk str. 16 in Almaty. He left in 2015! Why?",
            ["Dr. Smith works at Dostyk str. 16 in Almaty.", "He left in 2015!", "Why?"],
        ),
        (
            "ru",
            "Он живёт на ул. Абая 10. Уехал в 2015 году! Почему?",
            ["Он живёт на ул. Абая 10.", "Уехал в 2015 году!", "Почему?"],
        ),
        (
            "kk",
            "Сәлем әлем. Қалайсыз? Жақсы, рахмет!",
            ["Сәлем әлем.", "Қалайсыз?", "Жақсы, рахмет!"],
        ),
    ],
)
def test_sentence_rules_split_each_language(language: str, text: str, expected: list[str]):
    found = segments.find(text, language)
    assert _texts(text, found.sentences) == expected
    assert _texts(text, found.paragraphs) == [text]


def test_sentences_never_cross_paragraphs_and_are_trimmed():
    text = "No full stop here\n\n  Next paragraph. Ends  "
    found = segments.find(text)
    assert _texts(text, found.sentences) == ["No full stop here", "Next paragraph.", "Ends"]


def test_a_book_on_one_line_is_cut_only_where_sentences_end(monkeypatch):
    """A paragraph longer than nlp._PIECE_CHARS goes to spaCy in pieces (bounded memory): the
    sentences are the same as from the whole paragraph, in English, Russian and Kazakh."""
    sentences = [
        "The ministry changed the quota in 2019.",
        "Министерство изменило квоту, и мигранты уехали!",
        "Қазақстан транзиттік ел болды ма?",
        "Labour migrants went to Russia, Korea and Turkey.",
    ]
    text = " ".join(sentences[i % 4] for i in range(400))  # ~18,000 characters, one line
    paras = nlp.paragraphs(text)
    assert len(paras) == 1
    whole = nlp.sentences(text, paras)
    monkeypatch.setattr(nlp, "_PIECE_CHARS", 1_000)
    assert len(list(nlp._pieces(text, paras))) > 15
    assert nlp.sentences(text, paras) == whole
    assert len(whole) == 400


def test_a_line_without_sentence_ends_is_cut_at_spaces(monkeypatch):
    text = " ".join(f"слово{i}" for i in range(3_000))
    monkeypatch.setattr(nlp, "_PIECE_CHARS", 1_000)
    pieces = list(nlp._pieces(text, nlp.paragraphs(text)))
    assert all(b - a <= 1_000 for a, b in pieces) and pieces[-1][1] == len(text)
    assert "".join(text[a:b] for a, b in pieces) == text


def test_segments_are_streamed_to_the_driver_all_of_them(cli, project, tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("Бірінші сөйлем. Second one.\n\nТретье предложение. Fourth! Fifth?\n", "utf-8")
    assert cli("import", path).exit_code == 0
    with project.session(write=False) as session:
        kinds = session.scalars(select(Segment.kind).order_by(Segment.id)).all()
    assert kinds.count("paragraph") == 2 and kinds.count("sentence") == 5


def test_progress_reports_characters_done():
    text = "A sentence. " * 50_000 + "\n\n" + "Another. " * 50_000
    seen: list[int] = []
    segments.find(text, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == len(text.rstrip())


def test_stored_offsets_index_the_stored_text(cli, project, tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_bytes("\ufeffПервое. Второе!\r\n\r\nТретье?".encode())
    assert cli("import", path, "--language", "ru").exit_code == 0
    with project.session(write=False) as session:
        source = session.scalar(select(Source))
        found = [
            (s.kind, source.text[s.start : s.end])
            for s in session.scalars(select(Segment).order_by(Segment.kind, Segment.start))
        ]
    assert source.text == "Первое. Второе!\n\nТретье?"
    assert found == [
        ("paragraph", "Первое. Второе!"),
        ("paragraph", "Третье?"),
        ("sentence", "Первое."),
        ("sentence", "Второе!"),
        ("sentence", "Третье?"),
    ]


def test_code_selects_sentences_and_paragraphs_made_at_import(cli, project, tmp_path: Path):
    path = tmp_path / "expert-a.txt"
    path.write_text(
        "Expert A said the influx had recovered.\n\nNow everything is normalised. Salaries grew.",
        encoding="utf-8",
    )
    assert cli("import", path).exit_code == 0
    assert cli("code", "expert-a:s3", "Salaries", "--coder", "Ann").exit_code == 0
    assert cli("code", "expert-a:p2", "Recovery", "--coder", "Ann").exit_code == 0
    one_line_error(cli("code", "expert-a:s9", "Salaries"), "no sentence 9")
    with project.session(write=False) as session:
        coded = {c.code.name: c.excerpt.text for c in session.scalars(select(Coding))}
    assert coded == {
        "Salaries": "Salaries grew.",
        "Recovery": "Now everything is normalised. Salaries grew.",
    }


@pytest.fixture(scope="module")
def trained_pipeline(tmp_path_factory) -> Path:
    """A pipeline on disk with its own components (as an installed one would be), loaded by
    spacy.load: an entity ruler that knows one person, and a sentencizer that splits at ';'."""
    import spacy

    nlp_ = spacy.blank("en")
    nlp_.add_pipe("sentencizer", config={"punct_chars": [";"]})
    ruler = nlp_.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": [{"LOWER": "aigerim"}]}])
    path = tmp_path_factory.mktemp("model") / "xx_test_pipeline"
    nlp_.to_disk(path)
    return path


def test_a_named_pipeline_does_the_sentences(cli, project, tmp_path: Path, trained_pipeline):
    path = tmp_path / "notes.txt"
    path.write_text("One. Still one; two.", encoding="utf-8")
    result = cli("import", path, "--model", str(trained_pipeline))
    assert result.exit_code == 0, result.stderr
    with project.session(write=False) as session:
        source = session.scalar(select(Source))
        sentences = [source.text[s.start : s.end] for s in source.segments if s.kind == "sentence"]
    assert sentences == ["One. Still one;", "two."]


def test_a_missing_pipeline_is_one_error_and_nothing_imported(cli, project, tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("Words.", encoding="utf-8")
    one_line_error(cli("import", path, "--model", "en_core_web_trf_absent"), "not installed")
    with project.session(write=False) as session:
        assert session.scalar(select(Source)) is None
    with pytest.raises(InputError, match="never downloads"):
        nlp.pipeline("en", "en_core_web_trf_absent")
