"""did:web DID documents and JWKS, checked by an independent resolver and JOSE implementation (jwcrypto)."""
import json
import uuid
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit

import jwt as pyjwt
import pytest
from jwcrypto import jwk, jws

from app import create_app
from app.models import Organization
from app.services import keys as key_service
from tests.conftest import TEST_BASE_URL
from tests.factories import ApiDriver, problem


def did_web_url(did):
    """did:web resolution as its spec writes it: colons to slashes, %3A back to ':', then /did.json."""
    assert did.startswith("did:web:")
    host, *path = did.removeprefix("did:web:").split(":")
    return "https://" + "/".join([unquote(host), *(unquote(segment) for segment in path)]) + "/did.json"


def fetch_did_document(client, base_url, did):
    """Dereference a did:web against this app, which is served at `base_url`."""
    url = did_web_url(did)
    base = urlsplit(base_url)
    parts = urlsplit(url)
    assert (parts.hostname, parts.port) == (base.hostname, base.port), url
    assert parts.path.startswith(base.path), url
    response = client.get(parts.path[len(base.path.rstrip("/")):])
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def sign(app, session, actor, payload):
    """A JWT signed with the service's current key for the organisation (PyJWT), as issuance will."""
    org = session.get(Organization, uuid.UUID(actor.id))
    base_url = app.config["PUBLIC_BASE_URL"]
    kid, private_key = key_service.signing_key(session, app.extensions["registry"].key_encryption, org, base_url)
    session.commit()
    return pyjwt.encode(payload, private_key, algorithm="EdDSA", headers={"kid": kid, "typ": "vc+jwt"})


def verify_with_jwks(client, actor, token):
    """Verify `token` with jwcrypto using nothing but the published JWKS; returns the payload."""
    published = client.get(f"/api/v1/organizations/{actor.id}/jwks.json").get_data(as_text=True)
    keyset = jwk.JWKSet.from_json(published)
    message = jws.JWS()
    message.deserialize(token)
    key = keyset.get_key(message.jose_header["kid"])
    assert key is not None, "kid not in the JWKS"
    message.verify(key, alg="EdDSA")
    return json.loads(message.payload)


def verify_with_did(client, base_url, token):
    """Verify `token` as a VC-JOSE-COSE verifier does: resolve the kid's DID, find the method, check
    it is an assertionMethod, and verify with its publicKeyJwk."""
    message = jws.JWS()
    message.deserialize(token)
    kid = message.jose_header["kid"]
    did = kid.split("#", 1)[0]
    document = fetch_did_document(client, base_url, did).get_json()
    assert document["id"] == did
    if kid not in document["assertionMethod"]:
        raise PermissionError(f"{kid} is not an assertionMethod of {did}")
    method = next(m for m in document["verificationMethod"] if m["id"] == kid)
    assert method["type"] == "JsonWebKey" and method["controller"] == did
    message.verify(jwk.JWK(**method["publicKeyJwk"]), alg="EdDSA")
    return json.loads(message.payload)


def test_did_document_shape(api, client):
    actor = api.organization()
    org = client.get(f"/api/v1/organizations/{actor.id}").get_json()
    empty = client.get(f"/issuers/{org['slug']}/did.json")
    assert empty.status_code == 200 and empty.mimetype == "application/did+ld+json"
    assert empty.get_json() == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
        "id": org["did"], "controller": org["did"], "verificationMethod": [], "assertionMethod": [],
        "authentication": [],
    }
    key = client.post(f"/api/v1/organizations/{actor.id}/keys", headers=actor.headers).get_json()
    document = client.get(f"/issuers/{org['slug']}/did.json").get_json()
    assert document["verificationMethod"] == [{
        "id": key["kid"], "type": "JsonWebKey", "controller": org["did"],
        "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": key["public_jwk"]["x"], "kid": key["kid"],
                         "alg": "EdDSA", "use": "sig"},
    }]
    assert document["assertionMethod"] == document["authentication"] == [key["kid"]]


def test_jwks_shape(api, client):
    actor = api.organization()
    key = client.post(f"/api/v1/organizations/{actor.id}/keys", headers=actor.headers).get_json()
    response = client.get(f"/api/v1/organizations/{actor.id}/jwks.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": key["public_jwk"]["x"],
                                             "kid": key["kid"], "alg": "EdDSA", "use": "sig"}]}
    problem(client.get(f"/api/v1/organizations/{uuid.uuid4()}/jwks.json"), 404)


