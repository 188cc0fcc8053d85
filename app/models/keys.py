import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, new_id, utcnow


class SigningKey(Base):
    """An Ed25519 key pair. organization_id NULL means the registry's own key (access tokens)."""

    __tablename__ = "signing_keys"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(sa.String(40))  # "access-token" or "assertion"
    kid: Mapped[str] = mapped_column(sa.String(300), unique=True)
    algorithm: Mapped[str] = mapped_column(sa.String(20), default="EdDSA")
    public_jwk: Mapped[dict] = mapped_column(sa.JSON)
    # Fernet token of the PKCS#8 private key under the key-encryption key; never leaves the crypto layer.
    private_key_encrypted: Mapped[bytes] = mapped_column(sa.LargeBinary)
    status: Mapped[str] = mapped_column(sa.String(20), default="active")  # active, retired, compromised
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    compromised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("status IN ('active', 'retired', 'compromised')", name="status"),
        # At most one active registry token key: concurrent first starts race on this.
        sa.Index(
            "uq_signing_keys_one_active_registry_key",
            "purpose",
            unique=True,
            sqlite_where=sa.text("organization_id IS NULL AND status = 'active'"),
            postgresql_where=sa.text("organization_id IS NULL AND status = 'active'"),
        ),
        # At most one active key per organisation and purpose: first use and rotation race on this.
        sa.Index(
            "uq_signing_keys_one_active_organization_key",
            "organization_id",
            "purpose",
            unique=True,
            sqlite_where=sa.text("organization_id IS NOT NULL AND status = 'active'"),
            postgresql_where=sa.text("organization_id IS NOT NULL AND status = 'active'"),
        ),
    )
