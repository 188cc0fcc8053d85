"""POST /api/v1/auth/token and bearer-token checks (RFC 6749 4.4, RFC 8725)."""
import base64
import json
import time

import jwt as pyjwt
from jwcrypto import jwk, jws

from tests.factories import field_errors, problem

TOKEN = "/api/v1/auth/token"


def registry_public_jwk(session):
    import sqlalchemy as sa

    from app.models import SigningKey

    return session.scalar(sa.select(SigningKey.public_jwk).where(SigningKey.organization_id.is_(None)))


def test_form_and_json_requests_issue_a_bearer_token(api, client, session):
    actor = api.organization("certification_body", "PH")
    form = client.post(TOKEN, data={"grant_type": "client_credentials", "client_id": actor.client_id,
                                    "client_secret": actor.client_secret})
    as_json = client.post(TOKEN, json={"grant_type": "client_credentials", "client_id": actor.client_id,
                                       "client_secret": actor.client_secret})
    for response in (form, as_json):
        assert response.status_code == 200
        body = response.get_json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 300
        assert response.headers["Cache-Control"] == "no-store"
    claims = pyjwt.decode(form.get_json()["access_token"], options={"verify_signature": False})
    assert claims["org"] == actor.id and claims["scope"] == "certification_body"
    assert claims["sub"] == actor.client_id and claims["exp"] - claims["iat"] == 300


def test_http_basic_client_authentication(api, client):
    actor = api.organization()
    basic = base64.b64encode(f"{actor.client_id}:{actor.client_secret}".encode()).decode()
    response = client.post(TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200


def test_token_verifies_with_an_independent_jose_implementation(api, client, session):
    actor = api.organization()
    key = jwk.JWK(**registry_public_jwk(session))
    token = jws.JWS()
    token.deserialize(actor.token)
    token.verify(key, alg="EdDSA")  # raises on a bad signature
    header = json.loads(json.dumps(token.jose_header))
    assert header["alg"] == "EdDSA" and header["typ"] == "at+jwt" and header["kid"].startswith("registry#")
    tampered = actor.token[:-4] + ("AAAA" if not actor.token.endswith("AAAA") else "BBBB")
    bad = jws.JWS()
    bad.deserialize(tampered)
    try:
        bad.verify(key, alg="EdDSA")
        raise AssertionError("tampered signature verified")
    except jws.InvalidJWSSignature:
        pass


def test_wrong_secret_unknown_client_and_missing_fields(api, client):
    actor = api.organization()
    for data in ({"client_id": actor.client_id, "client_secret": "wrong"},
                 {"client_id": "cli_nope", "client_secret": "x"}):
        body = problem(client.post(TOKEN, data={"grant_type": "client_credentials", **data}), 401)
        assert body["error"] == "invalid_client"
    body = problem(client.post(TOKEN, data={"grant_type": "client_credentials"}), 401)
    assert body["error"] == "invalid_client"
    body = problem(client.post(TOKEN, data={"grant_type": "password", "client_id": "a", "client_secret": "b"}), 422)
    assert body["error"] == "unsupported_grant_type" and "grant_type" in field_errors(body)
    body = problem(client.post(TOKEN, data={"client_id": "a", "client_secret": "b"}), 422)
    assert "grant_type" in field_errors(body)
    problem(client.post(TOKEN, data="[1,2]", content_type="application/json"), 422)


def test_revoked_client_loses_its_token_at_once(api, client):
    actor = api.organization()
    admin = api.admin_headers()
    assert client.post("/api/v1/frameworks", json={"code": "A", "title": "A", "country": "PH", "version": "1"},
                       headers=actor.headers).status_code == 201
    response = client.delete(f"/api/v1/organizations/{actor.id}/clients/{actor.client_id}", headers=admin)
    assert response.status_code == 200 and response.get_json()["revoked_at"]
    problem(client.post("/api/v1/frameworks", json={"code": "B", "title": "B", "country": "PH", "version": "1"},
                        headers=actor.headers), 401)
    problem(client.post(TOKEN, data={"grant_type": "client_credentials", "client_id": actor.client_id,
                                     "client_secret": actor.client_secret}), 401)


def _forge(claims, key, headers):
    return pyjwt.encode(claims, key, algorithm="EdDSA", headers=headers)


def test_bearer_tokens_are_checked_strictly(api, client, app):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    actor = api.organization()
    claims = pyjwt.decode(actor.token, options={"verify_signature": False})
    header = pyjwt.get_unverified_header(actor.token)
    other_key = Ed25519PrivateKey.generate()
    now = int(time.time())
    url = "/api/v1/frameworks"
    body = {"code": "X", "title": "X", "country": "PH", "version": "1"}

    def attempt(token):
        return problem(client.post(url, json=body, headers={"Authorization": f"Bearer {token}"}), 401)

    attempt(_forge(claims, other_key, header))  # signed by a key that is not the registry's
    attempt(_forge(claims, other_key, {**header, "kid": "registry#unknown"}))
    none_token = pyjwt.encode(claims, None, algorithm="none")
    attempt(none_token)
    hs = pyjwt.encode(claims, "a-shared-secret-of-thirty-two-bytes!", algorithm="HS256", headers={"kid": header["kid"], "typ": "at+jwt"})
    attempt(hs)
    attempt("not-a-token")
    # Right key, wrong claims: rebuild with the registry key through the authority.
    authority = app.extensions["registry"].token_authority
    with app.app_context():
        session = app.extensions["registry"].sessionmaker()
        kid, key = authority._signing_key(session)
        session.close()
    attempt(_forge({**claims, "exp": now - 3600, "iat": now - 7200}, key, header))  # expired
    attempt(_forge({**claims, "aud": "https://elsewhere.example/api"}, key, header))  # another audience
    attempt(_forge({**claims, "iss": "https://evil.example"}, key, header))
    attempt(_forge({k: v for k, v in claims.items() if k != "exp"}, key, header))  # exp required
    attempt(_forge(claims, key, {**header, "typ": "JWT"}))  # not an access token
    assert client.post(url, json=body, headers={"Authorization": "Basic abc"}).status_code == 401
    response = client.post(url, json=body, headers={"Authorization": "Bearer " + _forge(claims, key, header)})
    assert response.status_code == 201  # the control: the same token, correctly made, passes
