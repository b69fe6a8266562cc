"""Charts for an appendix: a bar chart of the theme report and a heat map of the code matrix.

matplotlib is imported inside the functions, with the Agg backend (no display needed), so that
importing qualcode or running a report without ``--chart`` never pays for it. The file's suffix
chooses the format: .png or .svg.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

CHART_SUFFIXES = (".png", ".svg")


def _check_path(path: Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in CHART_SUFFIXES:
        raise InputError(f"{path}: a chart is written as .png or .svg")
    if not path.parent.exists():
        raise InputError(f"{path}: the folder {path.parent} does not exist")
    return path


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def themes_bar(df: pd.DataFrame, path: Path, title: str = "Codes per theme") -> Path:
    """Horizontal bars of codes and count per theme (sub-themes indented), Total row left out."""
    path = _check_path(path)
    rows = df[~df["theme"].isin(["Total"])]
    labels = [
        f"   {theme}" if parent else str(theme)
        for theme, parent in zip(rows["theme"], rows["parent"], strict=True)
    ]
    plt = _pyplot()
    height = max(2.5, 0.45 * len(rows) + 1.2)
    fig, ax = plt.subplots(figsize=(8, height))
    positions = range(len(rows))
    ax.barh([p - 0.2 for p in positions], rows["codes"], height=0.4, label="codes")
    ax.barh([p + 0.2 for p in positions], rows["count"], height=0.4, label="count")
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    ax.set_xlabel("number")
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, format=path.suffix.lower().lstrip("."))
    plt.close(fig)
    return path


def heatmap(df: pd.DataFrame, path: Path, title: str = "Codes by participant") -> Path:
    """A heat map of a matrix report: first column the row labels, the others numbers."""
    import numpy as np

    path = _check_path(path)
    labels = [str(v) for v in df.iloc[:, 0]]
    values = df.iloc[:, 1:].astype(float)
    plt = _pyplot()
    fig, ax = plt.subplots(
        figsize=(max(4, 0.6 * values.shape[1] + 3), max(3, 0.35 * values.shape[0] + 1.5))
    )
    image = ax.imshow(values.to_numpy(), aspect="auto", cmap="Blues")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in values.columns], rotation=45, ha="right")
    ax.set_yticks(range(values.shape[0]), labels)
    grid = values.to_numpy()
    if grid.size <= 400:
        top = float(np.nanmax(grid)) if np.isfinite(grid).any() else 0.0
        for (i, j), v in np.ndenumerate(grid):
            if not np.isnan(v):  # the empty diagonal of a co-occurrence matrix stays empty
                colour = "white" if top and v > top / 2 else "black"
                ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=8, color=colour)
    fig.colorbar(image, ax=ax)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, format=path.suffix.lower().lstrip("."))
    plt.close(fig)
    return path
