"""Addresses of places to code: SOURCE:sN, SOURCE:pN, SOURCE:pN.sM, SOURCE:tN, ranges, excerpts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert, select

from qualcode import addresses
from qualcode.addresses import Address
from qualcode.errors import InputError
from qualcode.models import Excerpt, Segment, Source

TEXT = (
    "Бюрократия мешает всем. Документы ждут месяцами.\n\n"
    "Әлеуметтік қорғау жоқ. Көшіп-қонушылар көп. Үкімет көмектеседі.\n\n"
    "Salaries grew. Rents grew faster."
)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("#12", Address(excerpt=12)),
        ("Интервью:120-245", Address(source="Интервью", start=120, end=245)),
        ("Интервью:s3", Address(source="Интервью", kind="sentence", index=3)),
        ("Интервью:p2", Address(source="Интервью", kind="paragraph", index=2)),
        ("Интервью:p15.s5", Address(source="Интервью", kind="sentence", index=5, paragraph=15)),
        ("Сұхбат 2:t4", Address(source="Сұхбат 2", kind="turn", index=4)),
        ("Law: article 5:P2.S1", Address(source="Law: article 5", kind="sentence", index=1,
                                         paragraph=2)),
        (" 7:s1 ", Address(source="7", kind="sentence", index=1)),
    ],
)  # fmt: skip
def test_every_form_parses(ref: str, expected: Address):
    assert addresses.parse(ref) == expected


@pytest.mark.parametrize("ref", ["Интервью", "Интервью:x3", ":s1", "Интервью:p2.", "#x", "a:s"])
def test_anything_else_is_one_line_naming_the_forms(ref: str):
    with pytest.raises(InputError) as caught:
        addresses.parse(ref)
    assert "SOURCE:pN.sM" in str(caught.value) and "\n" not in str(caught.value)


def test_an_address_prints_as_typed():
    assert str(addresses.parse("Интервью:p15.s5")) == "Интервью:p15.s5"
    assert str(addresses.parse("Интервью:t4")) == "Интервью:t4"
    assert str(addresses.parse("#3")) == "#3"


def test_unit_of_gives_the_shortest_address():
    paragraphs = [(0, 48), (50, 113), (115, 148)]
    sentences = [(0, 23), (24, 48), (50, 72), (73, 93), (94, 113), (115, 129), (130, 148)]
    assert addresses.unit_of(paragraphs, sentences, 73, 93) == "p2.s2"
    assert addresses.unit_of(paragraphs, sentences, 130, 148) == "p3.s2"
    assert addresses.unit_of(paragraphs, sentences, 50, 113) == "p2"
    assert addresses.unit_of(paragraphs, sentences, 52, 60) == "52-60"


@pytest.fixture
def source_id(project) -> int:
    from qualcode import segments

    with project.session() as session:
        source = Source(title="Интервью", text=TEXT, language="kk")
        session.add(source)
        session.flush()
        segments.store(session, source.id, segments.find(TEXT))
        return source.id


def _words(project, ref: str) -> str:
    with project.session(write=False) as session:
        target = addresses.resolve(session, ref)
        return session.get(Source, target.source_id).text[target.start : target.end]


def test_sentence_of_a_paragraph_resolves(project, source_id):
    assert _words(project, "Интервью:p2.s2") == "Көшіп-қонушылар көп."
    assert _words(project, "интервью:p2.s3") == "Үкімет көмектеседі."
    assert _words(project, "Интервью:p3.s1") == "Salaries grew."
    assert _words(project, "Интервью:s4") == "Көшіп-қонушылар көп."  # whole-source count
    assert _words(project, "Интервью:p1") == "Бюрократия мешает всем. Документы ждут месяцами."
    assert _words(project, f"{source_id}:0-10") == "Бюрократия"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (
            "Интервью:p2.s4",
            "paragraph 2 of source 'Интервью' has no sentence 4 (it has 3 sentences)",
        ),
        ("Интервью:p9.s1", "source 'Интервью' has no paragraph 9 (it has 3 paragraphs)"),
        ("Интервью:s0", "source 'Интервью' has no sentence 0 (it has 7 sentences)"),
        ("Интервью:t1", "source 'Интервью' has no turn 1 (it has 0 turns)"),
        ("#99", "no excerpt #99"),
    ],
)
def test_a_missing_unit_says_how_many_there_are(project, source_id, ref, message):
    with pytest.raises(InputError) as caught, project.session(write=False) as session:
        addresses.resolve(session, ref)
    assert message in str(caught.value)


def test_turns_resolve_from_turn_segments(project, source_id):
    with project.session() as session:
        session.execute(
            insert(Segment),
            [
                {"source_id": source_id, "kind": "turn", "start": 50, "end": 113,
                 "speaker": "Айгерим", "language": "kk"},
                {"source_id": source_id, "kind": "turn", "start": 115, "end": 148,
                 "speaker": "Interviewer", "language": "en"},
            ],
        )  # fmt: skip
    assert _words(project, "Интервью:t2") == "Salaries grew. Rents grew faster."


def test_the_cli_codes_a_sentence_of_a_paragraph(cli, project, tmp_path: Path):
    notes = tmp_path / "Сұхбат.txt"
    notes.write_text(TEXT, encoding="utf-8")
    assert cli("import", notes, "--language", "kk").exit_code == 0
    result = cli("code", "сұхбат:p2.s2", "Көші-қон", "--coder", "Айгерим")
    assert result.exit_code == 0, result.stderr
    assert "сұхбат:p2.s2" in result.stdout
    with project.session(write=False) as session:
        excerpt = session.scalar(select(Excerpt))
        assert excerpt.text == "Көшіп-қонушылар көп."
    bad = cli("code", "Сұхбат:p2.s9", "Көші-қон")
    assert bad.exit_code != 0
    assert bad.stderr.strip() == (
        "qualcode: error: paragraph 2 of source 'Сұхбат' has no sentence 9 (it has 3 sentences)"
    )
