"""Codebook operations and coding, with their undo and redo, checked in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qualcode import codebook, coding, events, lookup
from qualcode.errors import InputError, NotFoundError
from qualcode.models import Code, CodeTheme, Coding, Event, Source, Theme

TEXT = "Kazakhstan is a transit country. Many return to Russia. Digitalisation helps."


@pytest.fixture
def seeded(project):
    with project.session() as s:
        s.add(Source(title="Expert B", text=TEXT))
    return project


def _apply(session, start, end, name, coder="Ann"):
    return coding.code_range(session, f"Expert B:{start}-{end}", name, coder)


def test_applying_the_same_code_twice_is_one_coding(seeded):
    with seeded.session() as s:
        first = _apply(s, 0, 32, "Transit country")
        second = _apply(s, 0, 32, "transit COUNTRY")
        assert first.id == second.id
    with seeded.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Coding)) == 1
        assert s.scalars(select(Code.name)).all() == ["Transit country"]


def test_merge_moves_codings_and_keeps_the_merged_code(seeded):
    with seeded.session() as s:
        _apply(s, 0, 32, "Transit")
        _apply(s, 33, 55, "Return")
        _apply(s, 0, 32, "Transit country")  # same excerpt and coder as "Transit": not doubled
        keep, gone = lookup.get_code(s, "Transit country"), lookup.get_code(s, "Transit")
        moved = codebook.merge_codes(s, keep, gone)
        assert moved == 0
        codebook.merge_codes(s, keep, lookup.get_code(s, "Return"))
    with seeded.session(write=False) as s:
        rows = s.execute(
            select(Code.name, Code.status, Code.merged_into_id).order_by(Code.id)
        ).all()
        keep_id = lookup.get_code(s, "Transit country").id
        assert rows == [
            ("Transit", "merged", keep_id),
            ("Return", "merged", keep_id),
            ("Transit country", "active", None),
        ]
        assert s.scalars(select(Coding.code_id)).all() == [keep_id, keep_id]


def test_undo_and_redo_a_merge_restore_every_coding(seeded):
    with seeded.session() as s:
        _apply(s, 0, 32, "Transit")
        _apply(s, 0, 32, "Transit country")
        _apply(s, 33, 55, "Transit")
        codebook.merge_codes(
            s, lookup.get_code(s, "Transit country"), lookup.get_code(s, "Transit")
        )
    with seeded.session() as s:
        assert events.undo(s).action == "code.merge"
    with seeded.session(write=False) as s:
        per_code = dict(
            s.execute(
                select(Code.name, func.count(Coding.id)).join(Coding).group_by(Code.name)
            ).all()
        )
        assert per_code == {"Transit": 2, "Transit country": 1}
        assert lookup.get_code(s, "Transit").status == "active"
    with seeded.session() as s:
        assert events.redo(s).action == "code.merge"
    with seeded.session(write=False) as s:
        per_code = dict(
            s.execute(
                select(Code.name, func.count(Coding.id)).join(Coding).group_by(Code.name)
            ).all()
        )
        assert per_code == {"Transit country": 2}


def test_undo_stack_walks_back_and_a_new_action_ends_redo(seeded):
    with seeded.session() as s:
        start = events.last_event_id(s)
        _apply(s, 0, 32, "A")
        _apply(s, 33, 55, "A")
    with seeded.session() as s:
        assert events.undo(s, since_id=start).action == "coding.apply"
        assert events.undo(s, since_id=start).action == "coding.apply"
        assert events.undo(s, since_id=start).action == "code.create"
        assert events.undo(s, since_id=start) is None
    with seeded.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Code)) == 0
    with seeded.session() as s:
        assert events.redo(s, since_id=start).action == "code.create"
        assert events.redo(s, since_id=start).action == "coding.apply"
        _apply(s, 56, 77, "B")
        assert events.redo(s, since_id=start) is None
    with seeded.session(write=False) as s:
        texts = sorted(c.excerpt.text for c in s.scalars(select(Coding)))
        assert texts == ["Digitalisation helps.", "Kazakhstan is a transit country."]


def test_exclude_needs_a_reason_and_blocks_new_codings(seeded):
    with seeded.session() as s:
        _apply(s, 0, 32, "Weather")
        with pytest.raises(InputError, match="needs a reason"):
            codebook.exclude_code(s, lookup.get_code(s, "Weather"), " ")
        codebook.exclude_code(s, lookup.get_code(s, "Weather"), "not about migration")
    with seeded.session() as s, pytest.raises(InputError, match="is excluded"):
        _apply(s, 33, 55, "Weather")
    with seeded.session() as s:
        codebook.include_code(s, lookup.get_code(s, "Weather"))
        _apply(s, 33, 55, "Weather")
    with seeded.session(write=False) as s:
        assert lookup.get_code(s, "Weather").status == "active"
        assert s.scalar(select(func.count()).select_from(Coding)) == 2


def test_themes_nest_and_codes_are_assigned_in_order(seeded):
    with seeded.session() as s:
        trends = codebook.create_theme(s, "Evolving Migration Trends")
        reasons = codebook.create_theme(s, "Reasons for movement", parent=trends)
        for name in ("Economic reasons", "Career growth abroad"):
            codebook.assign_code(s, codebook.create_code(s, name), reasons)
        assert not codebook.assign_code(s, lookup.get_code(s, "Economic reasons"), reasons)
        with pytest.raises(InputError, match="under itself"):
            codebook.nest_theme(s, trends, reasons)
    with seeded.session(write=False) as s:
        links = s.execute(
            select(Code.name, Theme.name, CodeTheme.position)
            .join(CodeTheme, CodeTheme.code_id == Code.id)
            .join(Theme, Theme.id == CodeTheme.theme_id)
            .order_by(CodeTheme.position)
        ).all()
        assert links == [
            ("Economic reasons", "Reasons for movement", 1),
            ("Career growth abroad", "Reasons for movement", 2),
        ]
        assert (
            lookup.get_theme(s, "reasons for movement").parent.name == "Evolving Migration Trends"
        )


def test_rename_refuses_a_name_in_use_and_undo_restores_the_old_name(seeded):
    with seeded.session() as s:
        a = codebook.create_code(s, "Brain drain")
        codebook.create_code(s, "Outflow")
        with pytest.raises(InputError, match="exists already"):
            codebook.rename_code(s, a, "outflow")
        codebook.rename_code(s, a, "Outflow of skilled specialists")
    with seeded.session() as s:
        events.undo(s)
    with seeded.session(write=False) as s:
        assert lookup.find_code(s, "Brain drain") is not None
        actions = s.scalars(select(Event.action).order_by(Event.id)).all()
        assert actions == ["code.create", "code.create", "code.update"]


def test_unknown_code_names_suggest_the_nearest(seeded):
    with seeded.session() as s:
        codebook.create_code(s, "Digitalisation")
        with pytest.raises(NotFoundError, match="did you mean 'Digitalisation'"):
            lookup.get_code(s, "Digitalization")


def test_sentence_targets_use_the_stored_segments(seeded):
    from qualcode.models import Segment

    with seeded.session() as s:
        s.add_all(
            [
                Segment(source_id=1, kind="sentence", start=0, end=32),
                Segment(source_id=1, kind="sentence", start=33, end=55),
            ]
        )
    with seeded.session() as s:
        made = coding.code_range(s, "Expert B:s2", "Return", "Ann")
        assert made.excerpt.text == "Many return to Russia."
        with pytest.raises(InputError, match="no sentence 3"):
            coding.code_range(s, "Expert B:s3", "Return", "Ann")
