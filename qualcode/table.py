"""A report's result as plain rows: what the CLI prints without loading pandas.

Reports shape their SQL results into a :class:`Table` with the standard library only; the public
report functions turn it into a pandas DataFrame (``to_dataframe``) for notebooks and for the
file formats pandas writes, and ``qualcode.formats.text`` prints it as a table, CSV, JSON or
Markdown byte for byte as pandas would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

# A column's kind, as pandas' dtype kind: integers, floats (None is NaN), or anything else.
Kind = Literal["i", "f", "O"]
NUMERIC = ("i", "f")


def column_text(values: tuple[Any, ...], kind: Kind) -> list[str]:
    """One column's cells as Table.cells shows them (converted by ``map``: a co-occurrence
    table of 500 codes has 250,000 cells)."""
    present = [v for v in values if v is not None] if None in values else values
    texts: Any = map(str, present)
    if kind == "f":
        floats = list(map(float, present))
        whole = all(map(float.is_integer, floats))
        texts = map(str, map(int, floats)) if whole else map(str, floats)
    if len(present) == len(values):
        return list(texts)
    shown = iter(texts)
    return ["" if v is None else next(shown) for v in values]


@dataclass(frozen=True)
class Table:
    """Named columns of known kinds and their rows (tuples of Python values, None if missing)."""

    columns: tuple[str, ...]
    kinds: tuple[Kind, ...]
    rows: list[tuple[Any, ...]]

    def __post_init__(self) -> None:
        if len(self.columns) != len(self.kinds):
            raise ValueError("one kind per column")

    def numeric(self, index: int) -> bool:
        return self.kinds[index] in NUMERIC

    def cells(self) -> list[tuple[str, ...]]:
        """Every value as the text a table shows: '' when missing, whole floats without '.0'
        (as qualcode.formats.tables does to a DataFrame). Column by column, each through one
        converter: a matrix of 500 codes x 900 participants has 450,000 cells."""
        return list(zip(*self.column_texts(), strict=True))

    def column_texts(self) -> list[list[str]]:
        """The cells of ``cells``, column by column (none when there are no rows)."""
        if not self.rows:
            return []
        return [
            column_text(values, kind)
            for values, kind in zip(zip(*self.rows, strict=True), self.kinds, strict=True)
        ]

    def to_dataframe(self) -> pd.DataFrame:
        """The same table as a DataFrame: int64, float64 (NaN for None) and object columns."""
        import pandas as pd

        df = pd.DataFrame(self.rows, columns=list(self.columns)) if self.rows else None
        if df is None:
            df = pd.DataFrame({c: [] for c in self.columns}, columns=list(self.columns))
        dtypes = {"i": "int64", "f": "float64", "O": object}
        for column, kind in zip(self.columns, self.kinds, strict=True):
            df[column] = df[column].astype(dtypes[kind])
        return df
