"""Organisations' Ed25519 signing keys: first use, rotation, retirement, compromise, and lookup by kid."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.crypto.keys import KeyEncryption, generate_ed25519, public_jwk, public_key_from_jwk, verification_jwk
from app.db import utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.models import Organization, SigningKey
from app.services.access import Principal, require_authenticated, require_owner
from app.services.dids import did_document, did_for, did_url_for_key
from app.services.organizations import get_organization

ASSERTION_PURPOSE = "assertion"

# Per-process caches. Plain dicts: a lost race only decrypts or parses a key twice.
# organization id -> (signing key row id, kid, private key). Decrypting costs a Fernet decrypt
# and a DER parse per call; the entry is only used while its row is still the active one.
_private_keys: dict[uuid.UUID, tuple[uuid.UUID, str, Ed25519PrivateKey]] = {}
# kid -> public key. A public key never changes for a kid; its status does, so it is not cached.
_public_keys: dict[str, Ed25519PublicKey] = {}


def _active(organization_id: uuid.UUID):
    """Conditions that select an organisation's active signing key."""
    return (SigningKey.organization_id == organization_id, SigningKey.purpose == ASSERTION_PURPOSE,
            SigningKey.status == "active")


def _new_key(session: Session, key_encryption: KeyEncryption, org: Organization, base_url: str) -> SigningKey:
    private_key = generate_ed25519()
    jwk = public_jwk(private_key.public_key())
    key = SigningKey(
        organization_id=org.id, purpose=ASSERTION_PURPOSE, kid=did_url_for_key(did_for(base_url, org.slug), jwk),
        algorithm="EdDSA", public_jwk=jwk, private_key_encrypted=key_encryption.encrypt_private_key(private_key),
        status="active", created_at=utcnow(),
    )
    session.add(key)
    return key


def signing_key(session: Session, key_encryption: KeyEncryption, org: Organization,
                base_url: str) -> tuple[str, Ed25519PrivateKey]:
    """(kid, private key) the organisation signs with now; its first key is created on first use."""
    # One indexed read of the active key's id per call, so a key rotated, retired or compromised by
    # any worker is never used again here; only the decrypted private key comes from the cache.
    active_id = session.scalar(sa.select(SigningKey.id).where(*_active(org.id)))
    cached = _private_keys.get(org.id)
    if active_id is not None and cached is not None and cached[0] == active_id:
        return cached[1], cached[2]
    if active_id is None:
        # Two requests may both find no key: the partial unique index lets one insert win and the
        # other reads the winner's key.
        try:
            with session.begin_nested():
                _new_key(session, key_encryption, org, base_url)
        except IntegrityError:
            pass
        active_id = session.scalar(sa.select(SigningKey.id).where(*_active(org.id)))
    row = session.get(SigningKey, active_id)
    private_key = key_encryption.decrypt_private_key(row.private_key_encrypted)
    _private_keys[org.id] = (row.id, row.kid, private_key)
    return row.kid, private_key


def resolve_public_key(session: Session, kid: str) -> tuple[SigningKey, Ed25519PublicKey]:
    """The organisation key named by `kid` (of any status) and its public key, for verifiers."""
    # The caller decides what a retired or compromised key means for the signature in hand. The
    # row is read every time, so a compromise recorded by another worker is seen at once.
    row = session.scalar(sa.select(SigningKey).where(
        SigningKey.kid == kid, SigningKey.organization_id.is_not(None), SigningKey.purpose == ASSERTION_PURPOSE,
    ))
    if row is None:
        raise NotFound(f"no signing key with kid {kid!r}")
    public_key = _public_keys.get(kid)
    if public_key is None:
        public_key = public_key_from_jwk(row.public_jwk)
        _public_keys[kid] = public_key
    return row, public_key


def list_keys(session: Session, organization_id: uuid.UUID, page=1, per_page=20):
    """An organisation's keys of every status, active first, then newest first; returns (keys, total)."""
    get_organization(session, organization_id)
    query = _keys_of(organization_id)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    return session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all(), total


