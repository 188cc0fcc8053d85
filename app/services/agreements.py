"""Mutual recognition agreements between recognition authorities, pinning one mapping set version.

Rules:
- Parties are two or more recognition authorities, each of a different country; the creator is one
  of them. Only a party changes, signs or terminates an agreement.
- The content is fixed once anyone has signed: PATCH is refused (409) after the first signature,
  and before it every change recomputes `content_hash`. A change after signing is a new version
  (POST /agreements/{id}/versions): a new draft agreement with its own id, the same parties,
  `version` + 1 and `supersedes` pinning the previous version's hash; it is signed afresh. Only
  the latest version of a series gets a new version. The previous version is left as it is: its
  parties terminate it when they no longer want it to hold.
- Status is computed at read time (status_of): `terminated` (a party terminated it), else `expired`
  (now >= valid_until), else `draft` (no signature), `awaiting_signatures` (some parties signed),
  `pending` (every party signed, valid_from still ahead) or `active` (every party signed and
  valid_from <= now < valid_until).

`content_hash` is the SHA-256 (lower-case hex) of the RFC 8785 (JCS) canonical JSON of `content`,
which is stored and served as written. The content object is:

    {
      "agreement_id": uuid,
      "version": int,                         # 1, then 2, ... for each new version (POST .../versions)
      "supersedes": null | {"agreement_id": uuid, "version": int, "content_hash": str},  # the version before
      "title": str,
      "parties": [                            # in the order given at creation
        {"organization_id": uuid, "name": str, "country": "PH", "did": "did:web:..."}
      ],
      "mapping_set": {"id": uuid, "version": int, "content_hash": str},   # the pinned set version
      "direction": "one_way" | "both",        # one_way: the set's source is recognised in its target
      "conditions": {"text": str | null, "rules": [{"type": "gap_skills_must_be_assessed", ...}]},
      "valid_from": timestamp, "valid_until": timestamp
    }

UUIDs are lower-case hyphenated strings; timestamps are UTC to the second, "YYYY-MM-DDTHH:MM:SSZ".

A signature is a compact JWS (RFC 7515) made with the party's active organisation key:
header {"alg": "EdDSA", "kid": the key's DID URL, "typ": "JWT"}; payload (RFC 8785 canonical JSON)
{"iss": the party's did:web, "iat": epoch seconds, "agreement_id": uuid, "version": int,
"content_hash": str, "signed_at": timestamp}. Anyone verifies it with the key of that kid from the
party's DID document or GET /api/v1/organizations/{id}/jwks.json, then checks that content_hash is
the hash of the served content.
"""
import hashlib
import uuid
from datetime import datetime

import rfc8785
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.crypto.jws import sign_compact
from app.crypto.keys import KeyEncryption
from app.db import utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Agreement, AgreementParty, AgreementSignature, MappingSetVersion, Organization
from app.services import mapping_sets as mapping_set_service
from app.services.access import Principal, require_kind
from app.services.agreement_status import status_of
from app.services.dids import did_for
from app.services.keys import signing_key
from app.services.mapping_sets import timestamp

AUTHORITY_KIND = "recognition_authority"
SIGNATURE_TYP = "JWT"
STATUSES = ("draft", "awaiting_signatures", "pending", "active", "expired", "terminated")
CONTENT_FIELDS = ("title", "direction", "conditions_text", "conditions", "valid_from", "valid_until")


def content_hash(content: dict) -> str:
    """SHA-256 hex of the RFC 8785 canonical JSON of an agreement's content."""
    return hashlib.sha256(rfc8785.dumps(content)).hexdigest()


def _build_content(agreement: Agreement, orgs: list[Organization], set_version, base_url: str,
                   supersedes: dict | None = None) -> dict:
    return {
        "agreement_id": str(agreement.id), "version": agreement.version, "supersedes": supersedes,
        "title": agreement.title,
        "parties": [{"organization_id": str(o.id), "name": o.name, "country": o.country,
                     "did": did_for(base_url, o.slug)} for o in orgs],
        "mapping_set": {"id": str(set_version.mapping_set_id), "version": set_version.version,
                        "content_hash": set_version.content_hash},
        "direction": agreement.direction,
        "conditions": {"text": agreement.conditions_text, "rules": agreement.conditions},
        "valid_from": timestamp(agreement.valid_from), "valid_until": timestamp(agreement.valid_until),
    }


def _refresh_content(session, agreement, set_version, base_url):
    orgs = [session.get(Organization, p.organization_id) for p in agreement.parties]
    agreement.content = _build_content(agreement, orgs, set_version, base_url, agreement.content.get("supersedes"))
    agreement.content_hash = content_hash(agreement.content)


