import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, new_id, utcnow


class ClassificationCrosswalk(Base):
    """One pair of a published crosswalk between two occupational classifications (ISCO-08 -> SOC 2010...).

    Reference data, not owned by an organisation: a file imported for a (from_system, to_system)
    pair replaces that pair's rows. Suggestions read it as structural evidence, never as a mapping.
    """

    __tablename__ = "classification_crosswalks"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    from_system: Mapped[str] = mapped_column(sa.String(40))
    from_code: Mapped[str] = mapped_column(sa.String(40))
    from_title: Mapped[str | None] = mapped_column(sa.String(500))
    to_system: Mapped[str] = mapped_column(sa.String(40))
    to_code: Mapped[str] = mapped_column(sa.String(40))
    to_title: Mapped[str | None] = mapped_column(sa.String(500))
    # The publisher's mark that only part of the `from` group maps to the `to` code (BLS: "*").
    partial: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        # Named by hand: the conventional name would pass PostgreSQL's 63-character limit.
        sa.UniqueConstraint("from_system", "to_system", "from_code", "to_code", name="uq_classification_crosswalks_pair"),
        # Suggestions walk the table backwards too (a SOC code to its ISCO groups).
        sa.Index("ix_classification_crosswalks_reverse", "to_system", "from_system", "to_code"),
    )
