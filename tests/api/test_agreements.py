"""Mutual recognition agreements: parties, the pinned content and its hash, JWS signatures, status, roles."""
import hashlib
import json
from urllib.parse import urlsplit

import pytest
import rfc8785
from jwcrypto import jwk, jws

from tests.api.test_mapping_sets import make_frameworks, map_standards
from tests.conftest import TEST_BASE_URL
from tests.factories import field_errors, problem


@pytest.fixture()
def world(api):
    data = make_frameworks(api)
    ae = api.organization("recognition_authority", "AE", name="UAE Ministry of Human Resources")
    ph = api.organization("recognition_authority", "PH", name="Philippine TESDA")
    mapping = map_standards(api, ae, data["electrician"], data["ae_electrician"])
    response = api.client.post("/api/v1/mapping-sets", json={
        "title": "PH to UAE electrical trades", "source_framework_id": data["ph"]["id"],
        "target_framework_id": data["ae"]["id"], "mapping_ids": [mapping["id"]]}, headers=ae.headers)
    assert response.status_code == 201, response.get_json()
    return {**data, "ae_authority": ae, "ph_authority": ph, "set": response.get_json()}


def body(world, **overrides):
    data = {"title": "PH-UAE mutual recognition of electrical trades",
            "parties": [world["ae_authority"].id, world["ph_authority"].id],
            "mapping_set_id": world["set"]["id"], "direction": "one_way",
            "conditions_text": "Gap skills are assessed by an accredited UAE body.",
            "conditions": [{"type": "gap_skills_must_be_assessed"}, {"type": "language_requirement", "level": "B1"}],
            "valid_from": "2025-01-01T00:00:00Z", "valid_until": "2099-01-01T00:00:00Z"}
    data.update(overrides)
    return data


def create(api, world, actor=None, **overrides):
    return api.client.post("/api/v1/agreements", json=body(world, **overrides),
                           headers=(actor or world["ae_authority"]).headers)


def created(api, world, **overrides):
    response = create(api, world, **overrides)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def sign(api, agreement_id, actor):
    return api.client.post(f"/api/v1/agreements/{agreement_id}/signatures", headers=actor.headers)


def did_of(api, actor):
    slug = api.client.get(f"/api/v1/organizations/{actor.id}").get_json()["slug"]
    return f"did:web:{urlsplit(TEST_BASE_URL).hostname}:issuers:{slug}"


def verify_with_jwks(client, token, organization_id):
    """The payload of `token`, checked with jwcrypto against the organisation's public JWKS only."""
    keys = client.get(f"/api/v1/organizations/{organization_id}/jwks.json").get_json()
    key_set = jwk.JWKSet.from_json(json.dumps(keys))
    parsed = jws.JWS()
    parsed.deserialize(token)
    header = parsed.jose_header
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    key = key_set.get_key(header["kid"])
    assert key is not None, "the kid is not in the published JWKS"
    parsed.verify(key, alg="EdDSA")
    return header, json.loads(parsed.payload)


# ---------------------------------------------------------------- the flow to active

