"""The typed ORM model of a qualcode project.

One model serves SQLite and PostgreSQL. Constraints live in the database (foreign keys, unique and
check constraints, with stable names from a naming convention) so that a bad write fails loudly
whichever code path made it. Offsets are Python ``str`` indices into ``Source.text``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from qualcode.codebook_data import CODE_STATUSES
from qualcode.names import fold
from qualcode.row_defaults import new_guid, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SOURCE_KINDS = ("interview", "document")
SEGMENT_KINDS = ("paragraph", "sentence", "turn")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _guid() -> Mapped[str]:
    return mapped_column(String(36), unique=True, default=new_guid, nullable=False)


def _created() -> Mapped[dt.datetime]:
    return mapped_column(DateTime, default=utcnow, nullable=False)


def _name_key(column: str) -> Mapped[str]:
    """The folded name (``qualcode.names.fold``) that lookups compare and a unique index guards.

    The ORM keeps it in step when the name is set (see ``_keep_name_keys``); a Core insert that
    leaves it out gets it from this default.
    """
    return mapped_column(
        Text,
        nullable=False,
        server_default="",
        default=lambda ctx: fold(ctx.get_current_parameters()[column]),
    )


class Setting(Base):
    """Project-wide settings (blind coding mode, last coder, ...), as text values."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class Participant(Base):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = _guid()
    pseudonym: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    name_key: Mapped[str] = _name_key("pseudonym")
    organisation: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(Text)
    interview_date: Mapped[dt.date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[dt.datetime] = _created()

    attributes: Mapped[list[ParticipantAttribute]] = relationship(
        back_populates="participant",
        cascade="all, delete-orphan",
        order_by="ParticipantAttribute.name",
    )
    sources: Mapped[list[Source]] = relationship(back_populates="participant")

    __table_args__ = (
        CheckConstraint("length(pseudonym) > 0", name="pseudonym_not_empty"),
        Index("uq_participants_name_key", "name_key", unique=True),
    )


class ParticipantAttribute(Base):
    """A case variable (e.g. profession) as a key/value pair."""

    __tablename__ = "participant_attributes"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_key: Mapped[str] = _name_key("name")
    value: Mapped[str | None] = mapped_column(Text)

    participant: Mapped[Participant] = relationship(back_populates="attributes")

    __table_args__ = (
        UniqueConstraint("participant_id", "name"),
        Index("uq_participant_attributes_name_key", "participant_id", "name_key", unique=True),
    )


class Source(Base):
    """An interview's notes or a public document; ``text`` is what every offset indexes."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = _guid()
    title: Mapped[str] = mapped_column(String(500), unique=True, nullable=False)
    name_key: Mapped[str] = _name_key("title")
    kind: Mapped[str] = mapped_column(String(20), default="interview", nullable=False)
    language: Mapped[str] = mapped_column(String(20), default="en", nullable=False)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="RESTRICT"), index=True
    )
    imported_from: Mapped[str | None] = mapped_column(Text)
    checksum: Mapped[str | None] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )

    participant: Mapped[Participant | None] = relationship(back_populates="sources")
    excerpts: Mapped[list[Excerpt]] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )
    segments: Mapped[list[Segment]] = relationship(
        back_populates="source",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Segment.start",
    )

    __table_args__ = (
        CheckConstraint(f"kind IN {SOURCE_KINDS!r}", name="kind"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        Index("uq_sources_name_key", "name_key", unique=True),
    )


class Segment(Base):
    """A paragraph, sentence or speaker turn: the units that coding selects.

    ``language`` is the language detected (or forced) for a paragraph; ``speaker`` names the
    speaker of a turn.
    """

    __tablename__ = "segments"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    language: Mapped[str | None] = mapped_column(String(20))
    speaker: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="segments")

    __table_args__ = (
        CheckConstraint(f"kind IN {SEGMENT_KINDS!r}", name="kind"),
        CheckConstraint('start >= 0 AND "end" > start', name="range"),
        UniqueConstraint("source_id", "kind", "start"),
    )


class Excerpt(Base):
    """A span of a source; its text is derived from the source, never stored twice."""

    __tablename__ = "excerpts"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = _guid()
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), nullable=False
    )
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = _created()

    source: Mapped[Source] = relationship(back_populates="excerpts")
    codings: Mapped[list[Coding]] = relationship(
        back_populates="excerpt",
        cascade="all, delete-orphan",
        passive_deletes=True,
        primaryjoin="Excerpt.id == Coding.excerpt_id",
        foreign_keys="Coding.excerpt_id",
    )

    __table_args__ = (
        CheckConstraint('start >= 0 AND "end" > start', name="range"),
        UniqueConstraint("source_id", "start", "end"),
        # what codings' (excerpt_id, source_id) refers to, so a coding's source is its excerpt's
        Index("uq_excerpts_id_source_id", "id", "source_id", unique=True),
    )

    @property
    def text(self) -> str:
        return self.source.text[self.start : self.end]


class Code(Base):
    """A code; merged and excluded codes stay as rows so the audit trail keeps them."""

    __tablename__ = "codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = _guid()
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    name_key: Mapped[str] = _name_key("name")
    definition: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str | None] = mapped_column(String(9))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="active", nullable=False)
    status_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="RESTRICT"))
    reported_count: Mapped[int | None] = mapped_column(Integer)
    example_quote: Mapped[str | None] = mapped_column(Text)
    example_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    example_excerpt_id: Mapped[int | None] = mapped_column(
        ForeignKey("excerpts.id", ondelete="SET NULL")
    )
    reconstructed: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    provenance: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[dt.datetime] = _created()

    parent: Mapped[Code | None] = relationship(
        remote_side="Code.id", foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list[Code]] = relationship(foreign_keys=[parent_id], back_populates="parent")
    merged_into: Mapped[Code | None] = relationship(
        remote_side="Code.id", foreign_keys=[merged_into_id]
    )
    example_participant: Mapped[Participant | None] = relationship()
    example_excerpt: Mapped[Excerpt | None] = relationship()
    theme_links: Mapped[list[CodeTheme]] = relationship(
        back_populates="code", cascade="all, delete-orphan", passive_deletes=True
    )
    codings: Mapped[list[Coding]] = relationship(back_populates="code")

    __table_args__ = (
        CheckConstraint(f"status IN {CODE_STATUSES!r}", name="status"),
        CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_has_target"
        ),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_self_merge"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint("reported_count IS NULL OR reported_count >= 0", name="count_positive"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        Index("uq_codes_name_key", "name_key", unique=True),
    )


class Theme(Base):
    """A theme; a theme with a parent is a sub-theme."""

    __tablename__ = "themes"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = _guid()
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    name_key: Mapped[str] = _name_key("name")
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[dt.datetime] = _created()

    parent: Mapped[Theme | None] = relationship(remote_side="Theme.id", back_populates="children")
    children: Mapped[list[Theme]] = relationship(back_populates="parent", order_by="Theme.position")
    code_links: Mapped[list[CodeTheme]] = relationship(
        back_populates="theme", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        Index("uq_themes_name_key", "name_key", unique=True),
    )


class CodeTheme(Base):
    """A code's membership of a theme; ``position`` keeps a printed codebook's row order."""

    __tablename__ = "code_themes"
    code_id: Mapped[int] = mapped_column(
        ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    code: Mapped[Code] = relationship(back_populates="theme_links")
    theme: Mapped[Theme] = relationship(back_populates="code_links")


class Coder(Base):
    __tablename__ = "coders"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = _guid()
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    name_key: Mapped[str] = _name_key("name")
    initials: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = _created()

    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        Index("uq_coders_name_key", "name_key", unique=True),
    )


class Coding(Base):
    """One application of a code to an excerpt by a coder.

    ``source_id`` repeats the excerpt's source (an excerpt never changes source), so that reports
    count codings per source and code from an index of this table alone instead of looking up
    an excerpt for every coding. A foreign key on (excerpt_id, source_id) to the excerpt's pair
    makes a wrong value impossible; the ORM fills it on insert (``_fill_source``), a Core insert
    gives it.
    """

    __tablename__ = "codings"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = _guid()
    excerpt_id: Mapped[int] = mapped_column(
        ForeignKey("excerpts.id", ondelete="CASCADE"), nullable=False
    )
    source_id: Mapped[int] = mapped_column(Integer, nullable=False)
    code_id: Mapped[int] = mapped_column(
        ForeignKey("codes.id", ondelete="RESTRICT"), nullable=False
    )
    coder_id: Mapped[int] = mapped_column(
        ForeignKey("coders.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    memo: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _created()

    excerpt: Mapped[Excerpt] = relationship(
        back_populates="codings",
        primaryjoin="Excerpt.id == Coding.excerpt_id",
        foreign_keys=[excerpt_id],
    )
    code: Mapped[Code] = relationship(back_populates="codings")
    coder: Mapped[Coder] = relationship()

    __table_args__ = (
        UniqueConstraint("excerpt_id", "code_id", "coder_id"),
        ForeignKeyConstraint(
            ["excerpt_id", "source_id"],
            ["excerpts.id", "excerpts.source_id"],
            name="fk_codings_excerpt_source",
            ondelete="CASCADE",
        ),
        # counts per code (and which sources) and per source (and which codes), index-only
        Index("ix_codings_code_id_source_id", "code_id", "source_id"),
        Index("ix_codings_source_id_code_id", "source_id", "code_id"),
    )


class SqliteOnly(DeclarativeBase):
    """Tables a SQLite project has and a PostgreSQL one does not (not in Base.metadata, which
    every backend's tables, counts and checks walk)."""


class CodedSpan(SqliteOnly):
    """Each coded span (an excerpt's source and place) and code, and how many codings (of any
    coder) are behind it: what co-occurrence counts, kept by triggers of migration 0004 on
    codings and excerpts (never written by qualcode itself; ``db check`` recounts it). SQLite
    only: one writer at a time there, where on a team's PostgreSQL server coders coding the same
    excerpts at once would queue, and could deadlock, on its shared rows."""

    __tablename__ = "coded_spans"
    source_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[int] = mapped_column(Integer, primary_key=True)
    end: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = ({"sqlite_with_rowid": False},)


class Memo(Base):
    """A note on the project (no target) or on exactly one source, code, theme or excerpt."""

    __tablename__ = "memos"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = _guid()
    title: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coders.id", ondelete="SET NULL"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    excerpt_id: Mapped[int | None] = mapped_column(ForeignKey("excerpts.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )

    coder: Mapped[Coder | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN source_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN code_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN theme_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN excerpt_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_target",
        ),
    )


