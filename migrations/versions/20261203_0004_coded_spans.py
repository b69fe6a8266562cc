"""coded_spans: each coded span (source, start, end) and code, kept by the database

Co-occurrence needs every distinct coded (excerpt, code) with the excerpt's source, start and
end. Read from codings and excerpts, that is two scans of 700,000 index entries at 500,000
codings, about 4x a plain GROUP BY over codings before anything is counted; this table holds
exactly those rows (193,000 there), keyed and so stored in the order co-occurrence reads them
(an excerpt is one per source, start and end), and co-occurrence reads it alone.

The database keeps it, not qualcode: triggers on codings (insert, delete, a change of excerpt or
code) and on excerpts (a change of place, a delete) maintain it, whatever writes (the ORM, the
light sqlite3 paths, bulk inserts, REFI imports, undo, a cascade from a source). ``n`` counts the
codings (of any coder) behind a row; the row goes when it reaches 0. ``qualcode db check``
recounts it.

SQLite only. A SQLite file has one writer at a time. On a team's PostgreSQL server, coders
coding the same excerpts at once would queue on these shared rows (and two bulk imports in
different orders deadlocked in the test of eight coders at once), for a report that reads the
codings and excerpts there as before. This revision changes nothing on PostgreSQL.

The table is filled from the codings here: no other row changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = 'source_id, start, "end", code_id, n'
FILL = (
    f"INSERT INTO coded_spans ({COLUMNS}) "
    'SELECT e.source_id, e.start, e."end", c.code_id, count(*) '
    "FROM codings c JOIN excerpts e ON e.id = c.excerpt_id "
    'GROUP BY e.source_id, e.start, e."end", c.code_id'
)
# a coding's span: its excerpt's place (an excerpt is one per (source, start, end))
SPAN = '(SELECT e.source_id, e.start, e."end" FROM excerpts e WHERE e.id = {row}.excerpt_id)'


def _add(row: str) -> str:
    """Count one coding of ``row`` (NEW or OLD) in, making its row if it is the first."""
    return (
        f"INSERT INTO coded_spans ({COLUMNS}) "
        f'SELECT e.source_id, e.start, e."end", {row}.code_id, 1 '
        f"FROM excerpts e WHERE e.id = {row}.excerpt_id "
        'ON CONFLICT (source_id, start, "end", code_id) DO UPDATE SET n = coded_spans.n + 1'
    )


def _take(row: str) -> list[str]:
    """Count one coding of ``row`` out, removing its row at 0 (nothing when its excerpt is
    already gone: the excerpt's own trigger removed its rows)."""
    where = f'(source_id, start, "end") = {SPAN.format(row=row)} AND code_id = {row}.code_id'
    return [
        f"UPDATE coded_spans SET n = n - 1 WHERE {where}",
        f"DELETE FROM coded_spans WHERE {where} AND n <= 0",
    ]


OLD_PLACE = 'source_id = OLD.source_id AND start = OLD.start AND "end" = OLD."end"'
MOVE = (
    'UPDATE coded_spans SET source_id = NEW.source_id, start = NEW.start, "end" = NEW."end" '
    f"WHERE {OLD_PLACE}"
)
DROP_EXCERPT = f"DELETE FROM coded_spans WHERE {OLD_PLACE}"

TRIGGERS = {
    "trg_codings_span_insert": f"AFTER INSERT ON codings BEGIN {_add('NEW')}; END",
    "trg_codings_span_delete": f"AFTER DELETE ON codings BEGIN {'; '.join(_take('OLD'))}; END",
    "trg_codings_span_update": (
        "AFTER UPDATE OF excerpt_id, code_id ON codings "
        f"BEGIN {'; '.join([*_take('OLD'), _add('NEW')])}; END"
    ),
    "trg_excerpts_span_move": (
        f'AFTER UPDATE OF source_id, start, "end" ON excerpts BEGIN {MOVE}; END'
    ),
    "trg_excerpts_span_delete": f"AFTER DELETE ON excerpts BEGIN {DROP_EXCERPT}; END",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table(
        "coded_spans",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        # in the order co-occurrence reads: by source, then place
        sa.PrimaryKeyConstraint("source_id", "start", "end", "code_id", name="pk_coded_spans"),
        sqlite_with_rowid=False,
    )
    op.execute(FILL)
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.drop_table("coded_spans")
