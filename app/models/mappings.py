import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, new_id, utcnow
from app.models.standards import StandardVersion  # noqa: F401  relationship target

MAPPING_STATUSES = ("candidate", "validated", "rejected", "deprecated")


class Mapping(Base):
    """The stable identity of an equivalence between two standards; its content lives in revisions."""

    __tablename__ = "mappings"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    source_standard_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("standards.id"))
    target_standard_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("standards.id"))
    author_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    revisions: Mapped[list["MappingRevision"]] = relationship(
        back_populates="mapping", order_by="MappingRevision.revision")

    __table_args__ = (
        # One mapping per pair and author: a change is a new revision, not a second mapping.
        sa.UniqueConstraint("source_standard_id", "target_standard_id", "author_organization_id"),
    )


class MappingRevision(Base):
    """One revision of a mapping, pinned to exact standard versions; immutable once written.

    Coverage in both directions is computed when the revision is written: the pinned versions and
    the skill mappings never change, so reads (equivalents, verification) need no computation.
    """

    __tablename__ = "mapping_revisions"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    mapping_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("mappings.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(sa.Integer)
    is_current: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="candidate")
    # Denormalised from the mapping so the equivalents lookup is one indexed read in each direction.
    source_standard_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("standards.id"))
    target_standard_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("standards.id"))
    source_version_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("standard_versions.id"))
    target_version_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("standard_versions.id"))
    predicate: Mapped[str] = mapped_column(sa.String(40))  # skos:exactMatch, ...
    predicate_modifier: Mapped[str | None] = mapped_column(sa.String(10))  # "Not" or NULL
    confidence: Mapped[float | None] = mapped_column(sa.Float)
    justification: Mapped[str] = mapped_column(sa.String(100))  # semapv:ManualMappingCuration, ...
    comment: Mapped[str | None] = mapped_column(sa.Text)
    author_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    author_label: Mapped[str | None] = mapped_column(sa.String(300))
    reviewer_organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organizations.id"))
    reviewer_label: Mapped[str | None] = mapped_column(sa.String(300))
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deprecated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the source covers of the target's skill map, and the reverse (see services/coverage.py).
    coverage: Mapped[dict] = mapped_column(sa.JSON)
    reverse_coverage: Mapped[dict] = mapped_column(sa.JSON)

    mapping: Mapped[Mapping] = relationship(back_populates="revisions")
    source_version: Mapped["StandardVersion"] = relationship(foreign_keys=[source_version_id])
    target_version: Mapped["StandardVersion"] = relationship(foreign_keys=[target_version_id])
    skill_mappings: Mapped[list["SkillMapping"]] = relationship(
        order_by="SkillMapping.position", cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("mapping_id", "revision"),
        sa.CheckConstraint("status IN ('candidate', 'validated', 'rejected', 'deprecated')", name="status"),
        sa.CheckConstraint("predicate_modifier IS NULL OR predicate_modifier = 'Not'", name="predicate_modifier"),
        sa.CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="confidence"),
        sa.Index("ix_mapping_revisions_source", "source_standard_id", "is_current", "status"),
        sa.Index("ix_mapping_revisions_target", "target_standard_id", "is_current", "status"),
    )


class SkillMapping(Base):
    """A skill-level equivalence inside a mapping revision: source skill <predicate> target skill."""

    __tablename__ = "skill_mappings"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    revision_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("mapping_revisions.id", ondelete="CASCADE"),
                                                   index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    source_skill_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("skills.id"))
    target_skill_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("skills.id"))
    predicate: Mapped[str] = mapped_column(sa.String(40))
    predicate_modifier: Mapped[str | None] = mapped_column(sa.String(10))
