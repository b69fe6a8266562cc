"""Writing the table on the reports screen to a file, in the format its name asks for."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

FORMATS = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".md": "md",
    ".json": "json",
    ".tex": "tex",
    ".docx": "docx",
}


def export_table(df: pd.DataFrame, path: str | Path, title: str | None = None) -> Path:
    """Write ``df`` to ``path`` (csv, xlsx, md, json, tex or docx, by suffix); returns the path."""
    from qualcode.formats import tables

    target = Path(path).expanduser()
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise InputError(f"{target}: name a file ending in {', '.join(FORMATS)}")
    if not target.parent.exists():
        raise InputError(f"{target}: the folder {target.parent} does not exist")
    tables.render(df, fmt, target, title=title)
    return target
