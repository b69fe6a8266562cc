"""The reports' rows, shaped from their SQL results with the standard library only.

qualcode.reports builds each report's statements and hands their results here; so does the CLI's
light path (qualcode.report_plans), which runs the same statements compiled ahead on sqlite3.
One shaping for both, so they cannot differ. ``results`` maps a statement's name to its rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
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


def short_names(pseudonyms: Iterable[str | None]) -> str:
    """'Expert A', 'Expert B' -> 'A,B': the thesis's way of naming who said something."""
    names = sorted({p for p in pseudonyms if p is not None})
    if not names:
        return ""
    words = [n.split(" ", 1) for n in names]
    if len(names) > 1 and all(len(w) == 2 and w[0] == words[0][0] for w in words):
        return ",".join(w[1] for w in words)
    return ",".join(names)


def ids(listed: str | None) -> list[int]:
    """The ids of a reports.IdList ("3,1,7"; None for none)."""
    return [int(i) for i in listed.split(",")] if listed else []


def people_of(listed: str | None, owner: dict[str, Any]) -> Iterator[Any]:
    """The participant of each source of a reports.IdList or Listed of source ids, through
    ``owner`` (owners(), keyed by the id's text): one pass in C, with no int() for each id."""
    return map(owner.__getitem__, listed.split(",")) if listed else iter(())


def owners(results: Results) -> dict[str, str | None]:
    """Each source's participant's pseudonym (None: a source with no participant), by the
    source's id as text, as a reports.Listed gives it."""
    pseudonyms: dict[int, str] = dict(results["people"])
    return {str(source): pseudonyms.get(who) for source, who in results["sources"]}


def codes(results: Results, filtered: bool = False) -> Table:
    """Per code: themes, codings, participants (short names), status; in codebook order."""
    owner = owners(results)
    totals: dict[int, int] = {}
    who: dict[int, set[str | None]] = {}
    for code_id, n, sources in results["counts"]:
        totals[code_id] = n
        who[code_id] = set(people_of(sources, owner)) - {None}
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


NO_THEME_GROUP, TOTAL_GROUP = -1, -2  # theme_figures' keys of the codes in no theme and of all


def theme_groups(results: Results) -> dict[int, list[int]]:
    """The codes (of ``results["codes"]``) each group counts: every theme a code is in and that
    theme's ancestors at any depth, NO_THEME_GROUP for a code in none, TOTAL_GROUP for all."""
    parent = {tid: parent_id for tid, _name, parent_id in results["listing"]}
    themes_of: dict[int, set[int]] = defaultdict(set)
    for code_id, theme_id in results["links"]:
        ancestors = themes_of[code_id]
        while theme_id is not None and theme_id not in ancestors:
            ancestors.add(theme_id)
            theme_id = parent.get(theme_id)
    members: dict[int, list[int]] = defaultdict(list)
    for code_id, *_ in results["codes"]:
        for group in themes_of.get(code_id) or {NO_THEME_GROUP}:
            members[group].append(code_id)
        members[TOTAL_GROUP].append(code_id)
    return members


def theme_figures(results: Results) -> dict[int, tuple[int, int, int]]:
    """Per group (theme_groups): codes, count and distinct participants. Counts are codings
    (``results["counts"]``, observed) or the codes' reported tallies, and participants those who
    coded, or are quoted as the codes' examples; a code in two sub-themes counts once in their
    parent."""
    count: dict[int, int] = {}
    who: dict[int, set[str | int | None]] = {}
    if "counts" in results:
        owner = owners(results)
        for code_id, n, sources in results["counts"]:
            count[code_id] = n
            who[code_id] = set(people_of(sources, owner))
    else:
        for code_id, reported, example in results["codes"]:
            count[code_id] = reported or 0
            who[code_id] = {example}
    figures = {}
    for group, codes in theme_groups(results).items():
        people = set().union(*(who.get(c, ()) for c in codes)) - {None}
        figures[group] = (len(codes), sum(count.get(c, 0) for c in codes), len(people))
    return figures


