"""Every report against a naive recount, on random projects, on SQLite and PostgreSQL.

Each seed builds a project through the domain functions: participants with an attribute (some
without it), sources of both kinds (some with no participant), several coders, nested themes,
codes in zero to two themes, overlapping codings, then a merged and an excluded code. The rows
are read back with plain ``select(Model)`` and the reports are recounted in Python, by their
documented rules, with no SQL of the reports' own; every report must agree, unfiltered, under each
filter (participant, coder, kind, theme, --where) and grouped with --by.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode import codebook, coding, lookup, reports
from qualcode.models import (
    Code,
    Coder,
    CodeTheme,
    Coding,
    Excerpt,
    Participant,
    ParticipantAttribute,
    Segment,
    Source,
    Theme,
)
from qualcode.sources import SourceOptions, add_source
from qualcode.turns import DEFAULT_INTERVIEWER

SEEDS = range(6)
SPEAKERS = ["Interviewer", "Әсел", "Дмитрий", "Ann"]
INTERVIEWERS = DEFAULT_INTERVIEWER
PEOPLE = ["Expert A", "Expert B", "Сарапшы Ә", "Эксперт В"]
PROFESSIONS = ["lawyer", "юрист", "заңгер"]
WORDS = [
    "migrants",
    "return",
    "home",
    "көші-қон",
    "саясаты",
    "мигранты",
    "возвращаются",
    "labour",
    "policy",
]


def pairs_of(co) -> dict[tuple[str, str], int]:
    """A co-occurrence table as {(code, other code): count}, empty cells and zeros left out."""
    return {
        (row["code"], other): int(n)
        for row in co.to_dict("records")
        for other, n in row.items()
        if other != "code" and n == n and n
    }


def build(session: Session, rng: random.Random) -> None:
    people = rng.sample(PEOPLE, rng.randint(2, 4))
    for position, name in enumerate(people, start=1):
        person = Participant(pseudonym=name, position=position)
        if rng.random() < 0.8:
            person.attributes.append(
                ParticipantAttribute(name="profession", value=rng.choice(PROFESSIONS))
            )
        session.add(person)
    session.flush()
    sources = []
    for n in range(rng.randint(3, 5)):
        text = " ".join(rng.choice(WORDS) for _ in range(40))
        who = rng.choice([*people, None])
        kind = "interview" if who and rng.random() < 0.8 else "document"
        options = SourceOptions(participant=who, kind=kind, language="ru")
        sources.append(add_source(session, text, title=f"source {n}", options=options))
    coders = [
        lookup.coder(session, name) for name in ("Ann", "Dana", "Айгерим")[: rng.randint(2, 3)]
    ]
    themes: list[Theme] = []
    for n in range(rng.randint(2, 5)):
        parent = rng.choice([None, *themes])
        themes.append(codebook.create_theme(session, f"theme {n}", parent=parent))
    codes = [codebook.create_code(session, f"code {n}") for n in range(rng.randint(5, 8))]
    for code in codes:
        for theme in rng.sample(themes, rng.randint(0, 2)):
            codebook.assign_code(session, code, theme)
    spans = [(a, a + rng.randint(5, 40)) for a in range(0, 150, 17)]
    for _ in range(rng.randint(25, 45)):
        source = rng.choice(sources)
        start, end = rng.choice(spans)
        target = coding.Target(source.id, start, min(end, len(source.text)))
        coding.apply_code(session, target, rng.choice(codes), rng.choice(coders))
    merged, keep, excluded = rng.sample(codes, 3)
    codebook.merge_codes(session, keep, merged)
    codebook.exclude_code(session, excluded, "off topic")


@dataclass
class Data:
    """The project's rows, as plain Python values."""

    people: list[Participant] = field(default_factory=list)
    attributes: dict[int, str] = field(default_factory=dict)  # participant id -> profession
    sources: dict[int, Source] = field(default_factory=dict)
    excerpts: dict[int, Excerpt] = field(default_factory=dict)
    codes: list[Code] = field(default_factory=list)
    coders: dict[int, str] = field(default_factory=dict)
    themes: list[Theme] = field(default_factory=list)
    links: list[CodeTheme] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)
    turns: list[Segment] = field(default_factory=list)

    def speaker_at(self, excerpt: Excerpt) -> str | None:
        """Who speaks where the excerpt starts (the turn holding its start), if anyone."""
        for turn in self.turns:
            if turn.source_id == excerpt.source_id and turn.start <= excerpt.start < turn.end:
                return turn.speaker
        return None

    def pseudonym(self, source_id: int) -> str | None:
        pid = self.sources[source_id].participant_id
        return next((p.pseudonym for p in self.people if p.id == pid), None)

    def descendants(self, theme_id: int) -> set[int]:
        out = {theme_id}
        changed = True
        while changed:
            more = {t.id for t in self.themes if t.parent_id in out} - out
            changed, out = bool(more), out | more
        return out

    def themes_of(self, code_id: int) -> set[int]:
        """The themes a code is in, and all their ancestors."""
        return {
            t.id
            for t in self.themes
            for link in self.links
            if link.code_id == code_id
            if link.theme_id in self.descendants(t.id)
        }


