"""Access tokens for API clients, signed by the registry's own Ed25519 key."""
import threading

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.crypto import access_tokens
from app.crypto.keys import KeyEncryption, generate_ed25519, jwk_thumbprint, public_jwk, public_key_from_jwk
from app.errors import Unauthorized
from app.models import ApiClient, SigningKey
from app.services.access import Principal
from app.services.organizations import authenticate_client

REGISTRY_TOKEN_PURPOSE = "access-token"


class AccessTokenAuthority:
    """Issues and verifies access tokens; caches loaded keys per process (PEM/DB loads are slow)."""

    def __init__(self, key_encryption: KeyEncryption, issuer: str, audience: str, ttl_seconds: int):
        self.key_encryption = key_encryption
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds
        self._signing = None  # (kid, private key)
        self._public_keys = {}
        self._lock = threading.Lock()

    def _signing_key(self, session: Session):
        if self._signing is None:
            with self._lock:
                if self._signing is None:
                    row = _get_or_create_registry_key(session, self.key_encryption)
                    self._signing = (row.kid, self.key_encryption.decrypt_private_key(row.private_key_encrypted))
        return self._signing

    def _public_key(self, session: Session, kid: str):
        key = self._public_keys.get(kid)
        if key is None:
            row = session.scalar(
                sa.select(SigningKey).where(
                    SigningKey.kid == kid, SigningKey.organization_id.is_(None),
                    SigningKey.purpose == REGISTRY_TOKEN_PURPOSE, SigningKey.status != "compromised",
                )
            )
            if row is None:
                raise Unauthorized("access token signed by an unknown key")
            key = public_key_from_jwk(row.public_jwk)
            self._public_keys[kid] = key
        return key

    def issue_for_credentials(self, session: Session, client_id: str, client_secret: str) -> dict:
        client, org = authenticate_client(session, client_id, client_secret)
        kid, private_key = self._signing_key(session)
        scope = "admin" if client.role == "admin" else org.kind
        token = access_tokens.issue_access_token(
            private_key, kid, self.issuer, self.audience, client.client_id,
            str(org.id) if org else None, scope, self.ttl_seconds,
        )
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.ttl_seconds, "scope": scope}

    def principal_for_token(self, session: Session, token: str) -> Principal:
        try:
            kid = access_tokens.read_unverified_kid(token)
            claims = access_tokens.verify_access_token(
                token, self._public_key(session, kid), self.issuer, self.audience
            )
        except access_tokens.InvalidAccessToken as exc:
            raise Unauthorized(str(exc), oauth_error="invalid_token") from None
        # A revoked client's tokens stop working at once, not only when they expire.
        revoked = session.scalar(
            sa.select(ApiClient.revoked_at.is_not(None)).where(ApiClient.client_id == claims["sub"])
        )
        if revoked is None or revoked:
            raise Unauthorized("the client of this token is unknown or revoked", oauth_error="invalid_token")
        return Principal.from_claims(claims)


def _get_or_create_registry_key(session: Session, key_encryption: KeyEncryption) -> SigningKey:
    query = sa.select(SigningKey).where(
        SigningKey.organization_id.is_(None), SigningKey.purpose == REGISTRY_TOKEN_PURPOSE,
        SigningKey.status == "active",
    )
    row = session.scalar(query)
    if row is not None:
        return row
    private_key = generate_ed25519()
    jwk = public_jwk(private_key.public_key())
    candidate = SigningKey(
        organization_id=None, purpose=REGISTRY_TOKEN_PURPOSE, kid=f"registry#{jwk_thumbprint(jwk)}",
        public_jwk=jwk, private_key_encrypted=key_encryption.encrypt_private_key(private_key),
    )
    # Several workers may start at once: the partial unique index lets one win; the rest read it.
    try:
        with session.begin_nested():
            session.add(candidate)
    except IntegrityError:
        pass
    return session.scalar(query)
