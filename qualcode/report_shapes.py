"""The reports' rows, shaped from their SQL results with the standard library only.

qualcode.reports builds each report's statements and hands their results here; so does the CLI's
light path (qualcode.report_plans), which runs the same statements compiled ahead on sqlite3.
One shaping for both, so they cannot differ. ``results`` maps a statement's name to its rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, cast

from qualcode.names import fold, sort_key
from qualcode.table import Kind, Table

INTEGER: Kind = "i"
FLOAT: Kind = "f"

Rows = list[tuple[Any, ...]]
Results = dict[str, Rows]

NO_PARTICIPANT = "(no participant)"
NO_THEME = "(no theme)"
TOTAL = "Total"


def short_names(pseudonyms: Sequence[str]) -> str:
    """'Expert A', 'Expert B' -> 'A,B': the thesis's way of naming who said something."""
    names = sorted(set(pseudonyms))
    if not names:
        return ""
    words = [n.split(" ", 1) for n in names]
    if len(names) > 1 and all(len(w) == 2 and w[0] == words[0][0] for w in words):
        return ",".join(w[1] for w in words)
    return ",".join(names)


def codes(results: Results, filtered: bool = False) -> Table:
    """Per code: themes, codings, participants (short names), status; in codebook order."""
    pseudonyms: dict[int, str] = dict(results["people"])
    totals: dict[int, int] = defaultdict(int)
    who: dict[int, list[str]] = defaultdict(list)
    for participant_id, code_id, n in results["counts"]:
        totals[code_id] += n
        if participant_id is not None:
            who[code_id].append(pseudonyms[participant_id])
    themes: dict[int, list[str]] = defaultdict(list)
    for code_id, theme in results["themes"]:
        themes[code_id].append(theme)
    rows = [
        (name, "; ".join(themes.get(i, ())), totals.get(i, 0), short_names(who.get(i, ())), status)
        for i, name, status in results["listing"]
        if not filtered or totals.get(i, 0) > 0
    ]
    return Table(
        ("code", "themes", "count", "participants", "status"), ("O", "O", "i", "O", "O"), rows
    )


def theme_order(rows: Rows, only: set[int] | None) -> list[tuple[int, str, str]]:
    """Themes depth-first in their order, each sub-theme right after its parent."""
    children: dict[int | None, Rows] = {}
    for row in rows:
        children.setdefault(row[2], []).append(row)
    names = {row[0]: row[1] for row in rows}
    ordered: list[tuple[int, str, str]] = []

    def walk(parent: int | None, shown: bool) -> None:
        for tid, name, parent_id in children.get(parent, []):
            show = shown or only is None or tid in only
            if show:
                ordered.append((tid, name, names.get(parent_id, "") if parent_id else ""))
            walk(tid, show)

    walk(None, False)
    return ordered


def themes(results: Results, wanted: Sequence[str] = ()) -> Table:
    """Per theme (depth-first), codes in no theme, then the Total; ``wanted`` names the themes a
    filter chose (their sub-themes are shown with them)."""
    figures = {row[0]: row[1:] for row in results["figures"]}
    listing = results["listing"]
    only = None
    if wanted:
        lowered = {fold(t) for t in wanted}
        only = {tid for tid, name, _ in listing if fold(name) in lowered}
    rows = [
        (name, parent, *figures.get(tid, (0, None, 0)))
        for tid, name, parent in theme_order(listing, only)
    ]
    if figures.get(-1, (0,))[0]:
        rows.append((NO_THEME, "", *figures[-1]))
    rows.append((TOTAL, "", *figures.get(-2, (0, None, 0))))
    rows = [(name, parent, codes, int(count or 0), who) for name, parent, codes, count, who in rows]
    return Table(
        ("theme", "parent", "codes", "count", "participants"), ("O", "O", "i", "i", "i"), rows
    )


