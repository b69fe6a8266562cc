"""Inter-coder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha, per code.

A *unit* is an excerpt (any excerpt a compared coder coded), a sentence or a paragraph (the
Segment rows of the sources that every compared coder coded). For each code, each coder either
coded a unit with it (1) or did not (0); a coder who never coded in a unit's source has no value
there (missing), so text nobody read never counts as agreement. The formulas are written out in
docs/reports.md; Krippendorff's alpha is computed by the ``krippendorff`` package.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Row, Select, and_, distinct, func, select
from sqlalchemy.orm import Session

from qualcode import lookup
from qualcode.errors import InputError, NotFoundError
from qualcode.models import Code, Coder, Coding, Excerpt, Segment
from qualcode.names import sort_key

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from qualcode.db import Project

UNITS = ("excerpt", "sentence", "paragraph")
OVERALL = "(all codes)"


def percent_agreement(values: np.ndarray) -> float:
    """Share of units (columns) rated by two or more coders (rows) on which all ratings agree."""
    import numpy as np

    rated = ~np.isnan(values)
    pairable = rated.sum(axis=0) >= 2
    if not pairable.any():
        return float("nan")
    ones = np.nansum(values, axis=0)[pairable]
    n = rated.sum(axis=0)[pairable]
    return float(((ones == 0) | (ones == n)).mean())


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's (1960) kappa of two coders' ratings, each coder with their own marginals; units
    that either coder did not rate (NaN) are left out. NaN when chance agreement is 1."""
    import numpy as np

    both = ~np.isnan(a) & ~np.isnan(b)
    a, b = a[both], b[both]
    if not len(a):
        return float("nan")
    observed = float((a == b).mean())
    categories = np.union1d(a, b)
    expected = float(sum((a == c).mean() * (b == c).mean() for c in categories))
    if expected == 1.0:
        return float("nan")
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha(values: np.ndarray) -> float:
    """Nominal Krippendorff's alpha of coders x units binary ratings, NaN for missing."""
    import krippendorff
    import numpy as np

    ones = np.nansum(values, axis=0)
    rated = (~np.isnan(values)).sum(axis=0)
    counts = np.stack([rated - ones, ones], axis=1)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(
            krippendorff.alpha(
                value_counts=counts, value_domain=[0, 1], level_of_measurement="nominal"
            )
        )


def _coder_ids(session: Session, names: Sequence[str]) -> dict[int, str]:
    """The coders compared: those named, or every coder with a coding on an active code."""
    if names:
        found: dict[int, str] = {}
        for name in names:
            row = session.execute(
                select(Coder.id, Coder.name).where(lookup.name_is(Coder, name))
            ).first()
            if row is None:
                raise NotFoundError(f"no coder named {name!r}")
            found[row.id] = row.name
    else:
        query = select(Coder.id, Coder.name).where(
            Coder.id.in_(
                select(Coding.coder_id)
                .join(Code, Code.id == Coding.code_id)
                .where(Code.status == "active")
            )
        )
        rows = sorted(session.execute(query), key=lambda row: sort_key(row.name))
        found = {row.id: row.name for row in rows}
    if len(found) < 2:
        raise InputError(
            f"agreement needs two or more coders with codings; found {len(found)}"
            + (f" ({', '.join(found.values())})" if found else "")
        )
    return found


def _rated(coder_ids: Iterable[int], code_ids: Iterable[int] | None) -> Select[int, int, int]:
    """Codings by the compared coders on active (and, if chosen, the chosen) codes."""
    query = (
        select(Coding.coder_id, Coding.code_id, Coding.excerpt_id)
        .join(Code, Code.id == Coding.code_id)
        .where(Code.status == "active", Coding.coder_id.in_(coder_ids))
    )
    return query.where(Coding.code_id.in_(code_ids)) if code_ids else query


def _chosen_codes(session: Session, codes: Sequence[str]) -> list[int]:
    """The ids of the codes named with --codes, each of them active."""
    code_ids = []
    for name in codes:
        code = lookup.get_code(session, name)
        if code.status != "active":
            raise InputError(
                f"code {code.name!r} is {code.status}: agreement compares active codes"
            )
        code_ids.append(code.id)
    return code_ids


