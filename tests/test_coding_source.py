"""codings.source_id (migration 0003): every coding names its excerpt's source, always.

Reports count codings per source from the codings alone, so a coding whose ``source_id`` is not
its excerpt's would move counts between participants without any error. The migration fills it
from the excerpts on a populated project; every way of making codings sets it; the database
refuses a wrong one. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from qualcode import events, open_project
from qualcode.db import _alembic_config, current_revision, head_revision
from qualcode.models import Coding, Excerpt

pytestmark = pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")

WHEN = dt.datetime(2024, 3, 1, 10, 30)
TEXTS = {
    1: "Кадрлардың кетуі тоқсаныншы жылдары басталды. Ақша аударымдары үй салуға жетті.",
    2: "Утечка мозгов началась в девяностые. Денежные переводы оплатили дом.",
    3: "Brain drain began in the nineties. Remittances paid for the house.",
}


def mismatched(project) -> tuple[int, int]:
    """(codings, codings whose source_id is not their excerpt's source)."""
    with project.session(write=False) as session:
        total = session.scalar(select(func.count()).select_from(Coding))
        wrong = session.scalar(
            select(func.count())
            .select_from(Coding)
            .join(Excerpt, Excerpt.id == Coding.excerpt_id)
            .where(Coding.source_id != Excerpt.source_id)
        )
    return total or 0, wrong or 0


def test_the_migration_fills_each_coding_with_its_excerpts_source(db_url):
    project = open_project(db_url, migrate=False)
    with project.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0002")
    with project.engine.begin() as conn:
        for sid, body in TEXTS.items():
            conn.execute(
                text(
                    "INSERT INTO sources (id, guid, title, name_key, kind, language, text, "
                    "created_at, updated_at) VALUES (:id, :guid, :title, :key, 'interview', 'kk', "
                    ":body, :at, :at)"
                ),
                {"id": sid, "guid": f"s-{sid}", "title": f"Сұхбат {sid}", "key": f"сұхбат {sid}",
                 "body": body, "at": WHEN},
            )  # fmt: skip
        conn.execute(
            text("INSERT INTO codes (id, guid, name, name_key, status, reconstructed, position, "
                 "created_at) VALUES (1, 'c-1', 'Көші-қон', 'көші-қон', 'active', false, 1, :at)"),
            {"at": WHEN},
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO coders (id, guid, name, name_key, created_at) "
                 "VALUES (1, 'k-1', 'Әсел', 'әсел', :at)"),
            {"at": WHEN},
        )  # fmt: skip
        # excerpt ids deliberately out of step with their sources
        for eid, sid in ((1, 3), (2, 1), (3, 2), (4, 1)):
            conn.execute(
                text("INSERT INTO excerpts (id, guid, source_id, start, \"end\", created_at) "
                     "VALUES (:id, :guid, :sid, :start, 30, :at)"),
                {"id": eid, "guid": f"e-{eid}", "sid": sid, "start": eid, "at": WHEN},
            )  # fmt: skip
            conn.execute(
                text("INSERT INTO codings (id, guid, excerpt_id, code_id, coder_id, created_at) "
                     "VALUES (:id, :guid, :eid, 1, 1, :at)"),
                {"id": 10 + eid, "guid": f"g-{eid}", "eid": eid, "at": WHEN},
            )  # fmt: skip
    project.close()

    upgraded = open_project(db_url)  # the user's way: migrate on open
    assert current_revision(upgraded) == head_revision()
    with upgraded.session(write=False) as session:
        pairs = session.execute(select(Coding.id, Coding.source_id).order_by(Coding.id)).all()
    assert [tuple(p) for p in pairs] == [(11, 3), (12, 1), (13, 2), (14, 1)]
    upgraded.close()


def test_a_coding_naming_another_source_than_its_excerpts_is_refused(cli, project, tmp_path):
    for sid, body in TEXTS.items():
        path = tmp_path / f"сұхбат-{sid}.txt"
        path.write_text(body, encoding="utf-8")
        assert cli("import", path).exit_code == 0
    assert cli("code", "сұхбат-1:0-20", "Көші-қон", "--coder", "Әсел").exit_code == 0
    with project.session(write=False) as session:
        coding = session.scalars(select(Coding)).one()
        other = 2 if coding.source_id != 2 else 3
    with pytest.raises(IntegrityError), project.session() as session:
        session.execute(update(Coding).values(source_id=other))
    with pytest.raises(IntegrityError), project.session() as session:
        session.execute(
            insert(Coding).values(
                guid="wrong", excerpt_id=coding.excerpt_id, source_id=other, code_id=1, coder_id=1
            )
        )
    assert mismatched(project) == (1, 0)


def test_every_way_of_coding_sets_the_source(cli, project, tmp_path):
    """code, code --from, a REFI-QDA round trip, merge, undo and redo, each in Kazakh, Russian and
    English sources: every coding made names its excerpt's source."""
    for sid, body in TEXTS.items():
        path = tmp_path / f"interview-{sid}.txt"
        path.write_text(body, encoding="utf-8")
        assert cli("import", path).exit_code == 0
    assert cli("code", "interview-1:0-20", "Көші-қон", "--coder", "Әсел").exit_code == 0
    assert cli("code", "interview-2:0-20", "Утечка мозгов", "--coder", "Әсел").exit_code == 0
    rows = tmp_path / "codings.csv"
    rows.write_text(
        "source,start,end,code,coder\n"
        "interview-3,0,11,Brain drain,Ann\n"
        "interview-2,37,55,Денежные переводы,Ann\n"
        "interview-1,0,20,Ақша аударымдары,Ann\n",
        encoding="utf-8",
    )
    assert cli("code", "--from", rows).exit_code == 0
    assert cli("codebook", "merge", "Утечка мозгов", "Brain drain").exit_code == 0
    assert mismatched(project) == (5, 0)
    # undo everything (merge, import, codings, codes), then redo it all: codings come back
    undone = 0
    while project.transaction(events.undo) is not None:
        undone += 1
        assert mismatched(project)[1] == 0
    assert undone >= 4 and mismatched(project) == (0, 0)
    while project.transaction(events.redo) is not None:
        assert mismatched(project)[1] == 0
    assert mismatched(project) == (5, 0)

    exported = tmp_path / "project.qdpx"
    assert cli("refi", "export", exported).exit_code == 0
    other = tmp_path / "other.db"
    assert cli(f"init --db {other}").exit_code == 0
    assert cli("refi", "import", exported, "--db", other).exit_code == 0
    copy = open_project(other)
    try:
        assert mismatched(copy) == (5, 0)
    finally:
        copy.close()
