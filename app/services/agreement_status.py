"""An agreement's status from its stored facts, and which active agreements back which mappings.

Kept apart from services/agreements.py so that reads of equivalents (services/mappings.py) can use
it without importing the writing side, which itself builds on mapping sets and mappings.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.db import utcnow
from app.models import Agreement, MappingSetEntry


def status_of(agreement: Agreement, now: datetime | None = None) -> str:
    """The agreement's status at `now` (default: now), from the stored facts (see the module docstring)."""
    now = now or utcnow()
    if agreement.terminated_at is not None:
        return "terminated"
    if now >= agreement.valid_until:
        return "expired"
    signed = {s.organization_id for s in agreement.signatures}
    if not signed:
        return "draft"
    if signed != {p.organization_id for p in agreement.parties}:
        return "awaiting_signatures"
    return "active" if now >= agreement.valid_from else "pending"


def active_agreements_by_revision(session: Session, revision_ids: list, now: datetime | None = None) -> dict:
    """revision id -> [active agreements whose pinned mapping set version contains that revision]."""
    if not revision_ids:
        return {}
    now = now or utcnow()
    rows = session.execute(
        sa.select(MappingSetEntry.revision_id, Agreement)
        .join(Agreement, Agreement.mapping_set_version_id == MappingSetEntry.set_version_id)
        .where(MappingSetEntry.revision_id.in_(revision_ids), Agreement.terminated_at.is_(None),
               Agreement.valid_from <= now, Agreement.valid_until > now)
        .options(selectinload(Agreement.signatures), selectinload(Agreement.parties))
    ).all()
    found = {}
    for revision_id, agreement in rows:
        if status_of(agreement, now) == "active":
            found.setdefault(revision_id, []).append(agreement)
    return found
