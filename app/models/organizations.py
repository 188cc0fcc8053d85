import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, new_id, utcnow

ORGANIZATION_KINDS = ("certification_body", "recognition_authority", "employer", "reintegration_office")


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(300))
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # Path segment of the organisation's did:web identifier (did:web:HOST:issuers:SLUG).
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    clients: Mapped[list["ApiClient"]] = relationship(back_populates="organization")

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('certification_body', 'recognition_authority', 'employer', 'reintegration_office')",
            name="kind",
        ),
    )


class ApiClient(Base):
    """OAuth 2.0 client credentials of an organisation, or of the registry admin (no organisation)."""

    __tablename__ = "api_clients"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(128))
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20))  # "admin" or "organization"
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization | None] = relationship(back_populates="clients")

    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'organization')", name="role"),
        sa.CheckConstraint(
            "(role = 'admin' AND organization_id IS NULL) OR (role = 'organization' AND organization_id IS NOT NULL)",
            name="role_organization",
        ),
    )
