import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, new_id, utcnow


class Agreement(Base):
    """A mutual recognition agreement between recognition authorities, pinning one mapping set version.

    `content` is the exact object whose RFC 8785 canonical JSON `content_hash` is the SHA-256 of
    (see services/agreements.py). The status is not stored: it is computed at read time from the
    signatures, the validity period and `terminated_at`.
    """

    __tablename__ = "agreements"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    # Every version of one agreement shares series_id (the id of version 1); version counts from 1.
    series_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agreements.id"))
    title: Mapped[str] = mapped_column(sa.String(500))
    created_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    mapping_set_version_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("mapping_set_versions.id"), index=True)
    direction: Mapped[str] = mapped_column(sa.String(20))
    conditions_text: Mapped[str | None] = mapped_column(sa.Text)
    conditions: Mapped[list] = mapped_column(sa.JSON)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    content: Mapped[dict] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terminated_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organizations.id"))
    termination_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parties: Mapped[list["AgreementParty"]] = relationship(
        order_by="AgreementParty.position", cascade="all, delete-orphan")
    signatures: Mapped[list["AgreementSignature"]] = relationship(
        order_by="AgreementSignature.signed_at", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("valid_until > valid_from", name="validity"),
        sa.CheckConstraint("direction IN ('one_way', 'both')", name="direction"),
        sa.UniqueConstraint("series_id", "version"),
    )


class AgreementParty(Base):
    """A recognition authority that is party to an agreement (position = order given at creation)."""

    __tablename__ = "agreement_parties"

    agreement_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True,
                                                       index=True)
    position: Mapped[int] = mapped_column(sa.Integer)


class AgreementSignature(Base):
    """One party's compact JWS over the agreement's content hash; a party signs once."""

    __tablename__ = "agreement_signatures"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    agreement_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agreements.id", ondelete="CASCADE"))
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    kid: Mapped[str] = mapped_column(sa.String(500))
    jws: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("agreement_id", "organization_id"),)
