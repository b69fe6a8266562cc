"""Co-occurrence: how many pairs of overlapping coded spans carry each pair of codes.

The database hands over the coded spans (source, start, end, code) as a few long strings per
source: from the coded_spans table, or (filtered, or on PostgreSQL) as the coded (excerpt, code)
pairs and the excerpts' places, joined here. They are read into arrays and the pairs counted
with numpy, vectorised: at 500,000 codings there are about half a million overlapping pairs,
which SQLite's self-join and GROUP BY took 0.9 s to count and numpy counts in a few hundredths
of a second (plus its import). The count is that of the full ordered self-join: every ordered
pair of overlapping excerpts (x, y), x = y included (the same span counts once), one coded with
code a and the other with code b, a != b.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is loaded only when a co-occurrence is counted
    import numpy as np
    import numpy.typing as npt

    Array = npt.NDArray[np.int64]


def numbers(listed: str | None) -> Array:
    """The integers of a reports.Listed string ("3,1,3"; None for none), read by numpy's C
    parser rather than one int() each."""
    import numpy as np

    if not listed:
        return np.zeros(0, dtype=np.int64)
    try:  # numpy 2.x raises at the first non-number; older ones warned and stopped there
        values = np.fromstring(listed, dtype=np.int64, sep=",")
    except ValueError:
        values = None
    if values is None or len(values) != listed.count(",") + 1:
        raise ValueError(f"not a list of integers: {listed[:40]!r}")
    return values


def _per_source(rows: Sequence[Sequence[Any]]) -> list[Array]:
    """Per-source rows (source_id, then Listed columns of the same length) as arrays: the
    source of each value, then each column's values."""
    import numpy as np

    columns = [numbers(",".join(row[k] for row in rows)) for k in range(1, len(rows[0]))]
    sizes = [row[1].count(",") + 1 for row in rows]
    return [np.repeat(np.asarray([row[0] for row in rows], dtype=np.int64), sizes), *columns]


def listed_spans(rows: Sequence[Sequence[Any]]) -> Array:
    """(source_id, start, end, code_id) rows from reports.cooccurrence_statements' "spans" (per
    source: its id, and its coded spans' starts, ends and codes, listed in the same order)."""
    import numpy as np

    if not rows:
        return np.zeros((0, 4), dtype=np.int64)
    return np.stack(_per_source(rows), axis=1)


def joined_spans(pairs: Sequence[Sequence[Any]], excerpts: Sequence[Sequence[Any]]) -> Array:
    """(source_id, start, end, code_id) rows, one per distinct coded (excerpt, code), from
    reports.cooccurrence_statements' "pairs" (one row: the pairs' excerpt ids and code ids,
    listed in the same order) and "excerpts" (per source: its id and its excerpts' ids,
    starts and ends)."""
    import numpy as np

    ((excerpt_ids, code_ids),) = pairs
    pair_excerpt, pair_code = numbers(excerpt_ids), numbers(code_ids)
    if not len(pair_excerpt) or not excerpts:
        return np.zeros((0, 4), dtype=np.int64)
    source, ids, start, end = _per_source(excerpts)
    # each excerpt's place in the listing, by a lookup array over the ids
    place = np.full(int(max(ids.max(), pair_excerpt.max())) + 1, -1, dtype=np.int64)
    place[ids] = np.arange(len(ids))
    at = place[pair_excerpt]
    if (at < 0).any():
        raise ValueError("a coded excerpt is missing from the excerpts")
    return np.stack([source[at], start[at], end[at], pair_code], axis=1)


def codes_of(spans: Array) -> set[int]:
    """The codes the spans carry."""
    import numpy as np

    return set(np.unique(spans[:, 3]).tolist())


def code_grid(spans: Array, codes: Sequence[int]) -> list[list[float | None]]:
    """Overlapping pairs between ``codes`` (rows and columns in that order; the diagonal None)
    from distinct (source_id, start, end, code_id) rows (listed_spans, joined_spans).

    Sorted by (source, start), each row's overlapping rows are a range: those of its source that
    start at or after its start and before its end (found by binary search). The pair of rows
    counts as (a, b); when the other starts strictly later it also counts as (b, a), for the
    ordered pair seen from the row that starts later, whose range does not hold this one.
    """
    import numpy as np

    size = len(codes)
    if not len(spans) or not size:
        return [[None] * size for _ in range(size)]
    rows = spans[np.lexsort((spans[:, 1], spans[:, 0]))]
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
