"""Organisation signing keys: listing, rotation, retirement, compromise; no private material ever leaves."""
import json
import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from jwcrypto import jwk

from app.crypto.keys import b64url
from app.models import Organization, SigningKey
from app.services import keys as key_service
from tests.conftest import TEST_BASE_URL
from tests.factories import field_errors, problem


def keys_url(org_id):
    return f"/api/v1/organizations/{org_id}/keys"


def sign_with_service_key(app, session, org_id):
    """(kid, private key) from the service, as issuance will call it."""
    registry = app.extensions["registry"]
    org = session.get(Organization, uuid.UUID(org_id))
    kid, private_key = key_service.signing_key(session, registry.key_encryption, org, TEST_BASE_URL)
    session.commit()
    return kid, private_key


def test_a_new_organization_has_no_keys_until_it_first_signs(api, client, app, session):
    actor = api.organization()
    listed = client.get(keys_url(actor.id)).get_json()
    assert listed == {"items": [], "total": 0, "page": 1, "per_page": 20}
    kid, _ = sign_with_service_key(app, session, actor.id)
    listed = client.get(keys_url(actor.id)).get_json()
    assert listed["total"] == 1
    key = listed["items"][0]
    org = client.get(f"/api/v1/organizations/{actor.id}").get_json()
    # kid = DID URL: the organisation's did:web, then the RFC 7638 thumbprint (computed by jwcrypto).
    assert key["kid"] == kid == f"{org['did']}#{jwk.JWK(**key['public_jwk']).thumbprint()}"
    assert key["status"] == "active" and key["algorithm"] == "EdDSA"
    assert key["retired_at"] is None and key["compromised_at"] is None
    assert key["public_jwk"] == {"kty": "OKP", "crv": "Ed25519", "x": key["public_jwk"]["x"], "kid": kid,
                                 "alg": "EdDSA", "use": "sig"}


def test_rotation_retires_the_previous_key_and_keeps_it_published(api, client):
    actor = api.organization()
    first = client.post(keys_url(actor.id), headers=actor.headers)
    assert first.status_code == 201
    second = client.post(keys_url(actor.id), headers=actor.headers)
    assert second.status_code == 201
    first, second = first.get_json(), second.get_json()
    assert first["kid"] != second["kid"] and second["status"] == "active"
    listed = client.get(keys_url(actor.id)).get_json()
    assert [k["kid"] for k in listed["items"]] == [second["kid"], first["kid"]]
    old = listed["items"][1]
    assert old["status"] == "retired" and old["retired_at"] is not None
    assert datetime.fromisoformat(old["retired_at"]) >= datetime.fromisoformat(old["created_at"])
    jwks = client.get(f"/api/v1/organizations/{actor.id}/jwks.json").get_json()
    assert [k["kid"] for k in jwks["keys"]] == [second["kid"], first["kid"]]
    did = client.get(f"/issuers/{_slug(client, actor)}/did.json").get_json()
    assert [m["id"] for m in did["verificationMethod"]] == [second["kid"], first["kid"]]
    assert did["assertionMethod"] == [second["kid"], first["kid"]]
    assert client.get(f"{keys_url(actor.id)}?per_page=1&page=2").get_json()["items"][0]["kid"] == first["kid"]


def test_the_next_signature_after_rotation_uses_the_new_key(api, client, app, session):
    actor = api.organization()
    old_kid, _ = sign_with_service_key(app, session, actor.id)
    new = client.post(keys_url(actor.id), headers=actor.headers).get_json()
    assert sign_with_service_key(app, session, actor.id)[0] == new["kid"] != old_kid


