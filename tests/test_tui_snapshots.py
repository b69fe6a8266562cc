"""Screenshots of the main screens on a small fixed project, compared with the accepted ones.

Update after an intended change of layout with ``pytest tests/test_tui_snapshots.py
--snapshot-update`` and look at the new SVG files before committing them.
"""

from __future__ import annotations

import pytest

from qualcode import open_project
from qualcode.tui.app import QualcodeApp
from tests.tui_project import build

SIZE = (120, 32)


@pytest.fixture
def demo_db(sqlite_url: str) -> str:
    with open_project(sqlite_url) as project:
        build(project)
    return sqlite_url


def test_home_screen(snap_compare, demo_db):
    assert snap_compare(QualcodeApp(demo_db, "Aigerim"), terminal_size=SIZE)


def test_source_view_with_a_coded_passage_selected(snap_compare, demo_db):
    assert snap_compare(QualcodeApp(demo_db, "Aigerim"), press=["enter", "n"], terminal_size=SIZE)


def test_code_picker(snap_compare, demo_db):
    app = QualcodeApp(demo_db, "Aigerim")
    assert snap_compare(app, press=["enter", "c", "l", "a"], terminal_size=SIZE)


def test_codebook_screen(snap_compare, demo_db):
    assert snap_compare(QualcodeApp(demo_db, "Aigerim"), press=["2", "down"], terminal_size=SIZE)


def test_reports_screen(snap_compare, demo_db):
    assert snap_compare(QualcodeApp(demo_db, "Aigerim"), press=["3"], terminal_size=SIZE)
