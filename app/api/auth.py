from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import ValidationError

from app.api.context import db_session
from app.errors import InvalidInput, Unauthorized
from schemas.auth import TokenRequestSchema, TokenSchema

blp = Blueprint("auth", __name__, description="OAuth 2.0 client credentials (RFC 6749 section 4.4)")


def _token_request():
    """Form or JSON body; client credentials may also come as HTTP Basic (RFC 6749 2.3.1)."""
    if request.mimetype == "application/json":
        raw = request.get_json(silent=True)
        if not isinstance(raw, dict):
            raise InvalidInput("the body must be a JSON object or a form", errors={"(body)": ["not a JSON object"]})
    else:
        raw = request.form.to_dict()
    if request.authorization and request.authorization.type == "basic":
        raw.setdefault("client_id", request.authorization.username)
        raw.setdefault("client_secret", request.authorization.password)
    try:
        data = TokenRequestSchema().load(raw)
    except ValidationError as exc:
        if "grant_type" in exc.messages and raw.get("grant_type"):
            raise InvalidInput("only grant_type=client_credentials is supported",
                               errors=exc.messages, oauth_error="unsupported_grant_type") from None
        raise InvalidInput("invalid token request", errors=exc.messages, oauth_error="invalid_request") from None
    if not data.get("client_id") or not data.get("client_secret"):
        raise Unauthorized("client_id and client_secret are required", oauth_error="invalid_client")
    return data


@blp.route("/auth/token", methods=["POST"])
@blp.response(200, TokenSchema)
@blp.doc(requestBody={"content": {
    "application/x-www-form-urlencoded": {"schema": TokenRequestSchema},
    "application/json": {"schema": TokenRequestSchema},
}})
def issue_token():
    """Exchange client credentials for a short-lived access token."""
    data = _token_request()
    authority = current_app.extensions["registry"].token_authority
    body = authority.issue_for_credentials(db_session(), data["client_id"], data["client_secret"])
    return body, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"}
