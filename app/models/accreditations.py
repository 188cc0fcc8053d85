import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, new_id, utcnow
from app.models.organizations import Organization
from app.models.standards import Framework


class Accreditation(Base):
    """A recognition authority's statement that a certification body may certify against a framework
    (all of it, or the listed standards) from valid_from until valid_until: the trust registry."""

    __tablename__ = "accreditations"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    certification_body_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    accredited_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    framework_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("frameworks.id"), index=True)
    # True: every standard of the framework, including ones added later; False: only those listed.
    whole_framework: Mapped[bool] = mapped_column(sa.Boolean)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    certification_body: Mapped[Organization] = relationship(foreign_keys=[certification_body_id])
    accredited_by: Mapped[Organization] = relationship(foreign_keys=[accredited_by_id])
    framework: Mapped[Framework] = relationship()
    standards: Mapped[list["AccreditationStandard"]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("valid_until > valid_from", name="validity"),
        sa.CheckConstraint("revoked_at IS NULL OR revocation_reason IS NOT NULL", name="revocation_reason"),
        # accreditation_for() looks up by body and framework on every issuance and verification.
        sa.Index("ix_accreditations_lookup", "certification_body_id", "framework_id", "valid_from"),
    )


class AccreditationStandard(Base):
    """One standard an accreditation that is not framework-wide covers."""

    __tablename__ = "accreditation_standards"

    accreditation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accreditations.id", ondelete="CASCADE"), primary_key=True
    )
    standard_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("standards.id"), primary_key=True, index=True)