def participants(results: Results, wanted: Sequence[str] = (), only_coded: bool = False) -> Table:
    """Per participant in Appendix A order (``wanted``: only these; ``only_coded``: only those
    with codings), then codings of sources with no participant."""
    counts = {row[0]: row[1:] for row in results["counts"]}
    people = [row[0] for row in results["listing"]]
    if wanted:
        lowered = {fold(p) for p in wanted}
        people = [p for p in people if fold(p) in lowered]
    elif NO_PARTICIPANT in counts:
        people.append(NO_PARTICIPANT)
    rows = [(p, *counts.get(p, (0, 0, 0))) for p in people]
    if only_coded:
        rows = [row for row in rows if row[2] > 0]
    return Table(("participant", "sources", "codings", "codes"), ("O", "i", "i", "i"), rows)


def sources(results: Results) -> Table:
    """One row a source, by title in the Kazakh-aware order of ``names.sort_key`` (the same on
    SQLite and PostgreSQL, whatever the server's collation)."""
    columns = ("source", "kind", "participant", "excerpts", "codings", "codes")
    rows = sorted(results["counts"], key=lambda row: sort_key(row[0]))
    return Table(columns, ("O", "O", "O", "i", "i", "i"), rows)


def matrix(results: Results, filtered: bool = False, presence: bool = False) -> Table:
    """Code x participant: codings (or 1/0 with ``presence``); a filter keeps only the codes and
    participants it leaves with codings."""
    pseudonyms: dict[int, str] = dict(results["people"])
    cells: dict[tuple[int, str], int] = defaultdict(int)
    coded: set[int] = set()
    seen: set[str] = set()
    for participant_id, code_id, n in results["counts"]:
        who = NO_PARTICIPANT if participant_id is None else pseudonyms[participant_id]
        cells[code_id, who] += n
        coded.add(code_id)
        seen.add(who)
    people = list(pseudonyms.values())
    columns = [p for p in people if p in seen] if filtered else people
    if NO_PARTICIPANT in seen:
        columns.append(NO_PARTICIPANT)
    rows = []
    for code_id, name in results["listing"]:
        if filtered and code_id not in coded:
            continue
        values = [cells.get((code_id, p), 0) for p in columns]
        rows.append((name, *(int(v > 0) if presence else v for v in values)))
    kinds: tuple[Kind, ...] = ("O", *(INTEGER for _ in columns))
    return Table(("code", *columns), kinds, rows)


def cooccurrence(results: Results) -> Table:
    """Code x code: overlapping coded spans; the diagonal empty; only codes with codings."""
    used = {row[0] for row in results["used"]}
    listing = [(i, name) for i, name in results["listing"] if i in used]
    if not listing:
        return Table(("code",), ("O",), [])
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for a, b, n in results["pairs"]:
        pairs[a, b] += n
    rows = [
        (name, *(None if a == b else float(pairs.get((a, b), 0)) for b, _ in listing))
        for a, name in listing
    ]
    names = tuple(name for _, name in listing)
    kinds: tuple[Kind, ...] = ("O", *(FLOAT for _ in names))
    return Table(("code", *names), kinds, rows)


def shape(
    report: str,
    results: Results,
    *,
    filtered: bool = False,
    chosen_participants: Sequence[str] = (),
    chosen_themes: Sequence[str] = (),
    only_coded: bool = False,
    **options: Any,
) -> Table:
    """Shape a report's results ("themes:reported" is the themes report). ``filtered``: a filter
    narrowed the codings; ``chosen_*``: the participants or themes a filter named;
    ``only_coded``: --where narrowed the sources, so the participants report leaves out those
    with no codings; ``options``: the report's own (``presence``)."""
    name = report.partition(":")[0]
    if name == "themes":
        return themes(results, wanted=chosen_themes)
    if name == "participants":
        return participants(results, wanted=chosen_participants, only_coded=only_coded)
    shape = cast(Callable[..., Table], SHAPES[name])
    if name in ("codes", "matrix"):
        return shape(results, filtered=filtered, **options)
    return shape(results, **options)


SHAPES = {
    "codes": codes,
    "themes": themes,
    "participants": participants,
    "sources": sources,
    "matrix": matrix,
    "cooccurrence": cooccurrence,
}