def _units_and_facts(
    session: Session, ids: list[int], code_ids: list[int], unit: str
) -> tuple[Sequence[Row[int, int]], Sequence[Row[int, int, int]]]:
    """The units compared ((id, source id): excerpts anyone coded, or the sentences/paragraphs of
    sources every coder coded in) and the facts (coder, code, unit) that a coder applied a code
    to a unit."""
    if unit == "excerpt":
        any_coding = _rated(ids, ()).subquery()
        units = session.execute(
            select(Excerpt.id, Excerpt.source_id)
            .where(Excerpt.id.in_(select(any_coding.c.excerpt_id)))
            .order_by(Excerpt.id)
        ).all()
        return units, session.execute(_rated(ids, code_ids).distinct()).all()
    shared = (
        select(Excerpt.source_id)
        .join(Coding, Coding.excerpt_id == Excerpt.id)
        .join(Code, Code.id == Coding.code_id)
        .where(Code.status == "active", Coding.coder_id.in_(ids))
        .group_by(Excerpt.source_id)
        .having(func.count(distinct(Coding.coder_id)) == len(ids))
    )
    units = session.execute(
        select(Segment.id, Segment.source_id)
        .where(Segment.kind == unit, Segment.source_id.in_(shared))
        .order_by(Segment.id)
    ).all()
    rated = _rated(ids, code_ids).subquery()
    facts = session.execute(
        select(rated.c.coder_id, rated.c.code_id, Segment.id)
        .join(Excerpt, Excerpt.id == rated.c.excerpt_id)
        .join(
            Segment,
            and_(
                Segment.source_id == Excerpt.source_id,
                Segment.kind == unit,
                Segment.start < Excerpt.end,
                Excerpt.start < Segment.end,
            ),
        )
        .where(Segment.source_id.in_(shared))
        .distinct()
    ).all()
    return units, facts


def _decisions(
    ids: list[int],
    units: Sequence[Row[int, int]],
    worked: set[tuple[int, int]],
    code_ids: list[int],
    facts: Sequence[Row[int, int, int]],
) -> np.ndarray:
    """code x coder x unit: 1 coded, 0 not coded, NaN where the coder did not code that source."""
    import numpy as np

    unit_index = {u[0]: i for i, u in enumerate(units)}
    coder_index = {c: i for i, c in enumerate(ids)}
    base = np.full((len(ids), len(units)), np.nan)
    for i, coder_id in enumerate(ids):
        seen = [j for j, u in enumerate(units) if (u[1], coder_id) in worked]
        base[i, seen] = 0.0
    code_index = {c: k for k, c in enumerate(code_ids)}
    cube = np.repeat(base[np.newaxis, :, :], len(code_ids), axis=0)
    for coder_id, code_id, unit_id in facts:
        if unit_id in unit_index and code_id in code_index:
            cube[code_index[code_id], coder_index[coder_id], unit_index[unit_id]] = 1.0
    return cube


def agreement(
    project: Project,
    coders: Sequence[str] = (),
    unit: str = "excerpt",
    codes: Sequence[str] = (),
) -> pd.DataFrame:
    """Per code and over all codes: units, units coded by anyone, percent agreement, Cohen's
    kappa (exactly two coders) and Krippendorff's alpha (nominal, any number of coders)."""
    import numpy as np
    import pandas as pd

    if unit not in UNITS:
        raise InputError(f"--unit must be one of {', '.join(UNITS)}, not {unit!r}")
    with project.session(write=False) as session:
        coder_map = _coder_ids(session, coders)
        ids = list(coder_map)
        code_ids = _chosen_codes(session, codes)
        worked_on = (
            select(Excerpt.source_id, Coding.coder_id)
            .join(Coding, Coding.excerpt_id == Excerpt.id)
            .join(Code, Code.id == Coding.code_id)
            .where(Code.status == "active", Coding.coder_id.in_(ids))
            .distinct()
        )
        worked = {(source_id, coder_id) for source_id, coder_id in session.execute(worked_on)}
        units, facts = _units_and_facts(session, ids, code_ids, unit)
        listing = (
            select(Code.id, Code.name)
            .where(Code.id.in_(code_ids or sorted({f[1] for f in facts})))
            .order_by(Code.position, Code.id)
        )
        names = {row.id: row.name for row in session.execute(listing)}
    if not units:
        where = "excerpts coded" if unit == "excerpt" else f"{unit}s in sources all of them coded"
        raise InputError(f"no units to compare: the coders have no {where}")
    cube = _decisions(ids, units, worked, list(names), facts)

    def row(label: str, values: np.ndarray) -> dict[str, object]:
        rated = (~np.isnan(values)).sum(axis=0) >= 2
        return {
            "code": label,
            "units": int(rated.sum()),
            "coded": int((np.nansum(values, axis=0)[rated] > 0).sum()),
            "agreement": round(100 * percent_agreement(values), 1),
            "kappa": round(cohen_kappa(values[0], values[1]), 4) if len(ids) == 2 else None,
            "alpha": round(krippendorff_alpha(values), 4),
        }

    rows = [row(name, cube[k]) for k, name in enumerate(names.values())]
    if names:
        pooled = np.concatenate(list(cube), axis=1)  # every (unit, code) is one decision
        rows.append(row(OVERALL, pooled))
    df = pd.DataFrame(rows, columns=["code", "units", "coded", "agreement", "kappa", "alpha"])
    df.attrs["coders"] = list(coder_map.values())
    return df
