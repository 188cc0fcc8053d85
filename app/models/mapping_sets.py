import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, new_id, utcnow


class MappingSet(Base):
    """The stable identity of a named set of validated mappings from one framework to another."""

    __tablename__ = "mapping_sets"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    # The recognition authority that created the set; only it makes new versions.
    owner_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    source_framework_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("frameworks.id"), index=True)
    target_framework_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("frameworks.id"), index=True)
    latest_version: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list["MappingSetVersion"]] = relationship(
        back_populates="mapping_set", order_by="MappingSetVersion.version")


class MappingSetVersion(Base):
    """One version of a mapping set: its pinned mapping revisions and the hash of its content; immutable.

    `content` is the exact object whose RFC 8785 canonical JSON `content_hash` is the SHA-256 of
    (see services/mapping_sets.py); it is stored as written so that the hash an agreement pins can
    always be recomputed from what the registry serves.
    """

    __tablename__ = "mapping_set_versions"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    mapping_set_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("mapping_sets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str | None] = mapped_column(sa.Text)
    # NULL means the registry default (CC BY 4.0), written out in `content`.
    license: Mapped[str | None] = mapped_column(sa.String(500))
    content: Mapped[dict] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mapping_set: Mapped[MappingSet] = relationship(back_populates="versions")
    entries: Mapped[list["MappingSetEntry"]] = relationship(
        order_by="MappingSetEntry.position", cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("mapping_set_id", "version"),)


class MappingSetEntry(Base):
    """A mapping revision pinned by a mapping set version (mapping id, revision id and number)."""

    __tablename__ = "mapping_set_entries"

    set_version_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mapping_set_versions.id", ondelete="CASCADE"), primary_key=True)
    mapping_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("mappings.id"), primary_key=True)
    # Indexed so "which sets pin this revision" (agreements, verification) is one lookup.
    revision_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("mapping_revisions.id"), index=True)
    revision: Mapped[int] = mapped_column(sa.Integer)
    position: Mapped[int] = mapped_column(sa.Integer)
