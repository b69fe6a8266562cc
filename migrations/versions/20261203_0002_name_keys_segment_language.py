"""folded name keys; segment language, speaker and turns

Every named table gets ``name_key`` (``qualcode.names.fold`` of its name: NFC + casefold) with a
unique index, replacing the ``lower(name)`` indexes that folded only ASCII on SQLite. Names that
already collide once folded ("Бюрократия" and "бюрократия") are kept, both of them: the older row
(lower id) keeps the plain key, each later one gets ``KEY #ID`` (so it still answers to its exact
spelling, and to "name #ID"), and a warning names both spellings so the user can rename or merge.

Segments get ``language`` (of a paragraph) and ``speaker`` (of a turn), and ``turn`` joins the
segment kinds.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 02:00:00
"""

import sys
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qualcode.names import fold

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (name column, what a user calls one, the column names are unique within)
NAMED = {
    "sources": ("title", "source", None),
    "participants": ("pseudonym", "participant", None),
    "participant_attributes": ("name", "attribute", "participant_id"),
    "codes": ("name", "code", None),
    "themes": ("name", "theme", None),
    "coders": ("name", "coder", None),
}
OLD_KINDS = "kind IN ('paragraph', 'sentence')"
NEW_KINDS = "kind IN ('paragraph', 'sentence', 'turn')"


def _fill_keys(table: str, column: str, label: str, scope: str | None) -> None:
    bind = op.get_bind()
    t = sa.table(table, sa.column("id"), sa.column(column), sa.column("name_key"))
    group = sa.column(scope) if scope else sa.literal(0)
    rows = bind.execute(sa.select(t.c.id, t.c[column], group).select_from(t).order_by(t.c.id)).all()
    first: dict[tuple[object, str], str] = {}
    updates = []
    for row_id, name, within in rows:
        key = fold(name)
        if (within, key) in first:
            print(
                f"qualcode: warning: {label}s {first[(within, key)]!r} and {name!r} are one name "
                f"once case is ignored; kept both: {name!r} (#{row_id}) now answers only to its "
                f"exact spelling or {name.strip() + ' #' + str(row_id)!r}; rename or merge it",
                file=sys.stderr,
            )
            key = f"{key} #{row_id}"
        else:
            first[(within, key)] = name
        updates.append({"row_id": row_id, "key": key})
    if updates:
        bind.execute(
            t.update().where(t.c.id == sa.bindparam("row_id")).values(name_key=sa.bindparam("key")),
            updates,
        )


def upgrade() -> None:
    for table, (column, label, scope) in NAMED.items():
        # A plain ADD COLUMN (no table rebuild): NOT NULL needs a default on SQLite.
        op.add_column(table, sa.Column("name_key", sa.Text(), nullable=False, server_default=""))
        _fill_keys(table, column, label, scope)
        columns = [scope, "name_key"] if scope else ["name_key"]
        op.create_index(f"uq_{table}_name_key", table, columns, unique=True)
    op.drop_index("uq_codes_name_ci", table_name="codes")
    op.drop_index("uq_themes_name_ci", table_name="themes")

    # No table refers to segments, so rebuilding it on SQLite (for the check) cascades nowhere.
    with op.batch_alter_table("segments") as batch:
        batch.add_column(sa.Column("language", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("speaker", sa.Text(), nullable=True))
        batch.drop_constraint(op.f("ck_segments_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_segments_kind"), sa.text(NEW_KINDS))


def downgrade() -> None:
    op.execute("DELETE FROM segments WHERE kind = 'turn'")
    with op.batch_alter_table("segments") as batch:
        batch.drop_constraint(op.f("ck_segments_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_segments_kind"), sa.text(OLD_KINDS))
        batch.drop_column("speaker")
        batch.drop_column("language")
    op.create_index("uq_codes_name_ci", "codes", [sa.text("lower(name)")], unique=True)
    op.create_index("uq_themes_name_ci", "themes", [sa.text("lower(name)")], unique=True)
    for table in NAMED:
        op.drop_index(f"uq_{table}_name_key", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("name_key")
