"""`qualcode search PATTERN`: keyword in context with addresses, and coding every hit at once."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode import events, search
from qualcode.models import Coding, Event
from qualcode.reports import Filters, parse_where
from tests.test_bulk import codings

NOTES = {
    "case1.txt": "Visas were slow. I am a programmer.\n\nThe visa office was closed.",
    "интервью.txt": "Визы долго. Я программист.\n\nВИЗОВЫЙ центр закрыт.",
    "сұхбат.txt": "Виза қиын болды. Әжем көмектесті.\n\nҚИЫН кезең өтті.",
}


@pytest.fixture
def cases(cli, project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALCODE_CODER", "Ann")
    manifest = tmp_path / "sources.csv"
    manifest.write_text(
        "file,participant,language,profession\n"
        "case1.txt,Case 1,en,programmer\n"
        "интервью.txt,Case 2,ru,programmer\n"
        "сұхбат.txt,Case 3,kk,entrepreneur\n",
        encoding="utf-8",
    )
    for name, text in NOTES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert cli("import", "--from", manifest).exit_code == 0


def rows(result) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_hits_come_in_context_with_their_addresses(cli, cases):
    result = cli("search visa --format csv")
    assert result.exit_code == 0, result.stderr
    assert rows(result) == [
        {"address": "case1:0-4", "before": "", "match": "Visa", "after": "s were slow. I am a programmer. The visa"},
        {"address": "case1:41-45", "before": "Visas were slow. I am a programmer. The", "match": "visa", "after": "office was closed."},
    ]  # fmt: skip
    assert "2 hits" in result.stderr


def test_one_hit_is_counted_as_one_hit(cli, cases):
    table = cli("search Әжем")
    assert table.exit_code == 0, table.stderr
    assert "Әжем: 1 hit" in [line.strip() for line in table.stdout.splitlines()]
    listed = cli("search Әжем --format csv")
    assert listed.stderr.strip() == "1 hit"


@pytest.mark.parametrize(
    ("pattern", "addresses"),
    [
        ("ВИЗЫ", ["интервью:0-4"]),
        ("визовый", ["интервью:28-35"]),
        ("қиын", ["сұхбат:5-9", "сұхбат:35-39"]),
        ("ӘЖЕМ", ["сұхбат:17-21"]),
    ],
)
def test_cyrillic_and_kazakh_patterns_ignore_case(project, cases, pattern, addresses):
    assert [h.address for h in search.search(project, pattern)] == addresses


def test_a_regex_with_sentence_units_gives_each_sentence_once(cli, cases):
    result = cli("search", "виз[аы]|visas?", "--regex", "--unit", "sentence", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert [r["address"] for r in rows(result)] == [
        "case1:s1",
        "case1:s3",
        "интервью:s1",
        "сұхбат:s1",
    ]


def test_paragraph_units_and_where(project, cases):
    filters = Filters(where=parse_where(["profession=ENTREPRENEUR"]))
    hits = search.search(project, "қиын", unit="paragraph", filters=filters)
    assert [h.address for h in hits] == ["сұхбат:p1", "сұхбат:p2"]
    filters = Filters(where=parse_where(["language=ru"]))
    assert [h.address for h in search.search(project, "ВИЗ", filters=filters)] == [
        "интервью:0-3",
        "интервью:28-31",
    ]


def test_an_address_a_search_gives_is_one_code_takes(cli, project, cases):
    hit = search.search(project, "programmer", unit="sentence")[0]
    result = cli("code", hit.address, "Profession")
    assert result.exit_code == 0, result.stderr
    assert codings(project) == [("case1", 17, 35, "Profession", "Ann")]


def test_code_codes_every_hit_in_one_undoable_step(cli, project, cases):
    result = cli("search", "виз", "--unit", "sentence", "--code", "Виза", "--coder", "Dana")
    assert result.exit_code == 0, result.stderr
    assert "coded 3 hits with 'Виза': 3 new codings" in result.stdout
    assert codings(project) == [
        ("интервью", 0, 11, "Виза", "Dana"),
        ("интервью", 28, 49, "Виза", "Dana"),
        ("сұхбат", 0, 16, "Виза", "Dana"),
    ]
    with project.session() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(
            Event.action == "coding.bulk")) == 1  # fmt: skip
        events.undo(session)
    with project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Coding)) == 0
    again = cli("search", "виз", "--unit", "sentence", "--code", "ВИЗА", "--coder", "Dana")
    assert "3 new codings" in again.stdout


def test_coding_no_hits_is_an_error_and_does_nothing(cli, project, cases):
    result = cli("search", "nothing-like-this", "--code", "Visa")
    assert result.exit_code == 1
    assert "no hits, nothing coded" in result.stderr
    with project.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Event).where(
            Event.action == "coding.bulk")) == 0  # fmt: skip


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["a(b", "--regex"], "qualcode: error: --regex 'a(b': missing ), unterminated subpattern"),
        (["x", "--unit", "word"], "qualcode: error: --unit 'word': use match, sentence"),
        (["x", "--where", "profesion=x"], "did you mean 'profession'"),
        ([" "], "qualcode: error: search: the pattern is empty"),
    ],
)
def test_bad_input_is_one_line(cli, cases, args, problem):
    result = cli("search", *args)
    assert result.exit_code == 1
    assert problem in result.stderr
    assert result.stderr.count("\n") == 1
