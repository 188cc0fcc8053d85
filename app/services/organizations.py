"""Organisations and their API clients."""
import hashlib
import hmac
import re
import secrets
import unicodedata
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.db import utcnow
from app.errors import Conflict, NotFound, Unauthorized
from app.models import ApiClient, Organization
from app.services.access import Principal, require_admin, require_authenticated, require_owner

ADMIN_CLIENT_NAME = "registry-admin"


def hash_client_secret(secret: str) -> str:
    # Client secrets are 256-bit random values, not passwords: a plain SHA-256 cannot be brute
    # forced, and it keeps the token endpoint fast. Passwords (holders) get a memory-hard hash.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:80] or "org"


def _unique_slug(session: Session, name: str) -> str:
    base = _slugify(name)
    slug = base
    while session.scalar(sa.select(Organization.id).where(Organization.slug == slug)) is not None:
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def create_organization(session: Session, principal: Principal | None, data: dict) -> Organization:
    require_admin(principal)
    org = Organization(
        name=data["name"].strip(), country=data["country"], kind=data["kind"],
        slug=_unique_slug(session, data["name"]),
    )
    session.add(org)
    session.flush()
    return org


def get_organization(session: Session, organization_id: uuid.UUID) -> Organization:
    org = session.get(Organization, organization_id)
    if org is None:
        raise NotFound(f"organization {organization_id} not found")
    return org


def list_organizations(session: Session, kind=None, country=None, page=1, per_page=20):
    query = sa.select(Organization)
    if kind:
        query = query.where(Organization.kind == kind)
    if country:
        query = query.where(Organization.country == country)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = session.scalars(
        query.order_by(Organization.created_at, Organization.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return items, total


def create_client(session: Session, principal: Principal | None, organization_id: uuid.UUID, name: str | None):
    """Create an API client for an organisation; returns (client, secret). The secret is shown once."""
    principal = require_authenticated(principal)
    org = get_organization(session, organization_id)
    require_owner(principal, org.id, "this organisation")
    secret = _new_secret()
    client = ApiClient(
        client_id=f"cli_{secrets.token_hex(12)}", secret_hash=hash_client_secret(secret),
        name=name or f"{org.name} client", role="organization", organization_id=org.id,
    )
    session.add(client)
    session.flush()
    return client, secret


def bootstrap_admin(session: Session):
    """Create the registry-admin client on first use; returns (client, secret).

    Run again, it issues a fresh secret for the same client (the old one stops working), since a
    secret is stored only as a hash and cannot be shown twice.
    """
    client = session.scalar(
        sa.select(ApiClient).where(ApiClient.role == "admin", ApiClient.name == ADMIN_CLIENT_NAME)
    )
    secret = _new_secret()
    if client is None:
        client = ApiClient(
            client_id=f"adm_{secrets.token_hex(12)}", secret_hash=hash_client_secret(secret),
            name=ADMIN_CLIENT_NAME, role="admin",
        )
        session.add(client)
    else:
        client.secret_hash = hash_client_secret(secret)
    session.flush()
    return client, secret


def authenticate_client(session: Session, client_id: str, client_secret: str) -> tuple[ApiClient, Organization | None]:
    """Check client credentials; one vague error for every failure, as RFC 6749 5.2 asks."""
    row = session.execute(
        sa.select(ApiClient, Organization)
        .outerjoin(Organization, ApiClient.organization_id == Organization.id)
        .where(ApiClient.client_id == client_id)
    ).first()
    expected = row[0].secret_hash if row else hash_client_secret("no such client")
    matches = hmac.compare_digest(expected, hash_client_secret(client_secret))
    if row is None or not matches or row[0].revoked_at is not None:
        raise Unauthorized("invalid client credentials", oauth_error="invalid_client")
    return row[0], row[1]


def revoke_client(session: Session, principal: Principal | None, organization_id: uuid.UUID, client_id: str):
    principal = require_authenticated(principal)
    org = get_organization(session, organization_id)
    require_owner(principal, org.id, "this organisation")
    client = session.scalar(
        sa.select(ApiClient).where(ApiClient.client_id == client_id, ApiClient.organization_id == org.id)
    )
    if client is None:
        raise NotFound(f"client {client_id} not found for this organisation")
    if client.revoked_at is not None:
        raise Conflict("client is already revoked")
    client.revoked_at = utcnow()
    session.flush()
    return client
