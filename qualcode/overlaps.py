"""Co-occurrence: how many pairs of overlapping coded spans carry each pair of codes.

The database hands over the coded spans, one row per (excerpt, code); the pairs are counted here
with numpy, vectorised: at 500,000 codings there are about half a million overlapping pairs,
which SQLite's self-join and GROUP BY took 0.9 s to count and numpy counts in a few hundredths
of a second (plus its import). The count is that of the full ordered self-join: every ordered
pair of overlapping excerpts (x, y), x = y included (the same span counts once), one coded with
code a and the other with code b, a != b.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any


def code_grid(spans: Sequence[Sequence[Any]], codes: Sequence[int]) -> list[list[float | None]]:
    """Overlapping pairs between ``codes`` (rows and columns in that order; the diagonal None)
    from distinct (source_id, start, end, code_id) rows.

    Sorted by (source, start), each row's overlapping rows are a range: those of its source that
    start at or after its start and before its end (found by binary search). The pair of rows
    counts as (a, b); when the other starts strictly later it also counts as (b, a), for the
    ordered pair seen from the row that starts later, whose range does not hold this one.
    """
    import numpy as np

    size = len(codes)
    if not spans or not size:
        return [[None] * size for _ in range(size)]
    flat = np.fromiter(chain.from_iterable(spans), dtype=np.int64, count=4 * len(spans))
    rows = flat.reshape(-1, 4)
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    source, start, end, code = rows.T
    # each code's place in ``codes`` (size: a code not asked for), by a lookup array
    place = np.full(int(max(code.max(), max(codes))) + 1, size, dtype=np.int64)
    place[np.asarray(codes, dtype=np.int64)] = np.arange(size)
    code = place[code]
    shift = int(end.max()) + 1  # (source, offset) as one sortable number
    key = source * shift + start
    first = np.searchsorted(key, key, side="left")
    last = np.searchsorted(key, source * shift + end, side="left")
    sizes = last - first
    i = np.repeat(np.arange(len(rows)), sizes)
    # the j-th row of each range: its first row, plus the position within the range
    j = np.repeat(first - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
    a, b = code[i], code[j]
    differ = a != b
    later = differ & (start[j] > start[i])
    width = size + 1
    keys = np.concatenate([a[differ] * width + b[differ], b[later] * width + a[later]])
    counts = np.bincount(keys, minlength=width * width).reshape(width, width)[:size, :size]
    grid: list[list[float | None]] = counts.astype(float).tolist()
    for k, row in enumerate(grid):
        row[k] = None
    return grid