def test_full_flow_to_active_with_signatures_verified_from_the_jwks(api, client, world):
    agreement = created(api, world)
    assert agreement["status"] == "draft" and agreement["signatures"] == []
    assert agreement["content_hash"] == hashlib.sha256(rfc8785.dumps(agreement["content"])).hexdigest()
    ae, ph = world["ae_authority"], world["ph_authority"]
    assert agreement["content"] == {
        "agreement_id": agreement["id"], "version": 1, "supersedes": None,
        "title": "PH-UAE mutual recognition of electrical trades",
        "parties": [{"organization_id": ae.id, "name": "UAE Ministry of Human Resources", "country": "AE",
                     "did": did_of(api, ae)},
                    {"organization_id": ph.id, "name": "Philippine TESDA", "country": "PH", "did": did_of(api, ph)}],
        "mapping_set": {"id": world["set"]["id"], "version": 1, "content_hash": world["set"]["content_hash"]},
        "direction": "one_way",
        "conditions": {"text": "Gap skills are assessed by an accredited UAE body.",
                       "rules": [{"type": "gap_skills_must_be_assessed"}, {"type": "language_requirement",
                                                                           "level": "B1"}]},
        "valid_from": "2025-01-01T00:00:00Z", "valid_until": "2099-01-01T00:00:00Z",
    }

    first = sign(api, agreement["id"], ae)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["status"] == "awaiting_signatures"
    assert client.get(f"/api/v1/agreements/{agreement['id']}").get_json()["status"] == "awaiting_signatures"
    second = sign(api, agreement["id"], ph)
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["status"] == "active"

    read = client.get(f"/api/v1/agreements/{agreement['id']}").get_json()
    assert read["status"] == "active"
    assert read["content_hash"] == agreement["content_hash"] and read["content"] == agreement["content"]
    assert [p["signed"] for p in read["parties"]] == [True, True]
    by_signer = {s["signer_organization_id"]: s for s in read["signatures"]}
    assert set(by_signer) == {ae.id, ph.id}
    assert by_signer[ae.id]["jws"] == first.get_json()["jws"]
    for actor in (ae, ph):
        signature = by_signer[actor.id]
        header, payload = verify_with_jwks(client, signature["jws"], actor.id)
        assert header["kid"] == signature["kid"] and header["kid"].startswith(did_of(api, actor) + "#")
        assert payload["iss"] == did_of(api, actor)
        assert payload["agreement_id"] == agreement["id"] and payload["version"] == 1
        assert payload["content_hash"] == read["content_hash"] == signature["content_hash"]
        assert isinstance(payload["iat"], int) and payload["signed_at"].endswith("Z")
        # The key is also the one the party's DID document publishes.
        slug = did_of(api, actor).rsplit(":", 1)[-1]
        document = client.get(f"/issuers/{slug}/did.json").get_json()
        assert header["kid"] in {m["id"] for m in document["verificationMethod"]}


def test_a_changed_byte_in_the_jws_fails_verification(api, client, world):
    agreement = created(api, world)
    token = sign(api, agreement["id"], world["ph_authority"]).get_json()["jws"]
    verify_with_jwks(client, token, world["ph_authority"].id)
    header, payload, signature = token.split(".")
    tampered_payload = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    tampered_signature = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    for bad in (f"{header}.{tampered_payload}.{signature}", f"{header}.{payload}.{tampered_signature}"):
        with pytest.raises(jws.InvalidJWSSignature):
            verify_with_jwks(client, bad, world["ph_authority"].id)
    # Nor does another party's key (the kid is not in its JWKS).
    with pytest.raises(AssertionError, match="not in the published JWKS"):
        verify_with_jwks(client, token, world["ae_authority"].id)


def test_a_party_signs_once(api, world):
    agreement = created(api, world)
    assert sign(api, agreement["id"], world["ae_authority"]).status_code == 201
    problem(sign(api, agreement["id"], world["ae_authority"]), 409)
    assert len(api.client.get(f"/api/v1/agreements/{agreement['id']}").get_json()["signatures"]) == 1


def test_all_signed_before_valid_from_is_pending(api, world):
    agreement = created(api, world, valid_from="2098-01-01T00:00:00Z")
    for actor in (world["ae_authority"], world["ph_authority"]):
        assert sign(api, agreement["id"], actor).status_code == 201
    assert api.client.get(f"/api/v1/agreements/{agreement['id']}").get_json()["status"] == "pending"


def test_after_valid_until_it_is_expired_and_cannot_be_signed(api, world):
    agreement = created(api, world, valid_from="2020-01-01T00:00:00Z", valid_until="2021-01-01T00:00:00Z")
    assert agreement["status"] == "expired"
    problem(sign(api, agreement["id"], world["ae_authority"]), 409)


def test_a_party_terminates(api, client, world):
    agreement = created(api, world)
    for actor in (world["ae_authority"], world["ph_authority"]):
        sign(api, agreement["id"], actor)
    response = client.post(f"/api/v1/agreements/{agreement['id']}/terminate", json={"reason": "superseded"},
                           headers=world["ph_authority"].headers)
    assert response.status_code == 200, response.get_json()
    read = response.get_json()
    assert read["status"] == "terminated" and read["termination_reason"] == "superseded"
    assert read["terminated_by_id"] == world["ph_authority"].id
    assert client.get(f"/api/v1/agreements/{agreement['id']}").get_json()["status"] == "terminated"
    problem(client.post(f"/api/v1/agreements/{agreement['id']}/terminate", json={},
                        headers=world["ae_authority"].headers), 409)


def test_terminated_draft_cannot_be_signed_or_changed(api, client, world):
    agreement = created(api, world)
    client.post(f"/api/v1/agreements/{agreement['id']}/terminate", json={}, headers=world["ae_authority"].headers)
    problem(sign(api, agreement["id"], world["ph_authority"]), 409)
    problem(client.patch(f"/api/v1/agreements/{agreement['id']}", json={"title": "X"},
                         headers=world["ae_authority"].headers), 409)


