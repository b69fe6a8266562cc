"""Charts written as real PNG and SVG files from the report commands."""

from __future__ import annotations

import defusedxml.ElementTree as ET
import pytest

from tests.report_projects import build_report_project

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def built(project):
    build_report_project(project)
    return project


def test_themes_bar_chart_as_png_and_svg(built, cli, tmp_path):
    png, svg = tmp_path / "themes.png", tmp_path / "themes.svg"
    result = cli("report", "themes", "--chart", png, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("theme,parent")
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert cli("report", "themes", "--counts", "reported", "--chart", svg).exit_code == 0
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")


def test_matrix_heat_map_as_svg_and_png(built, cli, tmp_path):
    import matplotlib.image

    svg, png = tmp_path / "matrix.svg", tmp_path / "matrix.png"
    assert cli("report", "matrix", "--chart", svg).exit_code == 0
    assert ET.parse(svg).getroot().tag.endswith("svg")
    assert cli("report", "cooccurrence", "--chart", png).exit_code == 0
    height, width, _ = matplotlib.image.imread(png).shape
    assert width > 100 and height > 100


def test_a_chart_needs_png_or_svg(built, cli, tmp_path):
    target = tmp_path / "themes.pdf"
    result = cli("report", "themes", "--chart", target)
    assert result.exit_code == 1
    assert "a chart is written as .png or .svg" in result.stderr
    assert not target.exists()