def _parties(session, principal: Principal, party_ids: list[uuid.UUID]) -> list[Organization]:
    """The party organisations in the given order; every bad id is named by its index."""
    errors, countries, seen, orgs = {}, {}, {}, []
    found = {o.id: o for o in session.scalars(sa.select(Organization).where(Organization.id.in_(set(party_ids))))}
    for index, party_id in enumerate(party_ids):
        field = f"parties.{index}"
        if party_id in seen:
            errors[field] = [f"repeats parties.{seen[party_id]}"]
            continue
        seen[party_id] = index
        org = found.get(party_id)
        if org is None:
            errors[field] = [f"no organisation with id {party_id}"]
        elif org.kind != AUTHORITY_KIND:
            errors[field] = [f"{org.name} is a {org.kind}; only recognition authorities are parties"]
        elif org.country in countries:
            errors[field] = [f"another party (parties.{countries[org.country]}) is already of {org.country}; "
                             "each party is of a different country"]
        else:
            countries[org.country] = index
            orgs.append(org)
    if errors:
        raise InvalidInput(f"{len(errors)} of the parties cannot be party to an agreement", errors=errors)
    if principal.organization_id not in found:
        raise InvalidInput("the creating recognition authority must be one of the parties",
                           errors={"parties": ["must include your own organisation"]})
    return orgs


def _set_version(session, mapping_set_id, version):
    try:
        _set, chosen, _history = mapping_set_service.get_mapping_set(session, mapping_set_id, version)
    except NotFound as exc:
        field = "mapping_set_version" if version and "version" in exc.detail else "mapping_set_id"
        raise InvalidInput(exc.detail, errors={field: [exc.detail]}) from None
    return chosen


def _check_period(valid_from, valid_until):
    if valid_until <= valid_from:
        raise InvalidInput("valid_until must be after valid_from", errors={"valid_until": ["must be after valid_from"]})


def create_agreement(session: Session, principal: Principal | None, data: dict, base_url: str) -> Agreement:
    """A draft agreement pinning a mapping set version (default: its latest); the creator is a party."""
    principal = require_kind(principal, AUTHORITY_KIND)
    orgs = _parties(session, principal, data["parties"])
    set_version = _set_version(session, data["mapping_set_id"], data.get("mapping_set_version"))
    _check_period(data["valid_from"], data["valid_until"])
    now = utcnow()
    agreement_id = uuid.uuid4()
    agreement = Agreement(
        id=agreement_id, series_id=agreement_id, version=1, title=data["title"],
        created_by_id=principal.organization_id,
        mapping_set_version_id=set_version.id, direction=data["direction"],
        conditions_text=data.get("conditions_text"), conditions=data.get("conditions") or [],
        valid_from=data["valid_from"], valid_until=data["valid_until"], created_at=now, updated_at=now,
        parties=[AgreementParty(organization_id=o.id, position=i) for i, o in enumerate(orgs)],
    )
    agreement.content = _build_content(agreement, orgs, set_version, base_url)
    agreement.content_hash = content_hash(agreement.content)
    session.add(agreement)
    session.flush()
    return agreement


def get_agreement(session: Session, agreement_id: uuid.UUID) -> Agreement:
    agreement = session.scalar(sa.select(Agreement).where(Agreement.id == agreement_id).options(
        selectinload(Agreement.parties), selectinload(Agreement.signatures)))
    if agreement is None:
        raise NotFound(f"agreement {agreement_id} not found")
    return agreement


def _as_party(session, principal, agreement_id, action) -> tuple[Principal, Agreement]:
    principal = require_kind(principal, AUTHORITY_KIND)
    agreement = get_agreement(session, agreement_id)
    if principal.organization_id not in {p.organization_id for p in agreement.parties}:
        raise Forbidden(f"only a party to the agreement may {action} it")
    return principal, agreement


def update_agreement(session: Session, principal: Principal | None, agreement_id: uuid.UUID, data: dict,
                     base_url: str) -> Agreement:
    """Change a draft's content (title, direction, conditions, validity, pinned set); 409 once anyone signed."""
    _principal, agreement = _as_party(session, principal, agreement_id, "change")
    if agreement.signatures:
        raise Conflict("the agreement has been signed; its content can no longer change",
                       content_hash=agreement.content_hash)
    if agreement.terminated_at is not None:
        raise Conflict("the agreement has been terminated")
    set_version = None
    if "mapping_set_id" in data or "mapping_set_version" in data:
        current = agreement.content["mapping_set"]
        set_version = _set_version(session, data.get("mapping_set_id") or uuid.UUID(current["id"]),
                                   data.get("mapping_set_version"))
    _check_period(data.get("valid_from", agreement.valid_from), data.get("valid_until", agreement.valid_until))
    for name in CONTENT_FIELDS:
        if name in data:
            value = data[name]
            setattr(agreement, name, value if not (name == "conditions" and value is None) else [])
    if set_version is None:
        set_version = session.get(MappingSetVersion, agreement.mapping_set_version_id)
    agreement.mapping_set_version_id = set_version.id
    _refresh_content(session, agreement, set_version, base_url)
    agreement.updated_at = utcnow()
    session.flush()
    return agreement