# ---------------------------------------------------------------- changing content

def test_changes_before_signing_recompute_the_hash(api, client, world):
    agreement = created(api, world)
    response = client.patch(f"/api/v1/agreements/{agreement['id']}",
                            json={"direction": "both", "conditions": [{"type": "gap_skills_must_be_assessed"}]},
                            headers=world["ph_authority"].headers)
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert changed["content"]["direction"] == "both"
    assert changed["content"]["conditions"]["rules"] == [{"type": "gap_skills_must_be_assessed"}]
    assert changed["content_hash"] != agreement["content_hash"]
    assert changed["content_hash"] == hashlib.sha256(rfc8785.dumps(changed["content"])).hexdigest()
    problem(client.patch(f"/api/v1/agreements/{agreement['id']}", json={"valid_until": "2024-01-01T00:00:00Z"},
                         headers=world["ph_authority"].headers), 422)


def test_changing_a_signed_agreement_is_refused(api, client, world):
    agreement = created(api, world)
    sign(api, agreement["id"], world["ae_authority"])
    for actor in (world["ae_authority"], world["ph_authority"]):
        problem(client.patch(f"/api/v1/agreements/{agreement['id']}", json={"title": "Changed after signing"},
                             headers=actor.headers), 409)
    read = client.get(f"/api/v1/agreements/{agreement['id']}").get_json()
    assert read["title"] == agreement["title"] and read["content_hash"] == agreement["content_hash"]


def new_version(client, agreement_id, actor, **changes):
    return client.post(f"/api/v1/agreements/{agreement_id}/versions", json=changes, headers=actor.headers)


def test_a_signed_agreement_changes_by_a_new_version(api, client, world):
    ae, ph = world["ae_authority"], world["ph_authority"]
    v1 = created(api, world)
    for actor in (ae, ph):
        sign(api, v1["id"], actor)
    response = new_version(client, v1["id"], ph, valid_until="2090-01-01T00:00:00Z")
    assert response.status_code == 201, response.get_json()
    v2 = response.get_json()
    assert v2["id"] != v1["id"] and v2["series_id"] == v1["id"] == v1["series_id"]
    assert v2["version"] == 2 and v2["supersedes_id"] == v1["id"] and v2["status"] == "draft"
    assert v2["content"]["supersedes"] == {"agreement_id": v1["id"], "version": 1, "content_hash": v1["content_hash"]}
    assert v2["content"]["valid_until"] == "2090-01-01T00:00:00Z"
    assert v2["content"]["conditions"] == v1["content"]["conditions"]
    assert v2["content_hash"] == hashlib.sha256(rfc8785.dumps(v2["content"])).hexdigest()
    # The signed version is untouched and points at its successor.
    old = client.get(f"/api/v1/agreements/{v1['id']}").get_json()
    assert old["status"] == "active" and old["content_hash"] == v1["content_hash"]
    assert old["superseded_by_id"] == v2["id"]
    # Only the latest version gets a new one, and a new version must change something.
    problem(new_version(client, v1["id"], ae, title="Again"), 409)
    sign(api, v2["id"], ae)
    problem(new_version(client, v2["id"], ae, valid_until="2090-01-01T00:00:00Z"), 409)
    # v2 is signed afresh, with signatures over its own hash.
    signed = sign(api, v2["id"], ph).get_json()
    assert signed["status"] == "active" and signed["content_hash"] == v2["content_hash"]
    _header, payload = verify_with_jwks(client, signed["jws"], ph.id)
    assert payload["agreement_id"] == v2["id"] and payload["version"] == 2


def test_an_unsigned_agreement_gets_no_new_version(api, client, world):
    agreement = created(api, world)
    problem(new_version(client, agreement["id"], world["ae_authority"], title="X"), 409)
    outsider = api.organization("recognition_authority", "SA")
    problem(new_version(client, agreement["id"], outsider, title="X"), 403)


# ---------------------------------------------------------------- roles

def test_roles(api, client, world):
    problem(create(api, world, actor=world["ph_body"]), 403)
    problem(client.post("/api/v1/agreements", json=body(world)), 401)
    agreement = created(api, world)
    outsider = api.organization("recognition_authority", "SA")
    problem(sign(api, agreement["id"], outsider), 403)
    problem(sign(api, agreement["id"], world["ph_body"]), 403)
    problem(client.post(f"/api/v1/agreements/{agreement['id']}/signatures"), 401)
    problem(client.patch(f"/api/v1/agreements/{agreement['id']}", json={"title": "X"}, headers=outsider.headers), 403)
    problem(client.post(f"/api/v1/agreements/{agreement['id']}/terminate", json={}, headers=outsider.headers), 403)
    # Reads are public.
    assert client.get(f"/api/v1/agreements/{agreement['id']}").status_code == 200


