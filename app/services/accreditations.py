"""Accreditations of certification bodies by recognition authorities: the trust registry.

Rules:
- Only a recognition authority accredits, and only certification bodies of its own country: a
  body of another country is outside its jurisdiction (403, like any other permission).
- The framework may be of any country. Origin-country bodies certifying migrants against a
  destination country's standards is the case this registry exists for; the entry names the
  accrediting authority, and whether a destination trusts it is for agreements to say.
- With standard_ids the accreditation covers just those (published) standards of the framework;
  without, the whole framework, including standards added to it later.
- An accreditation holds at a moment `at` when valid_from <= at < valid_until and it was not
  revoked at or before `at`. Revocation is not retroactive: what was issued before it stays backed.
"""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.db import utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Accreditation, AccreditationStandard, Framework, Organization, Standard, StandardVersion
from app.services.access import Principal, require_kind, require_owner

AUTHORITY_KIND = "recognition_authority"


def create_accreditation(session: Session, principal: Principal | None, data: dict) -> Accreditation:
    principal = require_kind(principal, AUTHORITY_KIND)
    authority = session.get(Organization, principal.organization_id)
    body = session.get(Organization, data["certification_body_id"])
    if body is None or body.kind != "certification_body":
        raise InvalidInput("certification_body_id names no certification body", errors={
            "certification_body_id": [f"{data['certification_body_id']} is not a registered certification body"]})
    if body.country != authority.country:
        raise Forbidden(f"a recognition authority of {authority.country} accredits certification bodies of "
                        f"{authority.country} only; this one is of {body.country}")
    framework = session.get(Framework, data["framework_id"])
    if framework is None:
        raise InvalidInput("framework_id names no framework",
                           errors={"framework_id": [f"framework {data['framework_id']} not found"]})
    standard_ids = data.get("standard_ids")
    if standard_ids is not None:
        standard_ids = list(dict.fromkeys(standard_ids))  # duplicates are harmless; keep the given order
        _check_standards(session, framework, standard_ids)
    accreditation = Accreditation(
        certification_body_id=body.id, accredited_by_id=authority.id, framework_id=framework.id,
        whole_framework=standard_ids is None, valid_from=data["valid_from"], valid_until=data["valid_until"],
        standards=[AccreditationStandard(standard_id=s) for s in standard_ids or ()],
    )
    session.add(accreditation)
    session.flush()
    return accreditation


def _check_standards(session: Session, framework: Framework, standard_ids: list[uuid.UUID]) -> None:
    """Every id must be a standard of the framework that has been published (drafts are private)."""
    found = set(session.scalars(
        sa.select(Standard.id).where(
            Standard.id.in_(standard_ids), Standard.framework_id == framework.id,
            sa.exists().where(StandardVersion.standard_id == Standard.id, StandardVersion.is_public_head),
        )
    ))
    missing = [str(s) for s in standard_ids if s not in found]
    if missing:
        raise InvalidInput(f"standard_ids: {len(missing)} not published standards of framework {framework.code}",
                           errors={"standard_ids": [f"{s} is not a published standard of framework {framework.code}"
                                                    for s in missing]})


def get_accreditation(session: Session, accreditation_id: uuid.UUID) -> Accreditation:
    accreditation = session.scalar(_with_related(sa.select(Accreditation)).where(Accreditation.id == accreditation_id))
    if accreditation is None:
        raise NotFound(f"accreditation {accreditation_id} not found")
    return accreditation


def revoke_accreditation(session: Session, principal: Principal | None, accreditation_id: uuid.UUID,
                         reason: str) -> Accreditation:
    """Revoke from now on; credentials issued while it held stay backed by it."""
    principal = require_kind(principal, AUTHORITY_KIND)
    accreditation = get_accreditation(session, accreditation_id)
    require_owner(principal, accreditation.accredited_by_id, "this accreditation")
    if accreditation.revoked_at is not None:
        raise Conflict("accreditation is already revoked")
    if not reason.strip():
        raise InvalidInput("a revocation needs a reason", errors={"reason": ["must not be blank"]})
    accreditation.revoked_at = utcnow()
    accreditation.revocation_reason = reason.strip()
    session.flush()
    return accreditation


def status_at(accreditation: Accreditation, at: datetime) -> str:
    """active, pending, expired or revoked at `at`; revocation takes precedence (the same rules as _status)."""
    if accreditation.revoked_at is not None and accreditation.revoked_at <= at:
        return "revoked"
    if accreditation.valid_until <= at:
        return "expired"
    if accreditation.valid_from > at:
        return "pending"
    return "active"


def _status(status: str, at: datetime):
    """SQL condition for status_at(accreditation, at) == status."""
    not_revoked = sa.or_(Accreditation.revoked_at.is_(None), Accreditation.revoked_at > at)
    return {
        "revoked": sa.and_(Accreditation.revoked_at.is_not(None), Accreditation.revoked_at <= at),
        "expired": sa.and_(not_revoked, Accreditation.valid_until <= at),
        "pending": sa.and_(not_revoked, Accreditation.valid_from > at),
        "active": sa.and_(not_revoked, Accreditation.valid_from <= at, Accreditation.valid_until > at),
    }[status]


def _with_related(query):
    return query.options(
        selectinload(Accreditation.certification_body), selectinload(Accreditation.accredited_by),
        selectinload(Accreditation.framework), selectinload(Accreditation.standards),
    )


def trust_registry(session: Session, filters: dict, at: datetime, page=1, per_page=20):
    """Accreditations filtered by body, framework, the body's country and status at `at`; (items, total)."""
    query = sa.select(Accreditation)
    if filters.get("certification_body_id"):
        query = query.where(Accreditation.certification_body_id == filters["certification_body_id"])
    if filters.get("framework_id"):
        query = query.where(Accreditation.framework_id == filters["framework_id"])
    if filters.get("country"):
        query = query.join(Organization, Organization.id == Accreditation.certification_body_id).where(
            Organization.country == filters["country"])
    status = filters.get("status") or "active"
    if status != "all":
        query = query.where(_status(status, at))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = session.scalars(
        _with_related(query).order_by(Accreditation.created_at, Accreditation.id)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return items, total


def accreditation_for(session: Session, certification_body_id: uuid.UUID, standard_id: uuid.UUID,
                      at: datetime) -> Accreditation | None:
    """The accreditation under which the body may certify against the standard at `at`, or None."""
    # Issuance calls it with now, verification with the credential's issuance time. When several
    # hold, the one valid longest is returned.
    if at.tzinfo is None:
        raise ValueError("accreditation_for needs an aware datetime")
    covers_standard = sa.or_(
        Accreditation.whole_framework,
        sa.exists().where(AccreditationStandard.accreditation_id == Accreditation.id,
                          AccreditationStandard.standard_id == standard_id),
    )
    return session.scalar(
        sa.select(Accreditation)
        .join(Standard, Standard.framework_id == Accreditation.framework_id)
        .where(Standard.id == standard_id, Accreditation.certification_body_id == certification_body_id,
               covers_standard, _status("active", at))
        .order_by(Accreditation.valid_until.desc(), Accreditation.id)
        .limit(1)
    )