def test_retire_a_key(api, client, app, session):
    actor = api.organization()
    key = client.post(keys_url(actor.id), headers=actor.headers).get_json()
    response = client.post(f"{keys_url(actor.id)}/{key['id']}/retire", headers=actor.headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "retired" and response.get_json()["retired_at"]
    problem(client.post(f"{keys_url(actor.id)}/{key['id']}/retire", headers=actor.headers), 409)
    # With no active key left, the next signature creates one.
    kid, _ = sign_with_service_key(app, session, actor.id)
    assert kid != key["kid"]
    assert {k["status"] for k in client.get(keys_url(actor.id)).get_json()["items"]} == {"active", "retired"}


def test_unknown_keys_and_other_organizations_keys_are_404(api, client):
    actor, other = api.organization(), api.organization()
    key = client.post(keys_url(other.id), headers=other.headers).get_json()
    problem(client.post(f"{keys_url(actor.id)}/{uuid.uuid4()}/retire", headers=actor.headers), 404)
    problem(client.post(f"{keys_url(actor.id)}/{key['id']}/retire", headers=actor.headers), 404)
    problem(client.post(f"{keys_url(other.id)}/{key['id']}/retire", headers=actor.headers), 403)
    problem(client.get(keys_url(uuid.uuid4())), 404)
    problem(client.post(keys_url(uuid.uuid4()), headers=api.admin_headers()), 404)


def test_compromise_records_the_time_and_withdraws_the_key(api, client, session):
    actor = api.organization()
    retired = client.post(keys_url(actor.id), headers=actor.headers).get_json()
    active = client.post(keys_url(actor.id), headers=actor.headers).get_json()
    leaked_at = datetime.fromisoformat(retired["created_at"])
    # Naive times are taken as UTC; the leak may predate the report (not the key).
    response = client.post(f"{keys_url(actor.id)}/{retired['id']}/compromise", headers=actor.headers,
                           json={"compromised_at": leaked_at.replace(tzinfo=None).isoformat()})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "compromised" and datetime.fromisoformat(body["compromised_at"]) == leaked_at
    assert body["retired_at"] is not None  # when it stopped signing stays on record
    # No body at all: compromised now.
    before = datetime.now(timezone.utc)
    response = client.post(f"{keys_url(actor.id)}/{active['id']}/compromise", headers=actor.headers)
    assert response.status_code == 200
    assert datetime.fromisoformat(response.get_json()["compromised_at"]) >= before - timedelta(seconds=1)
    stored = session.scalars(sa.select(SigningKey).where(SigningKey.organization_id == uuid.UUID(actor.id))).all()
    assert {k.status for k in stored} == {"compromised"}
    assert client.get(f"/api/v1/organizations/{actor.id}/jwks.json").get_json() == {"keys": []}
    problem(client.post(f"{keys_url(actor.id)}/{active['id']}/compromise", headers=actor.headers), 409)


def test_compromise_refuses_a_future_time_and_one_before_the_key_existed(api, client):
    actor = api.organization()
    key = client.post(keys_url(actor.id), headers=actor.headers).get_json()
    url = f"{keys_url(actor.id)}/{key['id']}/compromise"
    future = (datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat()
    assert "compromised_at" in field_errors(problem(client.post(url, json={"compromised_at": future},
                                                                headers=actor.headers), 422))
    before = (datetime.fromisoformat(key["created_at"]) - timedelta(days=1)).isoformat()
    assert "compromised_at" in field_errors(problem(client.post(url, json={"compromised_at": before},
                                                                headers=actor.headers), 422))
    assert "compromised_at" in field_errors(problem(client.post(url, json={"compromised_at": "yesterday"},
                                                                headers=actor.headers), 422))
    assert client.get(keys_url(actor.id)).get_json()["items"][0]["status"] == "active"


def test_private_key_material_is_in_no_response_and_no_log(api, client, app, session, capsys):
    actor = api.organization()
    bodies = []

    def record(response):
        bodies.append(response.get_data(as_text=True))
        return response

    kid, private_key = sign_with_service_key(app, session, actor.id)
    key = record(client.post(keys_url(actor.id), headers=actor.headers)).get_json()
    record(client.post(keys_url(actor.id), headers=actor.headers))
    record(client.post(f"{keys_url(actor.id)}/{key['id']}/retire", headers=actor.headers))
    record(client.post(f"{keys_url(actor.id)}/{key['id']}/compromise", headers=actor.headers))
    record(client.get(keys_url(actor.id)))
    record(client.get(f"/api/v1/organizations/{actor.id}/jwks.json"))
    record(client.get(f"/issuers/{_slug(client, actor)}/did.json"))
    record(client.get("/api/v1/openapi.json"))
    logs = capsys.readouterr().err
    assert "registry.access" in logs  # the request logs were captured, so checking them means something
    rows = session.scalars(sa.select(SigningKey).where(SigningKey.organization_id == uuid.UUID(actor.id))).all()
    assert len(rows) == 3
    registry = app.extensions["registry"]
    secrets = []
    for row in rows:
        raw = registry.key_encryption.decrypt_private_key(row.private_key_encrypted).private_bytes_raw()
        secrets += [b64url(raw), raw.hex(), row.private_key_encrypted.decode("ascii")]
    assert b64url(private_key.private_bytes_raw()) in secrets
    for text in bodies + [logs]:
        for secret in secrets:
            assert secret not in text
    for body in bodies[:-1]:
        assert '"d"' not in body and "private" not in body.lower()


def _slug(client, actor):
    return client.get(f"/api/v1/organizations/{actor.id}").get_json()["slug"]


def test_key_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/organizations/{organization_id}/keys", "/api/v1/organizations/{organization_id}/jwks.json",
                 "/api/v1/organizations/{organization_id}/keys/{key_id}/compromise", "/issuers/{slug}/did.json"):
        assert path in paths, json.dumps(sorted(paths))
