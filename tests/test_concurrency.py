"""Eight coders at once: 8 processes each apply 1,000 codings and create codes at the same moment.

The processes share one source's ranges (so they race to create the same excerpts) and half of
their code names (so they race to create the same codes). Afterwards nothing is lost, doubled or
half-written, and no process saw an error: lock waits and serialization failures are retried by
``Project.transaction``, unique-name races are resolved by ``db.race_safe``.
"""

from __future__ import annotations

import multiprocessing
import random
import time
import traceback
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode import integrity, open_project
from qualcode.models import Code, Coder, Coding, Event, Excerpt

PROCESSES = 8
CODINGS = 1_000
BATCH = 100  # codings per bulk transaction (a page of a codings file)
SINGLES = 100  # of each process's codings, applied one per transaction, as in the TUI
SPANS = [(i * 10, i * 10 + 9) for i in range(100)]
SHARED_CODES = 5  # every process uses these names; the other 5 are its own
TEXT = "".join(f"sentence{i:02d} " for i in range(100))


def plan(index: int) -> list[tuple[int, int, str]]:
    """The 1,000 distinct (start, end, code) codings of one process, in a shuffled order."""
    codings = []
    for j in range(CODINGS // len(SPANS)):
        name = f"Shared {j}" if j < SHARED_CODES else f"Own {index}.{j}"
        if j % 2:
            name = name.upper()  # names match case-insensitively: still one code
        codings += [(a, b, name) for a, b in SPANS]
    random.Random(index).shuffle(codings)
    return codings


def worker(url: str, index: int, barrier, errors) -> None:
    """One coder's session: pages of codings in bulk, with single codings in between."""
    from qualcode import bulk, coding

    try:
        project = open_project(url)
        coder = f"Coder {index}"
        codings = plan(index)
        singles, pages = codings[:SINGLES], codings[SINGLES:]
        pages = [pages[i : i + BATCH] for i in range(0, len(pages), BATCH)]
        barrier.wait(60)
        for number, page in enumerate(pages):
            rows = [
                bulk.Row(n, "notes", a, b, name, coder, None)
                for n, (a, b, name) in enumerate(page, start=2)
            ]
            project.transaction(
                lambda s, rows=rows: bulk.apply_rows(s, rows, label=coder, coder_name=coder)
            )
            for a, b, name in singles[number :: len(pages)]:
                project.transaction(
                    lambda s, a=a, b=b, name=name: coding.code_range(
                        s, f"notes:{a}-{b}", name, coder
                    )
                )
        project.close()
    except BaseException:
        errors.put(f"process {index}: {traceback.format_exc()}")
        raise


@pytest.mark.slow
def test_eight_coders_coding_at_once_lose_and_double_nothing(db_url, tmp_path: Path):
    project = open_project(db_url)
    with project.session() as session:
        from qualcode.models import Source

        session.add(Source(title="notes", text=TEXT))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    errors = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(db_url, i, barrier, errors)) for i in range(PROCESSES)
    ]
    started = time.monotonic()
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(300)
    elapsed = time.monotonic() - started
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert not failures, "\n".join(failures)
    assert [p.exitcode for p in procs] == [0] * PROCESSES

    with project.session(write=False) as session:
        per_coder = dict(
            session.execute(
                select(Coder.name, func.count(Coding.id))
                .join(Coding, Coding.coder_id == Coder.id)
                .group_by(Coder.name)
            ).all()
        )
        assert per_coder == {f"Coder {i}": CODINGS for i in range(PROCESSES)}
        names = session.scalars(select(Code.name)).all()
        expected = {f"shared {j}" for j in range(SHARED_CODES)} | {
            f"own {i}.{j}" for i in range(PROCESSES) for j in range(SHARED_CODES, 10)
        }
        assert sorted(n.lower() for n in names) == sorted(expected)
        assert session.scalar(select(func.count()).select_from(Excerpt)) == len(SPANS)
        logged = session.execute(select(Event.action, func.count()).group_by(Event.action)).all()
        logged = dict(logged)
        assert logged["coding.apply"] == PROCESSES * SINGLES  # each coding with its event
        assert logged["coding.bulk"] == PROCESSES * (CODINGS - SINGLES) // BATCH
        bulk_logged = sum(
            len(payload["codings"])
            for payload in session.scalars(
                select(Event.payload).where(Event.action == "coding.bulk")
            )
        )
        assert bulk_logged == PROCESSES * (CODINGS - SINGLES)
        assert logged["code.create"] == len(expected)  # each code created exactly once
    assert integrity.check(project) == []
    project.close()
    print(f"8 x {CODINGS} codings at once: {elapsed:.1f} s")  # a figure, not a test
