"""Who is acting, and the role and ownership rules every write checks."""
import uuid
from dataclasses import dataclass

from app.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class Principal:
    client_id: str
    role: str  # "admin" or "organization"
    organization_id: uuid.UUID | None = None
    organization_kind: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def from_claims(cls, claims: dict) -> "Principal":
        scope = claims.get("scope", "")
        if scope == "admin":
            return cls(client_id=claims["sub"], role="admin")
        org = claims.get("org")
        if not org:
            raise Unauthorized("token names no organisation")
        return cls(
            client_id=claims["sub"], role="organization",
            organization_id=uuid.UUID(org), organization_kind=scope,
        )


def require_authenticated(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorized("this operation needs a bearer access token from POST /api/v1/auth/token")
    return principal


def require_admin(principal: Principal | None) -> Principal:
    principal = require_authenticated(principal)
    if not principal.is_admin:
        raise Forbidden("only the registry admin may do this")
    return principal


def require_kind(principal: Principal | None, *kinds: str) -> Principal:
    principal = require_authenticated(principal)
    if principal.organization_kind not in kinds:
        raise Forbidden(f"only an organisation of kind {' or '.join(kinds)} may do this")
    return principal


def require_owner(principal: Principal, organization_id: uuid.UUID, what: str) -> None:
    if principal.is_admin:
        return
    if principal.organization_id != organization_id:
        raise Forbidden(f"{what} belongs to another organisation")