def themes(results: Results, wanted: Sequence[str] = ()) -> Table:
    """Per theme (depth-first), codes in no theme, then the Total; ``wanted`` names the themes a
    filter chose (their sub-themes are shown with them)."""
    figures = theme_figures(results)
    listing = results["listing"]
    only = None
    if wanted:
        lowered = {fold(t) for t in wanted}
        only = {tid for tid, name, _ in listing if fold(name) in lowered}
    rows = [
        (name, parent, *figures.get(tid, (0, None, 0)))
        for tid, name, parent in theme_order(listing, only)
    ]
    if figures.get(NO_THEME_GROUP, (0,))[0]:
        rows.append((NO_THEME, "", *figures[NO_THEME_GROUP]))
    rows.append((TOTAL, "", *figures.get(TOTAL_GROUP, (0, None, 0))))
    rows = [(name, parent, codes, int(count or 0), who) for name, parent, codes, count, who in rows]
    return Table(
        ("theme", "parent", "codes", "count", "participants"), ("O", "O", "i", "i", "i"), rows
    )


def participants(results: Results, wanted: Sequence[str] = (), only_coded: bool = False) -> Table:
    """Per participant in Appendix A order (``wanted``: only these; ``only_coded``: only those
    with codings), then codings of sources with no participant."""
    owner = owners(results | {"people": results["listing"]})
    sources: dict[str, int] = defaultdict(int)
    codings: dict[str, int] = defaultdict(int)
    codes: dict[str, set[int]] = defaultdict(set)
    active = {row[0] for row in results["codes"]}
    left_out: dict[int, int] = dict(results["inactive"])
    for source_id, n, code_ids in results["counts"]:
        n -= left_out.get(source_id, 0)  # the codings of inactive codes do not count
        if n:
            who = owner[str(source_id)] or NO_PARTICIPANT
            sources[who] += 1
            codings[who] += n
            codes[who].update(active.intersection(ids(code_ids)))
    counts = {who: (sources[who], codings[who], len(codes[who])) for who in sources}
    people = [row[1] for row in results["listing"]]
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
    counts = {row[0]: row[1:] for row in results["counts"]}
    rows = [(*row[1:], *counts[row[0]]) for row in results["listing"] if row[0] in counts]
    rows.sort(key=lambda row: sort_key(row[0]))
    return Table(columns, ("O", "O", "O", "i", "i", "i"), rows)


def matrix(results: Results, filtered: bool = False, presence: bool = False) -> Table:
    """Code x participant: codings (or 1/0 with ``presence``); a filter keeps only the codes and
    participants it leaves with codings."""
    owner = {source: who or NO_PARTICIPANT for source, who in owners(results).items()}
    active = {row[0] for row in results["listing"]}
    cells: dict[int, Counter[str]] = {
        code_id: Counter(people_of(listed, owner))
        for code_id, listed in results["counts"]
        if code_id in active and listed
    }
    seen: set[str] = set().union(*cells.values())
    people = [pseudonym for _id, pseudonym in results["people"]]
    columns = [p for p in people if p in seen] if filtered else people
    if NO_PARTICIPANT in seen:
        columns.append(NO_PARTICIPANT)
    rows = []
    none: Counter[str] = Counter()
    for code_id, name in results["listing"]:
        if filtered and code_id not in cells:
            continue
        counted = cells.get(code_id, none)
        values = [counted.get(p, 0) for p in columns]
        rows.append((name, *([int(v > 0) for v in values] if presence else values)))
    kinds: tuple[Kind, ...] = ("O", *(INTEGER for _ in columns))
    return Table(("code", *columns), kinds, rows)


def cooccurrence(results: Results) -> Table:
    """Code x code: overlapping coded spans; the diagonal empty; only codes with codings."""
    from qualcode.overlaps import code_grid, codes_of, joined_spans, listed_spans

    if "spans" in results:
        spans = listed_spans(results["spans"])
    else:  # filtered: the chosen codings' pairs, joined to their excerpts
        spans = joined_spans(results["pairs"], results["excerpts"])
    used = codes_of(spans)
    listing = [(i, name) for i, name in results["listing"] if i in used]
    if not listing:
        return Table(("code",), ("O",), [])
    grid = code_grid(spans, [code_id for code_id, _ in listing])
    rows = [(name, *cells) for (_, name), cells in zip(listing, grid, strict=True)]
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