# ---------------------------------------------------------------- bad input

def test_missing_fields_are_named(api, client, world):
    body_ = problem(client.post("/api/v1/agreements", json={}, headers=world["ae_authority"].headers), 422)
    assert {"title", "parties", "mapping_set_id", "direction", "valid_from", "valid_until"} <= set(field_errors(body_))


@pytest.mark.parametrize("overrides, field", [
    ({"direction": "sideways"}, "direction"),
    ({"valid_until": "2024-01-01T00:00:00Z"}, "valid_until"),
    ({"mapping_set_id": "00000000-0000-0000-0000-000000000000"}, "mapping_set_id"),
    ({"mapping_set_version": 9}, "mapping_set_version"),
    ({"conditions": [{"level": "B1"}]}, "conditions.0.type"),
])
def test_bad_fields_are_named(api, world, overrides, field):
    errors = field_errors(problem(create(api, world, **overrides), 422))
    assert field in errors, errors


def test_bad_parties_are_named(api, world):
    ae, ph = world["ae_authority"], world["ph_authority"]
    other_ph = api.organization("recognition_authority", "PH")
    saudi = api.organization("recognition_authority", "SA")
    cases = [
        ([ae.id], "parties"),                                   # one party only
        ([ae.id, ae.id], "parties.1"),                          # the same twice
        ([ae.id, world["ph_body"].id], "parties.1"),            # not a recognition authority
        ([ae.id, ph.id, other_ph.id], "parties.2"),             # two of one country
        ([ae.id, "00000000-0000-0000-0000-000000000000"], "parties.1"),
        ([ph.id, saudi.id], "parties"),                         # the creator (ae) is not a party
    ]
    for parties, field in cases:
        errors = field_errors(problem(create(api, world, parties=parties), 422))
        assert field in errors, (parties, errors)


def test_unknown_agreement_is_404(client):
    problem(client.get("/api/v1/agreements/00000000-0000-0000-0000-000000000000"), 404)


# ---------------------------------------------------------------- listing

def test_list_is_paginated_and_filters_by_party(api, client, world):
    first, second = created(api, world), created(api, world, title="Second")
    page = client.get("/api/v1/agreements?per_page=1").get_json()
    assert page["total"] == 2 and page["per_page"] == 1 and [a["id"] for a in page["items"]] == [first["id"]]
    page = client.get("/api/v1/agreements?per_page=1&page=2").get_json()
    assert [a["id"] for a in page["items"]] == [second["id"]] and page["items"][0]["status"] == "draft"
    outsider = api.organization("recognition_authority", "SA")
    assert client.get(f"/api/v1/agreements?party_id={outsider.id}").get_json()["total"] == 0
    assert client.get(f"/api/v1/agreements?party_id={world['ph_authority'].id}").get_json()["total"] == 2


# ---------------------------------------------------------------- recognised equivalents

def _equivalent(client, standard_id):
    items = client.get(f"/api/v1/standards/{standard_id}/equivalents").get_json()["items"]
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize("direction", ["one_way", "both"])
def test_an_active_agreement_marks_its_equivalents_recognised(api, client, world, direction):
    source, target = world["electrician"]["id"], world["ae_electrician"]["id"]
    assert _equivalent(client, source)["recognised"] is False
    agreement = created(api, world, direction=direction)
    sign(api, agreement["id"], world["ae_authority"])
    assert _equivalent(client, source)["recognised"] is False  # awaiting a signature: not yet
    sign(api, agreement["id"], world["ph_authority"])
    forward = _equivalent(client, source)
    assert forward["recognised"] is True
    assert [(a["id"], a["content_hash"]) for a in forward["agreements"]] == [(agreement["id"], agreement["content_hash"])]
    # Read from the destination standard's side, a one-way agreement recognises nothing.
    assert _equivalent(client, target)["recognised"] is (direction == "both")
    client.post(f"/api/v1/agreements/{agreement['id']}/terminate", json={"reason": "ended"},
                headers=world["ph_authority"].headers)
    assert _equivalent(client, source)["recognised"] is False