class Event(Base):
    """The audit trail: every change a user makes, with what is needed to undo it."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = _created()
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coders.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(50), nullable=False, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    undone: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


# The column each named table's ``name_key`` folds; lookups and the migration use the same map.
NAMED: dict[type[Base], str] = {
    Source: "title",
    Participant: "pseudonym",
    ParticipantAttribute: "name",
    Code: "name",
    Theme: "name",
    Coder: "name",
}


def _keep_name_keys(model: type[Base], column: str) -> None:
    def on_set(target: Any, value: str | None, _old: object, _initiator: object) -> None:
        target.name_key = fold(value) if value is not None else None

    event.listen(getattr(model, column), "set", on_set)


for _model, _column in NAMED.items():
    _keep_name_keys(_model, _column)


@event.listens_for(Coding, "before_insert")
def _fill_source(_mapper: Any, connection: Any, target: Coding) -> None:
    """A coding made through the ORM gets its excerpt's source (its loaded excerpt's, or one
    look-up by ``excerpt_id``)."""
    if target.source_id is not None:
        return
    excerpt = target.__dict__.get("excerpt")
    if excerpt is not None and excerpt.source_id is not None:
        target.source_id = excerpt.source_id
        return
    target.source_id = connection.scalar(
        select(Excerpt.source_id).where(Excerpt.id == target.excerpt_id)
    )
