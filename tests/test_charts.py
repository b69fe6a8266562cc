"""Charts written as real PNG and SVG files from the report commands."""

from __future__ import annotations

import itertools

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


# --- sized to a page, labels readable and inside the figure --------------------------------

LONG_NAMES = [
    "Трудовая миграция из Центральной Азии в крупные города",
    "Шетелдік жұмыс күшін тартудың жаңа тәртібі және квоталар",
    "Outflow of highly skilled specialists to Western markets",
]


def _names(n: int) -> list[str]:
    return [f"{LONG_NAMES[i % 3]} {i}" for i in range(n)]


def _assert_readable(fig) -> None:
    """Every tick label at 7 pt or more, inside the figure, and no two on an axis overlapping."""
    from qualcode import charts

    width, height = fig.bbox.width, fig.bbox.height
    boxes = charts.label_boxes(fig)
    assert boxes
    for _, _, text, size, (x0, y0, x1, y1) in boxes:
        assert size >= 7, text
        assert x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height, (text, (x0, y0, x1, y1))
    for axis, low, high in (("x", 0, 2), ("y", 1, 3)):  # box = (x0, y0, x1, y1)
        spans = sorted(
            (box[low], box[high]) for ax, name, _, _, box in boxes if ax == 0 and name == axis
        )
        assert all(a[1] <= b[0] + 0.5 for a, b in itertools.pairwise(spans)), axis


def _matrix(rows: int, columns: list[str]):
    import pandas as pd

    data = {"code": _names(rows)} | {
        c: [(i * 7 + j) % 5 for i in range(rows)] for j, c in enumerate(columns)
    }
    return pd.DataFrame(data)


def test_a_heat_map_of_many_long_codes_fits_an_a4_page(tmp_path):
    from qualcode import charts

    people = ["Expert A", "Эксперт Б", "Сарапшы В"] + [f"Expert {c}" for c in "DEFGHI"]
    df = _matrix(45, people)
    fig = charts.heatmap_figure(df)
    assert round(fig.get_figwidth(), 2) == round(160 / 25.4, 2)
    assert fig.get_figheight() <= 247 / 25.4 + 0.01
    _assert_readable(fig)
    png = charts.heatmap(df, tmp_path / "matrix.png")
    import matplotlib.image

    height, width, _ = matplotlib.image.imread(png).shape
    assert width == int(160 / 25.4 * charts.DPI)  # matplotlib rounds down
    assert height <= int(247 / 25.4 * charts.DPI)
    svg = ET.parse(charts.heatmap(df, tmp_path / "matrix.svg")).getroot()
    assert abs(float(svg.get("width").removesuffix("pt")) - 160 / 25.4 * 72) < 1


def test_a_square_heat_map_and_the_bar_chart_are_readable():
    import pandas as pd

    from qualcode import charts

    names = _names(20)
    square = pd.DataFrame({"code": names} | {n: list(range(20)) for n in names})
    _assert_readable(charts.heatmap_figure(square, "Code co-occurrence"))
    themes = pd.DataFrame(
        {
            "theme": ["Evolving Migration Trends", "Причины миграции", "Көші-қон саясаты", "Total"],
            "parent": ["", "Evolving Migration Trends", "", ""],
            "codes": [40, 12, 30, 82],
            "count": [120, 30, 90, 240],
        }
    )
    fig = charts.themes_bar_figure(themes)
    assert round(fig.get_figwidth(), 2) == round(160 / 25.4, 2)
    _assert_readable(fig)


def test_too_many_rows_for_a_page_is_a_one_line_error(tmp_path):
    from qualcode import charts
    from qualcode.errors import InputError

    with pytest.raises(InputError, match=r"^192 rows x 9 columns do not fit on a page at 7 pt"):
        charts.heatmap(_matrix(192, list("ABCDEFGHI")), tmp_path / "big.png")
    assert not (tmp_path / "big.png").exists()


def _many_codes(project, n: int) -> None:
    """n codes on one shared passage (so each co-occurs with every other), the i-th code also
    on i more passages, so that the codes with most codings are the last ones."""
    from qualcode import codebook, lookup
    from qualcode.coding import Target, apply_code
    from qualcode.sources import SourceOptions, add_source

    text = " ".join(f"Sentence number {i} about migration." for i in range(n + 1))
    with project.session() as session:
        source = add_source(session, text, title="notes", options=SourceOptions())
        ann = lookup.coder(session, "Ann")
        for i, name in enumerate(_names(n)):
            code = codebook.create_code(session, name)
            apply_code(session, Target(source.id, 0, 10), code, ann)
            for k in range(i):
                apply_code(session, Target(source.id, 20 + k, 30 + k), code, ann)


def test_cooccurrence_top_and_the_page_limit(project, cli, tmp_path):
    import matplotlib.image

    _many_codes(project, 30)
    top = cli(
        "report", "cooccurrence", "--top", "3", "--format", "csv", "--chart", tmp_path / "t.png"
    )
    assert top.exit_code == 0, top.stderr
    header, *rows = top.stdout.splitlines()
    assert header == "code," + ",".join(_names(30)[27:])
    assert [r.split(",")[0] for r in rows] == _names(30)[27:]
    assert matplotlib.image.imread(tmp_path / "t.png").shape[1] == int(160 / 25.4 * 200)
    auto = cli("report", "cooccurrence", "--format", "csv", "--chart", tmp_path / "all.svg")
    assert auto.exit_code == 0, auto.stderr
    assert len(auto.stdout.splitlines()) == 31  # the table keeps every code
    assert "30 codes do not fit on a page; the chart shows the 21 with the most codings" in (
        auto.stderr
    )
    bad = cli("report", "matrix", "--top", "0")
    assert bad.exit_code == 1
    assert bad.stderr.strip() == "qualcode: error: --top must be 1 or more, not 0"


def test_a_bar_chart_of_the_codes_of_one_theme(built, cli, tmp_path):
    import matplotlib.image
    import pandas as pd

    from qualcode import charts

    png = tmp_path / "policy.png"
    result = cli("report", "codes", "--themes", "Policy", "--chart", png, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("Visa,")
    assert matplotlib.image.imread(png).shape[1] == int(160 / 25.4 * charts.DPI)
    many = pd.DataFrame(
        {"code": _names(45), "count": range(45), "status": ["active"] * 45, "themes": ""}
    )
    fig = charts.codes_bar_figure(many)
    assert fig.get_figheight() <= 247 / 25.4 + 0.01
    _assert_readable(fig)


def test_codes_chart_of_more_codes_than_fit_draws_the_top_ones(project, cli, tmp_path):
    _many_codes(project, 50)
    result = cli("report", "codes", "--format", "csv", "--chart", tmp_path / "codes.svg")
    assert result.exit_code == 0, result.stderr
    assert "50 codes do not fit on a page; the chart shows the 47 with the most codings" in (
        result.stderr
    )
    top = cli("report", "codes", "--top", "2", "--format", "csv")
    assert [r.split(",")[0] for r in top.stdout.splitlines()[1:]] == _names(50)[48:]