def read(session: Session) -> Data:
    d = Data()
    d.people = list(session.scalars(select(Participant).order_by(Participant.position)))
    for a in session.scalars(select(ParticipantAttribute)):
        d.attributes[a.participant_id] = a.value
    d.sources = {s.id: s for s in session.scalars(select(Source))}
    d.excerpts = {e.id: e for e in session.scalars(select(Excerpt))}
    d.codes = list(session.scalars(select(Code).order_by(Code.position, Code.id)))
    d.coders = {c.id: c.name for c in session.scalars(select(Coder))}
    d.themes = list(session.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    d.links = list(session.scalars(select(CodeTheme).order_by(CodeTheme.position)))
    d.codings = list(session.scalars(select(Coding)))
    d.turns = list(session.scalars(select(Segment).where(Segment.kind == "turn")))
    session.expunge_all()
    return d


def selected(d: Data, f: reports.Filters, *, active_only: bool) -> list[Coding]:
    """The codings a report counts under the filters, by the rules of docs/reports.md."""
    status = {c.id: c.status for c in d.codes}
    out = []
    for c in d.codings:
        source_id = d.excerpts[c.excerpt_id].source_id
        source = d.sources[source_id]
        who = d.pseudonym(source_id)
        if active_only and status[c.code_id] != "active":
            continue
        if f.participants and (who or "").lower() not in {p.lower() for p in f.participants}:
            continue
        if f.coders and d.coders[c.coder_id].lower() not in {n.lower() for n in f.coders}:
            continue
        if f.kinds and source.kind not in f.kinds:
            continue
        if f.themes:
            wanted = {t.id for t in d.themes if t.name.lower() in {n.lower() for n in f.themes}}
            if not d.themes_of(c.code_id) & wanted:
                continue
        if f.where:
            ((_name, value),) = f.where
            if d.attributes.get(source.participant_id) != value:
                continue
        speaker = (d.speaker_at(d.excerpts[c.excerpt_id]) or "").casefold()
        if f.speakers and speaker not in {s.casefold() for s in f.speakers}:
            continue
        if f.no_interviewer and speaker in {s.casefold() for s in INTERVIEWERS}:
            continue
        out.append(c)
    return out


def short(names: set[str]) -> str:
    return reports.short_names(sorted(names))


def expect_codes(d: Data, f: reports.Filters) -> list[tuple]:
    chosen = selected(d, f, active_only=False)
    theme_name = {t.id: t.name for t in d.themes}
    position = {t.id: i for i, t in enumerate(d.themes)}
    rows = []
    for code in d.codes:
        if code.status == "merged":
            continue
        mine = [c for c in chosen if c.code_id == code.id]
        if f and not mine:
            continue
        links = sorted(
            (link for link in d.links if link.code_id == code.id),
            key=lambda link: (position[link.theme_id], link.position),
        )
        who = {d.pseudonym(d.excerpts[c.excerpt_id].source_id) for c in mine} - {None}
        rows.append(
            (
                code.name,
                "; ".join(theme_name[link.theme_id] for link in links),
                len(mine),
                short(who),
                code.status,
            )
        )
    return rows


def expect_participants(d: Data, f: reports.Filters) -> list[tuple]:
    chosen = selected(d, f, active_only=True)
    per: dict[str, list[Coding]] = defaultdict(list)
    for c in chosen:
        per[d.pseudonym(d.excerpts[c.excerpt_id].source_id) or reports.NO_PARTICIPANT].append(c)
    names = [p.pseudonym for p in d.people]
    if f.participants:
        names = [n for n in names if n.lower() in {p.lower() for p in f.participants}]
    elif per.get(reports.NO_PARTICIPANT):
        names.append(reports.NO_PARTICIPANT)
    rows = []
    for name in names:
        mine = per.get(name, [])
        if f.where and not mine:
            continue
        sources = {d.excerpts[c.excerpt_id].source_id for c in mine}
        rows.append((name, len(sources), len(mine), len({c.code_id for c in mine})))
    return rows


def expect_sources(d: Data, f: reports.Filters) -> list[tuple]:
    per: dict[int, list[Coding]] = defaultdict(list)
    for c in selected(d, f, active_only=True):
        per[d.excerpts[c.excerpt_id].source_id].append(c)
    return sorted(
        (
            d.sources[sid].title,
            d.sources[sid].kind,
            d.pseudonym(sid) or "",
            len({c.excerpt_id for c in mine}),
            len(mine),
            len({c.code_id for c in mine}),
        )
        for sid, mine in per.items()
    )


def expect_matrix(d: Data, f: reports.Filters) -> dict[str, dict[str, int]]:
    cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    chosen = selected(d, f, active_only=True)
    names = {c.id: c.name for c in d.codes}
    for c in chosen:
        who = d.pseudonym(d.excerpts[c.excerpt_id].source_id) or reports.NO_PARTICIPANT
        cells[names[c.code_id]][who] += 1
    shown = [c.name for c in d.codes if c.status == "active"]
    if f:
        shown = [n for n in shown if n in cells]
    return {n: {k: v for k, v in cells[n].items()} for n in shown}


def expect_themes(d: Data, f: reports.Filters) -> list[tuple]:
    chosen = selected(d, f, active_only=True)
    active = [c for c in d.codes if c.status == "active"]
    if f.themes:
        wanted = {t.id for t in d.themes if t.name.lower() in {n.lower() for n in f.themes}}
        active = [c for c in active if d.themes_of(c.id) & wanted]

    def figures(code_ids: set[int]) -> tuple[int, int, int]:
        mine = [c for c in chosen if c.code_id in code_ids]
        who = {d.sources[d.excerpts[c.excerpt_id].source_id].participant_id for c in mine}
        return len(code_ids), len(mine), len(who - {None})

    shown_ids = None
    if f.themes:
        shown_ids = set().union(
            *(
                d.descendants(t.id)
                for t in d.themes
                if t.name.lower() in {n.lower() for n in f.themes}
            )
        )
    rows = []
    name = {t.id: t.name for t in d.themes}

    def walk(parent: int | None) -> None:
        for t in d.themes:
            if t.parent_id == parent:
                if shown_ids is None or t.id in shown_ids:
                    inside = {c.id for c in active if t.id in d.themes_of(c.id)}
                    rows.append((t.name, name.get(t.parent_id, ""), *figures(inside)))
                walk(t.id)

    walk(None)
    loose = {c.id for c in active if not any(link.code_id == c.id for link in d.links)}
    if loose:
        rows.append((reports.NO_THEME, "", *figures(loose)))
    rows.append((reports.TOTAL, "", *figures({c.id for c in active})))
    return rows


def expect_cooccurrence(d: Data, f: reports.Filters) -> dict[tuple[str, str], int]:
    coded = {(c.code_id, c.excerpt_id) for c in selected(d, f, active_only=True)}
    names = {c.id: c.name for c in d.codes}
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for code_a, ex_a in coded:
        for code_b, ex_b in coded:
            a, b = d.excerpts[ex_a], d.excerpts[ex_b]
            if (
                code_a != code_b
                and a.source_id == b.source_id
                and b.start < a.end
                and a.start < b.end
            ):
                pairs[(names[code_a], names[code_b])] += 1
    return dict(pairs)


def expect_funnel(d: Data, f: reports.Filters) -> dict[str, int]:
    """The funnel's figures: codings (all statuses, filtered), codes made, unique, used, coded."""
    chosen = selected(d, f, active_only=False)
    status = {c.id: c.status for c in d.codes}
    coded = {c.code_id for c in chosen}
    return {
        "code applications (codings)": len(chosen),
        "codes created": len(d.codes),
        "unique codes (not merged)": sum(s != "merged" for s in status.values()),
        "codes used (active)": sum(s == "active" for s in status.values()),
        "codes with codings": len(coded),
    }


def filter_cases(d: Data, rng: random.Random) -> list[reports.Filters]:
    with_codings = {d.excerpts[c.excerpt_id].source_id for c in d.codings}
    people = [d.pseudonym(s) for s in with_codings if d.pseudonym(s)]
    values = sorted(set(d.attributes.values()))
    cases = [
        reports.Filters(),
        reports.Filters(coders=(rng.choice(sorted(d.coders.values())),)),
        reports.Filters(kinds=(rng.choice(["interview", "document"]),)),
        reports.Filters(themes=(rng.choice(d.themes).name,)),
    ]
    if people:
        cases.append(reports.Filters(participants=(rng.choice(people),)))
    if values:
        cases.append(reports.Filters(where=(("profession", rng.choice(values)),)))
    return cases


def built_randomly(project, seed: int) -> tuple[random.Random, Data]:
    """A random project of this seed, and its rows read back for the recount."""
    rng = random.Random(seed)
    project.transaction(lambda s: build(s, rng))
    with project.session(write=False) as s:
        return rng, read(s)


def frame_rows(df) -> list[tuple]:
    return [tuple(r) for r in df.itertuples(index=False)]


@pytest.mark.parametrize("seed", SEEDS)
def test_reports_match_a_naive_recount(project, seed):
    rng, d = built_randomly(project, seed)
    for f in filter_cases(d, rng):
        label = f"seed {seed}, {f!r}"
        assert frame_rows(reports.codes(project, f)) == expect_codes(d, f), label
        got = reports.participants(project, f)
        assert frame_rows(got) == expect_participants(d, f), label
        assert sorted(frame_rows(reports.sources(project, f))) == expect_sources(d, f), label
        assert frame_rows(reports.themes(project, filters=f)) == expect_themes(d, f), label

        matrix = reports.matrix(project, f)
        expected = expect_matrix(d, f)
        assert list(matrix["code"]) == list(expected), label
        for row in matrix.to_dict("records"):
            cells = {k: v for k, v in row.items() if k != "code" and v}
            assert cells == expected[row["code"]], label

        funnel = reports.funnel(project, f)
        figures = dict(zip(funnel["stage"], funnel["project"], strict=True))
        for stage, expected_figure in expect_funnel(d, f).items():
            assert figures[stage] == expected_figure, (label, stage)

        co = reports.cooccurrence(project, f)
        got_pairs = pairs_of(co)
        assert got_pairs == expect_cooccurrence(d, f), label


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_grouped_reports_match_the_recount_of_each_group(project, seed):
    """--by profession: each value's column is the report narrowed to that value."""
    _rng, d = built_randomly(project, seed)
    values = sorted(set(d.attributes.values()))
    by = reports.matrix(project, by="profession")
    for value in values:
        expected = expect_matrix(d, reports.Filters(where=(("profession", value),)))
        for row in by.to_dict("records"):
            assert row.get(value, 0) == sum(expected.get(row["code"], {}).values()), (seed, value)
    themes = reports.themes(project, by="profession")
    for value in values:
        expected = expect_themes(d, reports.Filters(where=(("profession", value),)))
        if expected[-1][3] and value in themes.columns:
            assert list(themes[value]) == [row[3] for row in expected], (seed, value)


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_grouped_cooccurrence_matches_the_recount_of_each_group(project, seed):
    """cooccurrence --by profession: each value's section is the recount narrowed to it."""
    _rng, d = built_randomly(project, seed)
    grouped = reports.cooccurrence(project, by="profession")
    values = sorted(set(d.attributes.values()))
    for value in values:
        section = grouped[grouped["profession"] == value]
        got = {
            (row["code"], other): int(n)
            for row in section.to_dict("records")
            for other, n in row.items()
            if other not in ("code", "profession") and n == n and n
        }
        expected = expect_cooccurrence(d, reports.Filters(where=(("profession", value),)))
        assert got == expected, (seed, value)
    assert len(grouped) > 0


def add_turns(session: Session, rng: random.Random) -> None:
    """Speaker turns over every source: consecutive ranges, each spoken by one of SPEAKERS
    (the interviewer among them), some text before the first turn spoken by nobody."""
    for source in session.scalars(select(Source)):
        at = rng.randint(0, 20)
        while at < len(source.text):
            end = min(len(source.text), at + rng.randint(10, 50))
            session.add(
                Segment(
                    source_id=source.id, kind="turn", start=at, end=end,
                    speaker=rng.choice(SPEAKERS),
                )
            )  # fmt: skip
            at = end


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_speaker_filters_match_the_recount(project, seed):
    """--speaker and --no-interviewer: only the codings whose excerpt starts in such a turn."""
    _rng, _ = built_randomly(project, seed)
    rng = random.Random(1000 + seed)
    project.transaction(lambda s: add_turns(s, rng))
    with project.session(write=False) as s:
        d = read(s)
    cases = (
        reports.Filters(speakers=("әсел",)),
        reports.Filters(speakers=("Дмитрий", "Ann")),
        reports.Filters(no_interviewer=True),
        reports.Filters(speakers=("Әсел",), no_interviewer=True),
    )
    everything = len(selected(d, reports.Filters(), active_only=True))
    kept = [len(selected(d, f, active_only=True)) for f in cases]
    assert 0 < kept[0] < everything and 0 < kept[2] < everything, kept  # the filters bite
    for f in cases:
        label = f"seed {seed}, {f!r}"
        assert frame_rows(reports.codes(project, f)) == expect_codes(d, f), label
        assert frame_rows(reports.participants(project, f)) == expect_participants(d, f), label
        assert frame_rows(reports.themes(project, filters=f)) == expect_themes(d, f), label
        matrix = reports.matrix(project, f)
        expected = expect_matrix(d, f)
        assert list(matrix["code"]) == list(expected), label
        co = reports.cooccurrence(project, f)
        got_pairs = pairs_of(co)
        assert got_pairs == expect_cooccurrence(d, f), label
