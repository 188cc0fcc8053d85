"""Per-request database session and acting principal.

One session per request: it is committed once after a successful response and rolled back on any
error (see register_request_lifecycle), so services only flush.
"""
import functools

from flask import current_app, g, request

from app.errors import Unauthorized


def db_session():
    session = g.get("db_session")
    if session is None:
        session = current_app.extensions["registry"].sessionmaker()
        g.db_session = session
    return session


def current_principal():
    """The principal named by the bearer token, or None when the request has no Authorization."""
    if "principal" in g:
        return g.principal
    header = request.headers.get("Authorization", "")
    if not header:
        g.principal = None
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization must be 'Bearer <access token>'", oauth_error="invalid_request")
    authority = current_app.extensions["registry"].token_authority
    g.principal = authority.principal_for_token(db_session(), token.strip())
    return g.principal


def token_required(view):
    """Check the bearer token before the body is parsed, so anonymous callers get 401, not 422."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_principal() is None:
            raise Unauthorized("this operation needs a bearer access token from POST /api/v1/auth/token")
        return view(*args, **kwargs)

    return wrapper
