"""Organisations' signing keys under /api/v1, their JWKS, and DID documents at /issuers/{slug}/did.json.

The DID document path is fixed by did:web (did:web:HOST:issuers:SLUG resolves to
https://HOST/issuers/SLUG/did.json), so this blueprint is registered without a prefix and names
every path in full.
"""
import hashlib
import uuid

from flask import current_app, request
from flask_smorest import Blueprint

from app.api.context import current_principal, db_session, token_required
from app.api.helpers import BEARER, page_body
from app.crypto.keys import verification_jwk
from app.services import keys as service
from schemas.common import PageArgs, page_of
from schemas.keys import DidDocumentSchema, JwksSchema, KeyCompromiseSchema, KeySchema

blp = Blueprint("keys", __name__, description="Signing keys, JWKS and did:web DID documents")

KEYS = "/api/v1/organizations/<uuid:organization_id>/keys"
# Short enough that a rotation or a compromise reaches verifiers within minutes; the ETag makes
# revalidating after that a 304.
PUBLIC_KEYS_CACHE = "public, max-age=300"
DID_MEDIA_TYPE = "application/did+ld+json"  # DID Core 1.0 section 6.3: JSON-LD with an @context


def _base_url():
    return current_app.config["PUBLIC_BASE_URL"]


def key_body(key):
    """Public metadata of a key; the encrypted private key is never read here."""
    return {
        "id": key.id, "kid": key.kid, "status": key.status, "algorithm": key.algorithm,
        "public_jwk": verification_jwk(key.public_jwk, key.kid), "created_at": key.created_at,
        "retired_at": key.retired_at, "compromised_at": key.compromised_at,
    }


def _cacheable(body, mimetype):
    """`body` as JSON with Cache-Control and a strong ETag over its bytes; 304 when it matches."""
    data = current_app.json.dumps(body)
    response = current_app.response_class(data, mimetype=mimetype)
    response.set_etag(hashlib.sha256(data.encode("utf-8")).hexdigest())
    response.headers["Cache-Control"] = PUBLIC_KEYS_CACHE
    # Public keys are public: browser-based wallets and verifiers on other origins must read them.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


@blp.route(KEYS, methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(KeySchema))
def list_keys(args, organization_id: uuid.UUID):
    """An organisation's signing keys of every status (public metadata only)."""
    items, total = service.list_keys(db_session(), organization_id, args["page"], args["per_page"])
    return page_body([key_body(k) for k in items], total, args["page"], args["per_page"])


@blp.route(KEYS, methods=["POST"])
@token_required
@blp.response(201, KeySchema)
@blp.doc(security=BEARER)
def rotate_key(organization_id: uuid.UUID):
    """Rotate: a new active key signs from now on; the previous one is retired and stays published."""
    key_encryption = current_app.extensions["registry"].key_encryption
    key = service.rotate_key(db_session(), current_principal(), key_encryption, organization_id, _base_url())
    return key_body(key)


@blp.route(f"{KEYS}/<uuid:key_id>/retire", methods=["POST"])
@token_required
@blp.response(200, KeySchema)
@blp.doc(security=BEARER)
def retire_key(organization_id: uuid.UUID, key_id: uuid.UUID):
    """Stop signing with a key; what it signed still verifies. The next signature makes a new key."""
    return key_body(service.retire_key(db_session(), current_principal(), organization_id, key_id))


@blp.route(f"{KEYS}/<uuid:key_id>/compromise", methods=["POST"])
@token_required
@blp.arguments(KeyCompromiseSchema, required=False)
@blp.response(200, KeySchema)
@blp.doc(security=BEARER)
def compromise_key(data, organization_id: uuid.UUID, key_id: uuid.UUID):
    """Record that a key leaked at `compromised_at`: it leaves the JWKS and every DID relationship."""
    key = service.compromise_key(db_session(), current_principal(), organization_id, key_id,
                                 data.get("compromised_at"))
    return key_body(key)


@blp.route("/api/v1/organizations/<uuid:organization_id>/jwks.json", methods=["GET"])
@blp.response(200, JwksSchema)
def jwks(organization_id: uuid.UUID):
    """The organisation's active and retired public keys as a JWKS (RFC 7517)."""
    return _cacheable(service.jwks_for(db_session(), organization_id), "application/json")


@blp.route("/issuers/<string:slug>/did.json", methods=["GET"])
@blp.response(200, DidDocumentSchema, content_type=DID_MEDIA_TYPE)
def did_document(slug: str):
    """The organisation's did:web DID document, with every key it has had."""
    return _cacheable(service.did_document_for(db_session(), _base_url(), slug), DID_MEDIA_TYPE)