def did_document_for(session: Session, base_url: str, slug: str) -> dict:
    """The DID document of the organisation with this slug (keys of every status; see did_document)."""
    org = session.scalar(sa.select(Organization).where(Organization.slug == slug))
    if org is None:
        raise NotFound(f"no issuer {slug!r}")
    return did_document(did_for(base_url, org.slug), session.scalars(_keys_of(org.id)).all())


def jwks_for(session: Session, organization_id: uuid.UUID) -> dict:
    """The organisation's JWKS: its active and retired keys."""
    # Compromised keys are left out: a plain JOSE verifier has no notion of key status and would
    # accept anything signed with one. Their record stays in the DID document and the key list.
    get_organization(session, organization_id)
    keys = session.scalars(_keys_of(organization_id).where(SigningKey.status != "compromised")).all()
    return {"keys": [verification_jwk(key.public_jwk, key.kid) for key in keys]}


def _keys_of(organization_id: uuid.UUID):
    return (
        sa.select(SigningKey)
        .where(SigningKey.organization_id == organization_id, SigningKey.purpose == ASSERTION_PURPOSE)
        .order_by((SigningKey.status == "active").desc(), SigningKey.created_at.desc(), SigningKey.id)
    )


def _owned_org(session: Session, principal: Principal | None, organization_id: uuid.UUID) -> Organization:
    principal = require_authenticated(principal)
    org = get_organization(session, organization_id)
    require_owner(principal, org.id, "this organisation")
    return org


def _owned_key(session: Session, principal: Principal | None, organization_id: uuid.UUID,
               key_id: uuid.UUID) -> SigningKey:
    org = _owned_org(session, principal, organization_id)
    key = session.scalar(sa.select(SigningKey).where(
        SigningKey.id == key_id, SigningKey.organization_id == org.id, SigningKey.purpose == ASSERTION_PURPOSE,
    ))
    if key is None:
        raise NotFound(f"key {key_id} not found for this organisation")
    return key


def rotate_key(session: Session, principal: Principal | None, key_encryption: KeyEncryption,
               organization_id: uuid.UUID, base_url: str) -> SigningKey:
    """Create a new active key and retire the previous one; the old one stays published."""
    org = _owned_org(session, principal, organization_id)
    now = utcnow()
    previous = session.scalar(sa.select(SigningKey).where(*_active(org.id)).with_for_update())
    if previous is not None:
        previous.status = "retired"
        previous.retired_at = now
        # Flushed before the insert: one active key per organisation is a unique index.
        session.flush()
    key = _new_key(session, key_encryption, org, base_url)
    session.flush()
    return key


def retire_key(session: Session, principal: Principal | None, organization_id: uuid.UUID,
               key_id: uuid.UUID) -> SigningKey:
    """Stop signing with a key; it stays published so what it signed still verifies."""
    key = _owned_key(session, principal, organization_id, key_id)
    if key.status != "active":
        raise Conflict(f"key is {key.status}; only an active key can be retired")
    key.status = "retired"
    key.retired_at = utcnow()
    session.flush()
    return key


def compromise_key(session: Session, principal: Principal | None, organization_id: uuid.UUID,
                   key_id: uuid.UUID, compromised_at: datetime | None = None) -> SigningKey:
    """Record that a key's private half leaked at `compromised_at` (default now; never in the future)."""
    key = _owned_key(session, principal, organization_id, key_id)
    if key.status == "compromised":
        raise Conflict("key is already marked compromised")
    now = utcnow()
    moment = compromised_at or now
    if moment > now:
        raise InvalidInput("compromised_at is in the future",
                           errors={"compromised_at": ["must not be in the future"]})
    if moment < key.created_at:
        raise InvalidInput("compromised_at is before the key was created",
                           errors={"compromised_at": [f"must not be before the key was created "
                                                      f"({key.created_at.isoformat()})"]})
    key.status = "compromised"
    key.compromised_at = moment
    session.flush()
    return key