def create_version(session: Session, principal: Principal | None, agreement_id: uuid.UUID, data: dict,
                   base_url: str) -> Agreement:
    """A new draft version of a signed agreement with the changed fields; the signed one stays as it is."""
    principal, previous = _as_party(session, principal, agreement_id, "make a new version of")
    latest = session.scalar(sa.select(Agreement).where(Agreement.series_id == previous.series_id)
                            .order_by(Agreement.version.desc()).limit(1))
    if latest.id != previous.id:
        raise Conflict(f"version {latest.version} ({latest.id}) is the latest; make new versions from it",
                       latest_id=str(latest.id))
    if not previous.signatures:
        raise Conflict("nobody has signed this agreement yet: change it with PATCH instead")
    if previous.terminated_at is not None:
        raise Conflict("the agreement has been terminated")
    if "mapping_set_id" in data or "mapping_set_version" in data:
        pinned_set = data.get("mapping_set_id") or uuid.UUID(previous.content["mapping_set"]["id"])
        set_version = _set_version(session, pinned_set, data.get("mapping_set_version"))
    else:
        set_version = session.get(MappingSetVersion, previous.mapping_set_version_id)
    fields = {name: data[name] if name in data else getattr(previous, name) for name in CONTENT_FIELDS}
    fields["conditions"] = fields["conditions"] or []
    _check_period(fields["valid_from"], fields["valid_until"])
    if (all(fields[name] == getattr(previous, name) for name in CONTENT_FIELDS)
            and set_version.id == previous.mapping_set_version_id):
        raise Conflict(f"nothing changed: version {previous.version} already has this content",
                       content_hash=previous.content_hash)
    now = utcnow()
    agreement = Agreement(
        id=uuid.uuid4(), series_id=previous.series_id, version=previous.version + 1, supersedes_id=previous.id,
        created_by_id=principal.organization_id, mapping_set_version_id=set_version.id, created_at=now,
        updated_at=now, parties=[AgreementParty(organization_id=p.organization_id, position=p.position)
                                 for p in previous.parties], **fields)
    orgs = [session.get(Organization, p.organization_id) for p in previous.parties]
    agreement.content = _build_content(agreement, orgs, set_version, base_url, {
        "agreement_id": str(previous.id), "version": previous.version, "content_hash": previous.content_hash})
    agreement.content_hash = content_hash(agreement.content)
    session.add(agreement)
    session.flush()
    return agreement


def later_version_id(session: Session, agreement: Agreement) -> uuid.UUID | None:
    """The id of the version that supersedes this one, if any."""
    return session.scalar(sa.select(Agreement.id).where(Agreement.supersedes_id == agreement.id))


def sign_agreement(session: Session, principal: Principal | None, key_encryption: KeyEncryption,
                   agreement_id: uuid.UUID, base_url: str) -> AgreementSignature:
    """The party's compact JWS over the content hash (see the module docstring); a party signs once."""
    principal, agreement = _as_party(session, principal, agreement_id, "sign")
    status = status_of(agreement)
    if status in ("terminated", "expired"):
        raise Conflict(f"the agreement is {status}; it can no longer be signed")
    if any(s.organization_id == principal.organization_id for s in agreement.signatures):
        raise Conflict("your organisation has already signed this agreement")
    org = session.get(Organization, principal.organization_id)
    kid, private_key = signing_key(session, key_encryption, org, base_url)
    now = utcnow().replace(microsecond=0)
    payload = {"iss": did_for(base_url, org.slug), "iat": int(now.timestamp()), "agreement_id": str(agreement.id),
               "version": agreement.version, "content_hash": agreement.content_hash, "signed_at": timestamp(now)}
    signature = AgreementSignature(
        agreement_id=agreement.id, organization_id=org.id, kid=kid, content_hash=agreement.content_hash,
        jws=sign_compact(payload, private_key, kid, SIGNATURE_TYP), signed_at=now)
    try:
        with session.begin_nested():
            session.add(signature)
    except IntegrityError:
        raise Conflict("your organisation has already signed this agreement") from None
    session.expire(agreement, ["signatures"])
    return signature


def terminate_agreement(session: Session, principal: Principal | None, agreement_id: uuid.UUID,
                        reason: str | None) -> Agreement:
    """End the agreement now, whatever its status; 409 when it is already terminated."""
    principal, agreement = _as_party(session, principal, agreement_id, "terminate")
    if agreement.terminated_at is not None:
        raise Conflict("the agreement is already terminated")
    agreement.terminated_at = utcnow()
    agreement.terminated_by_id = principal.organization_id
    agreement.termination_reason = reason
    session.flush()
    return agreement


def list_agreements(session: Session, filters: dict, page: int, per_page: int):
    """(agreements, total), optionally those a given organisation is party to."""
    query = sa.select(Agreement)
    if filters.get("party_id"):
        query = query.where(Agreement.id.in_(
            sa.select(AgreementParty.agreement_id).where(AgreementParty.organization_id == filters["party_id"])))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.with_only_columns(Agreement.id).subquery()))
    rows = session.scalars(query.options(selectinload(Agreement.parties), selectinload(Agreement.signatures))
                           .order_by(Agreement.created_at, Agreement.id)
                           .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total