def test_unknown_issuer_is_a_404_problem(client):
    problem(client.get("/issuers/nobody-here/did.json"), 404)


@pytest.mark.parametrize("path", ["did", "jwks"])
def test_cache_control_and_etag_with_revalidation(api, client, path):
    actor = api.organization()
    slug = client.get(f"/api/v1/organizations/{actor.id}").get_json()["slug"]
    url = f"/issuers/{slug}/did.json" if path == "did" else f"/api/v1/organizations/{actor.id}/jwks.json"
    client.post(f"/api/v1/organizations/{actor.id}/keys", headers=actor.headers)
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    etag = first.headers["ETag"]
    assert etag.startswith('"') and len(etag) > 20
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    client.post(f"/api/v1/organizations/{actor.id}/keys", headers=actor.headers)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_signatures_verify_with_jwcrypto_from_the_jwks_and_the_did_document_across_rotation(
        api, client, app, session):
    actor = api.organization()
    before = sign(app, session, actor, {"sub": "credential-1"})
    assert verify_with_jwks(client, actor, before) == {"sub": "credential-1"}
    assert verify_with_did(client, TEST_BASE_URL, before) == {"sub": "credential-1"}
    client.post(f"/api/v1/organizations/{actor.id}/keys", headers=actor.headers)
    after = sign(app, session, actor, {"sub": "credential-2"})
    assert pyjwt.get_unverified_header(after)["kid"] != pyjwt.get_unverified_header(before)["kid"]
    # Old signatures still verify with the retired key, new ones with the new key.
    for token, subject in ((before, "credential-1"), (after, "credential-2")):
        assert verify_with_jwks(client, actor, token) == {"sub": subject}
        assert verify_with_did(client, TEST_BASE_URL, token) == {"sub": subject}
    tampered = after[:-4] + ("AAAA" if not after.endswith("AAAA") else "BBBB")
    with pytest.raises(jws.InvalidJWSSignature):
        verify_with_jwks(client, actor, tampered)


def test_a_compromised_key_no_longer_verifies_for_a_standard_verifier(api, client, app, session):
    actor = api.organization()
    token = sign(app, session, actor, {"sub": "credential-1"})
    kid = pyjwt.get_unverified_header(token)["kid"]
    key_id = client.get(f"/api/v1/organizations/{actor.id}/keys").get_json()["items"][0]["id"]
    leaked = client.post(f"/api/v1/organizations/{actor.id}/keys/{key_id}/compromise", headers=actor.headers)
    assert leaked.status_code == 200
    with pytest.raises(AssertionError, match="kid not in the JWKS"):
        verify_with_jwks(client, actor, token)
    with pytest.raises(PermissionError):
        verify_with_did(client, TEST_BASE_URL, token)
    slug = client.get(f"/api/v1/organizations/{actor.id}").get_json()["slug"]
    document = client.get(f"/issuers/{slug}/did.json").get_json()
    method = next(m for m in document["verificationMethod"] if m["id"] == kid)
    # Still listed, so anyone can see what happened and when.
    assert datetime.fromisoformat(method["revoked"]) == datetime.fromisoformat(leaked.get_json()["compromised_at"])
    assert kid not in document["authentication"]


def test_did_web_with_a_port_and_a_path_resolves_to_this_app(connection):
    base_url = "https://registry.example:8443/skills"
    app = create_app("testing", {"DB_CONNECTION": connection, "PUBLIC_BASE_URL": base_url})
    client = app.test_client()
    api = ApiDriver(app, client)
    actor = api.organization("certification_body", "PH", name="Port Test Body")
    org = client.get(f"/api/v1/organizations/{actor.id}").get_json()
    assert org["did"] == "did:web:registry.example%3A8443:skills:issuers:port-test-body"
    assert did_web_url(org["did"]) == "https://registry.example:8443/skills/issuers/port-test-body/did.json"
    key = client.post(f"/api/v1/organizations/{actor.id}/keys", headers=actor.headers).get_json()
    assert key["kid"].startswith("did:web:registry.example%3A8443:skills:issuers:port-test-body#")
    document = fetch_did_document(client, base_url, org["did"]).get_json()
    assert document["id"] == org["did"] and document["assertionMethod"] == [key["kid"]]
    session = app.extensions["registry"].sessionmaker()
    try:
        token = sign(app, session, actor, {"iat": int(datetime.now(timezone.utc).timestamp())})
        assert "iat" in verify_with_did(client, base_url, token)
    finally:
        session.close()
