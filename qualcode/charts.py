"""Charts for a thesis: bar charts of the theme and code reports, heat maps of the code matrices.

Every chart is sized to a page: as wide as an A4 page's text (160 mm: 210 mm less 2.5 cm margins),
at most as tall as that text (247 mm), with every label at :data:`MIN_FONT_PT` or more and long
labels shortened with "…". A heat map whose rows or columns cannot fit at that size is refused with
the number that fits (the CLI's ``--top`` and ``--themes`` choose which codes to draw). The layout
engine keeps tick labels inside the figure; :func:`label_boxes` exposes what was drawn so that tests
can check it.

matplotlib is imported inside the functions, with the Agg backend (no display needed), so that
importing qualcode or running a report without ``--chart`` never pays for it. The file's suffix
chooses the format: .png (at :data:`DPI`) or .svg.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from qualcode.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

CHART_SUFFIXES = (".png", ".svg")
PAGE_WIDTH_IN = 160 / 25.4
PAGE_HEIGHT_IN = 247 / 25.4
DPI = 200
FONT_PT = 9.0
MIN_FONT_PT = 7.0
LINE = 1.45  # a label's row pitch, in multiples of its font size
LABEL_CHARS = 38  # longer code names are shortened with "…"
# room the heat map needs beside its cells (inches): row labels, colour bar, title, margins
ROW_LABEL_IN = 2.2
SIDE_IN = 1.1
TOP_BOTTOM_IN = 1.0


def _check_path(path: Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in CHART_SUFFIXES:
        raise InputError(f"{path}: a chart is written as .png or .svg")
    if not path.parent.exists():
        raise InputError(f"{path}: the folder {path.parent} does not exist")
    return path


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    # Names are user text: "$x^$" must be drawn as written, not parsed as mathtext (or fail).
    matplotlib.rcParams["text.parse_math"] = False
    import matplotlib.pyplot as plt

    return plt


def shorten(label: object, chars: int = LABEL_CHARS) -> str:
    text = " ".join(str(label).split())
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _pitch(font: float) -> float:
    """Inches one label row needs at this font size."""
    return font * LINE / 72


def fits(rows: int, columns: int) -> tuple[int, int]:
    """How many rows and columns of a heat map fit on a page at the smallest font."""
    pitch = _pitch(MIN_FONT_PT)
    column_label_in = LABEL_CHARS * MIN_FONT_PT * 0.55 / 72  # rotated labels below the cells
    max_rows = int((PAGE_HEIGHT_IN - TOP_BOTTOM_IN - column_label_in) / pitch)
    max_columns = int((PAGE_WIDTH_IN - ROW_LABEL_IN - SIDE_IN) / pitch)
    return max_rows, max_columns


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, format=path.suffix.lower().lstrip("."), dpi=DPI)
    _pyplot().close(fig)
    return path


def themes_bar(df: pd.DataFrame, path: Path, title: str = "Codes per theme") -> Path:
    """Horizontal bars of codes and count per theme (sub-themes indented), Total row left out."""
    path = _check_path(path)
    return _save(themes_bar_figure(df, title), path)


def themes_bar_figure(df: pd.DataFrame, title: str = "Codes per theme") -> Figure:
    """The figure of :func:`themes_bar`, not yet written."""
    rows = df[~df["theme"].isin(["Total"])]
    labels = [
        f"   {shorten(theme)}" if parent else shorten(theme)
        for theme, parent in zip(rows["theme"], rows["parent"], strict=True)
    ]
    font = FONT_PT
    max_rows = int((PAGE_HEIGHT_IN - TOP_BOTTOM_IN) / (2 * _pitch(MIN_FONT_PT)))
    if len(rows) > max_rows:
        raise InputError(
            f"{len(rows)} themes do not fit on a page at {MIN_FONT_PT:g} pt "
            f"(at most {max_rows}): use --themes"
        )
    plt = _pyplot()
    height = min(PAGE_HEIGHT_IN, max(2.5, 2 * _pitch(font) * len(rows) + TOP_BOTTOM_IN + 0.6))
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH_IN, height), layout="constrained")
    positions = range(len(rows))
    ax.barh([p - 0.2 for p in positions], rows["codes"], height=0.4, label="codes")
    ax.barh([p + 0.2 for p in positions], rows["count"], height=0.4, label="count")
    ax.set_yticks(list(positions), labels, fontsize=font)
    ax.tick_params(axis="x", labelsize=font)
    ax.invert_yaxis()
    ax.set_xlabel("number", fontsize=font)
    ax.set_title(title, fontsize=font + 1)
    ax.legend(loc="lower right", fontsize=font)
    return cast("Figure", fig)


def codes_bar(df: pd.DataFrame, path: Path, title: str = "Codings per code") -> Path:
    """Horizontal bars of the codings of each active code of the codes report, in its order."""
    path = _check_path(path)
    return _save(codes_bar_figure(df, title), path)


def codes_bar_figure(df: pd.DataFrame, title: str = "Codings per code") -> Figure:
    """The figure of :func:`codes_bar`, not yet written (one bar a code, one code a row)."""
    rows = df[df["status"] == "active"] if "status" in df.columns else df
    max_rows = fits(len(rows), 1)[0]
    if len(rows) > max_rows:
        raise InputError(
            f"{len(rows)} codes do not fit on a page at {MIN_FONT_PT:g} pt "
            f"(at most {max_rows}): use --top or --themes"
        )
    font = FONT_PT
    height = min(PAGE_HEIGHT_IN, max(2.5, _pitch(font) * len(rows) + TOP_BOTTOM_IN + 0.4))
    if _pitch(font) * len(rows) + TOP_BOTTOM_IN + 0.4 > PAGE_HEIGHT_IN:
        font = max(MIN_FONT_PT, (PAGE_HEIGHT_IN - TOP_BOTTOM_IN - 0.4) / len(rows) * 72 / LINE)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH_IN, height), layout="constrained")
    positions = list(range(len(rows)))
    ax.barh(positions, rows["count"], height=0.7)
    ax.set_yticks(positions, [shorten(c) for c in rows["code"]], fontsize=font)
    ax.tick_params(axis="x", labelsize=font)
    ax.invert_yaxis()
    ax.set_xlabel("codings", fontsize=font)
    ax.set_title(title, fontsize=font + 1)
    return cast("Figure", fig)


def heatmap(df: pd.DataFrame, path: Path, title: str = "Codes by participant") -> Path:
    """A heat map of a matrix report: first column the row labels, the others numbers."""
    path = _check_path(path)
    return _save(heatmap_figure(df, title), path)


def heatmap_figure(df: pd.DataFrame, title: str = "Codes by participant") -> Figure:
    """The figure of :func:`heatmap`, not yet written."""
    import numpy as np

    labels = [shorten(v) for v in df.iloc[:, 0]]
    values = df.iloc[:, 1:].astype(float)
    n_rows, n_columns = values.shape
    max_rows, max_columns = fits(n_rows, n_columns)
    if n_rows > max_rows or n_columns > max_columns:
        raise InputError(
            f"{n_rows} rows x {n_columns} columns do not fit on a page at "
            f"{MIN_FONT_PT:g} pt (at most {max_rows} x {max_columns}): use --top or --themes"
        )
    width_for_columns = (PAGE_WIDTH_IN - ROW_LABEL_IN - SIDE_IN) / max(n_columns, 1)
    font = max(MIN_FONT_PT, min(FONT_PT, width_for_columns * 72 / LINE))
    column_labels = [shorten(c) for c in values.columns]
    column_label_in = max((len(c) for c in column_labels), default=1) * font * 0.55 / 72
    height = n_rows * _pitch(font) + TOP_BOTTOM_IN + column_label_in
    height = min(PAGE_HEIGHT_IN, max(3.0, height))
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH_IN, height), layout="constrained")
    image = ax.imshow(values.to_numpy(), aspect="auto", cmap="Blues")
    ax.set_xticks(range(n_columns), column_labels, rotation=90, fontsize=font)
    ax.set_yticks(range(n_rows), labels, fontsize=font)
    grid = values.to_numpy()
    cell_pt = min(width_for_columns, (height - TOP_BOTTOM_IN) / max(n_rows, 1)) * 72
    if grid.size <= 400 and cell_pt >= 2 * MIN_FONT_PT:
        top = float(np.nanmax(grid)) if np.isfinite(grid).any() else 0.0
        for (i, j), v in np.ndenumerate(grid):
            if not np.isnan(v):  # the empty diagonal of a co-occurrence matrix stays empty
                colour = "white" if top and v > top / 2 else "black"
                ax.text(
                    j, i, f"{v:g}", ha="center", va="center", fontsize=MIN_FONT_PT, color=colour
                )
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.ax.tick_params(labelsize=font)
    ax.set_title(title, fontsize=font + 1)
    return cast("Figure", fig)


def label_boxes(fig: Figure) -> list[tuple[int, str, str, float, tuple[float, ...]]]:
    """(axes index, "x" or "y", text, font size, (x0, y0, x1, y1) in pixels) of every tick label
    drawn on ``fig`` (labels of ticks outside the axes' limits are not drawn: left out)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's canvas has it
    out: list[tuple[int, str, str, float, tuple[float, ...]]] = []
    for index, ax in enumerate(fig.axes):
        for name, axis, limits in (("x", ax.xaxis, ax.get_xlim()), ("y", ax.yaxis, ax.get_ylim())):
            low, high = sorted(limits)
            for label in axis.get_ticklabels():
                where = label.get_position()[0 if name == "x" else 1]
                if not (label.get_visible() and label.get_text() and low <= where <= high):
                    continue
                box = tuple(float(v) for v in label.get_window_extent(renderer).extents)
                out.append((index, name, label.get_text(), float(label.get_fontsize()), box))
    return out
