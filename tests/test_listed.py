"""reports.Listed hands a group's values over as one string, and several Listed in a query must
list the values of the same rows in the same order: co-occurrence joins its coded pairs to their
excerpts by position in those strings."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from qualcode import codebook, lookup, overlaps
from qualcode.coding import Target, apply_code
from qualcode.models import Excerpt
from qualcode.reports import Listed
from qualcode.sources import SourceOptions, add_source


def test_listed_compiles_to_each_databases_own_aggregate():
    query = select(Listed(Excerpt.start, Excerpt.id), Listed(Excerpt.end, Excerpt.id))
    assert "group_concat(excerpts.start)" in str(query.compile(dialect=sqlite.dialect()))
    pg = str(query.compile(dialect=postgresql.dialect()))
    assert "string_agg(CAST(excerpts.start AS TEXT), ',' ORDER BY excerpts.id)" in pg
    assert "string_agg(CAST(excerpts.\"end\" AS TEXT), ',' ORDER BY excerpts.id)" in pg


def test_listed_values_of_one_query_belong_to_the_same_rows(project):
    """Excerpts made in an order unlike their positions: each (id, start, end) read back from
    three Listed strings must be an excerpt as stored, on SQLite and on PostgreSQL."""
    text = " ".join(f"Сөйлем {n}: Қазақстан көші-қоны туралы." for n in range(40))
    with project.session() as session:
        source = add_source(session, text, title="Expert A", options=SourceOptions())
        code = codebook.create_code(session, "Көші-қон")
        coder = lookup.coder(session, "Айгүл")
        for n in (17, 3, 29, 0, 11, 38, 5, 22):
            start = n * 10
            apply_code(session, Target(source.id, start, start + 7 + n % 5), code, coder)
    with project.session(write=False) as session:
        stored = set(session.execute(select(Excerpt.id, Excerpt.start, Excerpt.end)))
        ((ids, starts, ends),) = session.execute(
            select(
                Listed(Excerpt.id, Excerpt.id),
                Listed(Excerpt.start, Excerpt.id),
                Listed(Excerpt.end, Excerpt.id),
            ).group_by(Excerpt.source_id)
        )
        count = session.scalar(select(func.count()).select_from(Excerpt))
    listed = zip(*(overlaps.numbers(s).tolist() for s in (ids, starts, ends)), strict=True)
    assert set(listed) == stored and len(stored) == count == 8


def test_numbers_reads_a_listed_string_and_refuses_anything_else():
    assert overlaps.numbers("3,1,3").tolist() == [3, 1, 3]
    assert overlaps.numbers(None).tolist() == []
    with pytest.raises(ValueError, match="not a list of integers"):
        overlaps.numbers("3,x,3")


def test_coded_spans_join_pairs_to_their_excerpts_by_id():
    pairs = [("12,10,12", "7,7,9")]
    excerpts = [(2, "10,12", "0,40", "5,60"), (1, "11", "3", "8")]
    spans = overlaps.joined_spans(pairs, excerpts).tolist()
    assert spans == [[2, 40, 60, 7], [2, 0, 5, 7], [2, 40, 60, 9]]
    assert overlaps.joined_spans([(None, None)], []).shape == (0, 4)
    with pytest.raises(ValueError, match="missing"):
        overlaps.joined_spans([("13", "7")], excerpts)
