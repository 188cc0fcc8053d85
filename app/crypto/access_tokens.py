"""Short-lived access tokens for API clients: EdDSA JWTs checked as RFC 8725 asks."""
import uuid
from datetime import datetime, timedelta, timezone

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ACCESS_TOKEN_TYPE = "at+jwt"  # RFC 9068: a distinct typ so no other JWT of ours passes as one
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti"]


class InvalidAccessToken(Exception):
    pass


def issue_access_token(
    private_key: Ed25519PrivateKey, kid: str, issuer: str, audience: str, subject: str,
    organization_id: str | None, scope: str, ttl_seconds: int, now: datetime | None = None,
) -> str:
    now = now or datetime.now(timezone.utc)
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "org": organization_id,
        "scope": scope,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, private_key, algorithm="EdDSA", headers={"kid": kid, "typ": ACCESS_TOKEN_TYPE})


def read_unverified_kid(token: str) -> str:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidAccessToken(f"malformed token: {exc}") from None
    if header.get("alg") != "EdDSA":
        raise InvalidAccessToken("token algorithm must be EdDSA")
    if header.get("typ") != ACCESS_TOKEN_TYPE:
        raise InvalidAccessToken(f"token typ must be {ACCESS_TOKEN_TYPE}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidAccessToken("token has no kid")
    return kid


def verify_access_token(token: str, public_key: Ed25519PublicKey, issuer: str, audience: str) -> dict:
    """Verify signature, algorithm (pinned), issuer, audience and time claims; return the claims."""
    try:
        return jwt.decode(
            token,
            public_key,
            algorithms=["EdDSA"],
            issuer=issuer,
            audience=audience,
            options={"require": REQUIRED_CLAIMS},
            leeway=30,
        )
    except jwt.ExpiredSignatureError:
        raise InvalidAccessToken("token has expired") from None
    except jwt.PyJWTError as exc:
        raise InvalidAccessToken(f"token rejected: {exc}") from None
