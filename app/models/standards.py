import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, new_id, utcnow

STANDARD_STATUSES = ("draft", "published", "retired")


class Framework(Base):
    """A publisher's framework of occupational standards (ESCO, O*NET, a national NQF...)."""

    __tablename__ = "frameworks"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str | None] = mapped_column(sa.Text)
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    version: Mapped[str] = mapped_column(sa.String(50))
    languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    uri: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.UniqueConstraint("country", "code", "version"),)


class Skill(Base):
    """A skill unit of a framework, shared by every standard of that framework that lists it."""

    __tablename__ = "skills"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    framework_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("frameworks.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(200))
    uri: Mapped[str | None] = mapped_column(sa.String(500), index=True)
    title: Mapped[dict] = mapped_column(sa.JSON)
    description: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    skill_type: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.UniqueConstraint("framework_id", "code"),)


class Standard(Base):
    """The stable identity of an occupational standard; its content lives in versions."""

    __tablename__ = "standards"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    framework_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("frameworks.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    framework: Mapped[Framework] = relationship()
    versions: Mapped[list["StandardVersion"]] = relationship(
        back_populates="standard", order_by="StandardVersion.version"
    )

    __table_args__ = (
        sa.UniqueConstraint("framework_id", "code"),
        # Covering indexes for search: the ranking join by id, and listing in code order.
        sa.Index("ix_standards_ranking", "id", "framework_id", "code"),
        sa.Index("ix_standards_code", "code", "id", "framework_id"),
    )


class StandardVersion(Base):
    """One version of a standard. Published versions are immutable; certificates cite them."""

    __tablename__ = "standard_versions"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    standard_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("standards.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    title: Mapped[dict] = mapped_column(sa.JSON)
    description: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    alt_labels: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    level: Mapped[str | None] = mapped_column(sa.String(50))
    eqf_level: Mapped[int | None] = mapped_column(sa.Integer)
    isco08: Mapped[str | None] = mapped_column(sa.String(4), index=True)
    uri: Mapped[str | None] = mapped_column(sa.String(500), index=True)
    # Integer key of the version's full-text index row (the FTS5 rowid on SQLite).
    search_id: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    # Folded words of the first title, so a search can rank exact and starts-with title hits first.
    title_key: Mapped[str | None] = mapped_column(sa.String(500))
    # SHA-256 of the canonical content, so a re-import can tell "unchanged" without a deep compare.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    # The newest version (what the owner edits) and the newest non-draft one (what the public sees).
    is_latest: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    is_public_head: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    standard: Mapped[Standard] = relationship(back_populates="versions")
    skill_links: Mapped[list["StandardSkill"]] = relationship(
        order_by="StandardSkill.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("standard_id", "version"),
        sa.CheckConstraint("status IN ('draft', 'published', 'retired')", name="status"),
        sa.CheckConstraint("eqf_level IS NULL OR (eqf_level BETWEEN 1 AND 8)", name="eqf_level"),
        sa.Index("ix_standard_versions_latest", "standard_id", "is_latest"),
        sa.Index("ix_standard_versions_heads", "standard_id", "is_public_head", "is_latest", "id"),
        # Covers the ranking step of a search (join on search_id, visibility and filters) so it
        # never reads the wide rows: a common word went from 11 to 7 ms on SQLite.
        sa.Index("ix_standard_versions_search", "search_id", "is_public_head", "is_latest", "status",
                 "title_key", "isco08", "level", "standard_id", "id"),
        sa.Index("ix_standard_versions_public_head", "is_public_head", "standard_id"),
    )


class StandardSkill(Base):
    """A skill unit in a standard version's ordered skill map."""

    __tablename__ = "standard_skills"

    standard_version_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("standard_versions.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("skills.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    essential: Mapped[bool] = mapped_column(sa.Boolean)

    skill: Mapped[Skill] = relationship(lazy="joined")
