"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 17:36:37.706907
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("initials", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_coders_name_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coders")),
        sa.UniqueConstraint("guid", name=op.f("uq_coders_guid")),
        sa.UniqueConstraint("name", name=op.f("uq_coders_name")),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("pseudonym", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("interview_date", sa.Date(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("mode", sa.String(length=100), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "length(pseudonym) > 0", name=op.f("ck_participants_pseudonym_not_empty")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("guid", name=op.f("uq_participants_guid")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_participants_pseudonym")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_themes_name_not_empty")),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_themes_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["themes.id"],
            name=op.f("fk_themes_parent_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
        sa.UniqueConstraint("guid", name=op.f("uq_themes_guid")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("undone", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["coder_id"], ["coders.id"], name=op.f("fk_events_coder_id_coders"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_action"), ["action"], unique=False)

    op.create_table(
        "participant_attributes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_participant_attributes_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_attributes")),
        sa.UniqueConstraint(
            "participant_id", "name", name=op.f("uq_participant_attributes_participant_id_name")
        ),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("imported_from", sa.Text(), nullable=True),
        sa.Column("checksum", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('interview', 'document')", name=op.f("ck_sources_kind")),
        sa.CheckConstraint("length(title) > 0", name=op.f("ck_sources_title_not_empty")),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_sources_participant_id_participants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("checksum", name=op.f("uq_sources_checksum")),
        sa.UniqueConstraint("guid", name=op.f("uq_sources_guid")),
        sa.UniqueConstraint("title", name=op.f("uq_sources_title")),
    )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sources_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "excerpts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint('start >= 0 AND "end" > start', name=op.f("ck_excerpts_range")),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_excerpts_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_excerpts")),
        sa.UniqueConstraint("guid", name=op.f("uq_excerpts_guid")),
        sa.UniqueConstraint(
            "source_id", "start", "end", name=op.f("uq_excerpts_source_id_start_end")
        ),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('paragraph', 'sentence')", name=op.f("ck_segments_kind")),
        sa.CheckConstraint('start >= 0 AND "end" > start', name=op.f("ck_segments_range")),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_segments_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint(
            "source_id", "kind", "start", name=op.f("uq_segments_source_id_kind_start")
        ),
    )
    op.create_table(
        "codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("colour", sa.String(length=9), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("reported_count", sa.Integer(), nullable=True),
        sa.Column("example_quote", sa.Text(), nullable=True),
        sa.Column("example_participant_id", sa.Integer(), nullable=True),
        sa.Column("example_excerpt_id", sa.Integer(), nullable=True),
        sa.Column("reconstructed", sa.Boolean(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)",
            name=op.f("ck_codes_merged_has_target"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'excluded', 'merged')", name=op.f("ck_codes_status")
        ),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_codes_name_not_empty")),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id", name=op.f("ck_codes_not_self_merge")
        ),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_codes_not_own_parent")
        ),
        sa.CheckConstraint(
            "reported_count IS NULL OR reported_count >= 0", name=op.f("ck_codes_count_positive")
        ),
        sa.ForeignKeyConstraint(
            ["example_excerpt_id"],
            ["excerpts.id"],
            name=op.f("fk_codes_example_excerpt_id_excerpts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["example_participant_id"],
            ["participants.id"],
            name=op.f("fk_codes_example_participant_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["codes.id"],
            name=op.f("fk_codes_merged_into_id_codes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["codes.id"], name=op.f("fk_codes_parent_id_codes"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codes")),
        sa.UniqueConstraint("guid", name=op.f("uq_codes_guid")),
    )
    op.create_table(
        "code_themes",
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"], ["codes.id"], name=op.f("fk_code_themes_code_id_codes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_code_themes_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_id", "theme_id", name=op.f("pk_code_themes")),
    )
    with op.batch_alter_table("code_themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_code_themes_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "codings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("excerpt_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"], ["codes.id"], name=op.f("fk_codings_code_id_codes"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coders.id"],
            name=op.f("fk_codings_coder_id_coders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["excerpt_id"],
            ["excerpts.id"],
            name=op.f("fk_codings_excerpt_id_excerpts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codings")),
        sa.UniqueConstraint(
            "excerpt_id", "code_id", "coder_id", name=op.f("uq_codings_excerpt_id_code_id_coder_id")
        ),
        sa.UniqueConstraint("guid", name=op.f("uq_codings_guid")),
    )
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_codings_code_id"), ["code_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_codings_coder_id"), ["coder_id"], unique=False)

    op.create_table(
        "memos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("code_id", sa.Integer(), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("excerpt_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN source_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN code_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN theme_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN excerpt_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name=op.f("ck_memos_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["code_id"], ["codes.id"], name=op.f("fk_memos_code_id_codes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"], ["coders.id"], name=op.f("fk_memos_coder_id_coders"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["excerpt_id"],
            ["excerpts.id"],
            name=op.f("fk_memos_excerpt_id_excerpts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_memos_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_memos_theme_id_themes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memos")),
        sa.UniqueConstraint("guid", name=op.f("uq_memos_guid")),
    )
    # Case-insensitive unique names: expression indexes that autogenerate cannot see.
    op.create_index("uq_codes_name_ci", "codes", [sa.text("lower(name)")], unique=True)
    op.create_index("uq_themes_name_ci", "themes", [sa.text("lower(name)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_themes_name_ci", table_name="themes")
    op.drop_index("uq_codes_name_ci", table_name="codes")
    op.drop_table("memos")
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_codings_coder_id"))
        batch_op.drop_index(batch_op.f("ix_codings_code_id"))

    op.drop_table("codings")
    with op.batch_alter_table("code_themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_themes_theme_id"))

    op.drop_table("code_themes")
    op.drop_table("codes")
    op.drop_table("segments")
    op.drop_table("excerpts")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sources_participant_id"))

    op.drop_table("sources")
    op.drop_table("participant_attributes")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_action"))

    op.drop_table("events")
    op.drop_table("themes")
    op.drop_table("settings")
    op.drop_table("participants")
    op.drop_table("coders")
