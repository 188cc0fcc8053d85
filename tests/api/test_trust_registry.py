"""Accreditations and the trust registry: who may accredit, validation, revocation, filters, accreditation_for."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from app.services.accreditations import accreditation_for
from tests.factories import field_errors, problem

ACCREDITATIONS = "/api/v1/accreditations"
REGISTRY = "/api/v1/trust-registry"


@pytest.fixture()
def world(api):
    body = api.organization("certification_body", "PH")
    framework = api.framework(body)
    return {
        "body": body,
        "authority": api.organization("recognition_authority", "PH"),
        "framework": framework,
        "standard": api.standard(body, framework["id"], publish=True),
    }


NOW = datetime.now(timezone.utc).replace(microsecond=0)
VALID_FROM, VALID_UNTIL = NOW - timedelta(days=30), NOW + timedelta(days=365)


def accreditation(w, **overrides):
    body = {"certification_body_id": w["body"].id, "framework_id": w["framework"]["id"],
            "valid_from": VALID_FROM.isoformat(), "valid_until": VALID_UNTIL.isoformat()}
    body.update(overrides)
    return body


def accredit(client, w, authority=None, **overrides):
    response = client.post(ACCREDITATIONS, json=accreditation(w, **overrides),
                           headers=(authority or w["authority"]).headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def at(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_recognition_authority_accredits_a_body_of_its_country(api, client, world):
    created = accredit(client, world, standard_ids=[world["standard"]["id"]])
    assert created["certification_body_id"] == world["body"].id
    assert created["accredited_by_id"] == world["authority"].id
    assert created["framework_id"] == world["framework"]["id"]
    assert created["standard_ids"] == [world["standard"]["id"]] and created["whole_framework"] is False
    assert at(created["valid_from"]) == VALID_FROM and at(created["valid_until"]) == VALID_UNTIL
    assert created["revoked_at"] is None and created["status"] == "active"
    assert created["certification_body"]["did"].startswith("did:web:registry.test:issuers:")
    assert created["accredited_by"]["country"] == "PH" and created["framework"]["code"] == world["framework"]["code"]
    assert client.get(f"{ACCREDITATIONS}/{created['id']}").get_json() == created  # public read
    problem(client.get(f"{ACCREDITATIONS}/{uuid.uuid4()}"), 404)


def test_who_may_accredit(api, client, world):
    foreign = api.organization("recognition_authority", "AE")
    # Another country's authority has no jurisdiction over this body: 403, like any permission.
    body = problem(client.post(ACCREDITATIONS, json=accreditation(world), headers=foreign.headers), 403)
    assert "PH" in body["detail"] and "AE" in body["detail"]
    for kind in ("employer", "certification_body", "reintegration_office"):
        headers = api.organization(kind, "PH").headers
        problem(client.post(ACCREDITATIONS, json=accreditation(world), headers=headers), 403)
    problem(client.post(ACCREDITATIONS, json=accreditation(world), headers=api.admin_headers()), 403)
    problem(client.post(ACCREDITATIONS, json=accreditation(world)), 401)
    problem(client.post(ACCREDITATIONS, json={}), 401)  # the token is checked before the body
    assert client.get(f"{REGISTRY}?status=all").get_json()["total"] == 0


def test_a_framework_of_another_country_may_be_accredited(api, client, world):
    destination_authority = api.organization("recognition_authority", "AE")
    destination_framework = api.framework(destination_authority, country="AE")
    created = accredit(client, world, framework_id=destination_framework["id"])
    assert created["framework"]["country"] == "AE" and created["certification_body"]["country"] == "PH"


def test_validation_errors_name_each_field(api, client, world):
    headers = world["authority"].headers
    body = problem(client.post(ACCREDITATIONS, json={}, headers=headers), 422)
    assert set(field_errors(body)) == {"certification_body_id", "framework_id", "valid_from", "valid_until"}
    day_before = (VALID_FROM - timedelta(days=1)).isoformat()
    body = problem(client.post(ACCREDITATIONS, json=accreditation(world, valid_until=day_before), headers=headers), 422)
    assert set(field_errors(body)) == {"valid_until"}
    body = problem(client.post(ACCREDITATIONS, json=accreditation(world, valid_until=VALID_FROM.isoformat()),
                               headers=headers), 422)
    assert set(field_errors(body)) == {"valid_until"}
    body = problem(client.post(ACCREDITATIONS, json=accreditation(world, valid_from="soon", standard_ids=[]),
                               headers=headers), 422)
    assert set(field_errors(body)) == {"valid_from", "standard_ids"}


def test_referenced_records_must_exist_and_fit(api, client, world):
    headers = world["authority"].headers
    body = problem(client.post(ACCREDITATIONS, json=accreditation(world, framework_id=str(uuid.uuid4())),
                               headers=headers), 422)
    assert set(field_errors(body)) == {"framework_id"}
    for wrong in (str(uuid.uuid4()), api.organization("employer", "PH").id):
        body = problem(client.post(ACCREDITATIONS, json=accreditation(world, certification_body_id=wrong),
                                   headers=headers), 422)
        assert set(field_errors(body)) == {"certification_body_id"}
    other_framework = api.framework(world["body"])
    elsewhere = api.standard(world["body"], other_framework["id"], publish=True)["id"]
    draft = api.standard(world["body"], world["framework"]["id"])["id"]
    body = problem(client.post(ACCREDITATIONS, json=accreditation(
        world, standard_ids=[world["standard"]["id"], elsewhere, draft]), headers=headers), 422)
    messages = field_errors(body)["standard_ids"]
    assert len(messages) == 2 and elsewhere in messages[0] and draft in messages[1]


def test_revocation_by_the_accrediting_authority_only(api, client, world):
    created = accredit(client, world, valid_from="2020-01-01T00:00:00Z", valid_until="2100-01-01T00:00:00Z")
    url = f"{ACCREDITATIONS}/{created['id']}/revoke"
    peer = api.organization("recognition_authority", "PH")
    problem(client.post(url, json={"reason": "not mine"}, headers=peer.headers), 403)
    problem(client.post(url, json={"reason": "no"}, headers=world["body"].headers), 403)
    problem(client.post(url, json={"reason": "no"}), 401)
    for blank in ({}, {"reason": "   "}):
        assert "reason" in field_errors(problem(client.post(url, json=blank, headers=world["authority"].headers), 422))
    response = client.post(url, json={"reason": "assessors unqualified"}, headers=world["authority"].headers)
    assert response.status_code == 200
    revoked = response.get_json()
    assert revoked["status"] == "revoked" and revoked["revocation_reason"] == "assessors unqualified"
    assert revoked["revoked_at"] is not None
    problem(client.post(url, json={"reason": "again"}, headers=world["authority"].headers), 409)
    problem(client.post(f"{ACCREDITATIONS}/{uuid.uuid4()}/revoke", json={"reason": "x"},
                        headers=world["authority"].headers), 404)


def test_trust_registry_filters_and_pagination(api, client, world):
    other_body = api.organization("certification_body", "PH")
    ae_body = api.organization("certification_body", "AE")
    ae_authority = api.organization("recognition_authority", "AE")
    ae_framework = api.framework(ae_body, country="AE")
    now = datetime.now(timezone.utc)
    iso = lambda d: d.isoformat()  # noqa: E731
    active = accredit(client, world, valid_from=iso(now - timedelta(days=10)),
                      valid_until=iso(now + timedelta(days=10)))
    expired = accredit(client, world, valid_from="2020-01-01T00:00:00Z", valid_until="2021-01-01T00:00:00Z")
    pending = accredit(client, world, certification_body_id=other_body.id,
                       valid_from=iso(now + timedelta(days=30)), valid_until=iso(now + timedelta(days=60)))
    revoked = accredit(client, world, certification_body_id=other_body.id,
                       valid_from="2020-01-01T00:00:00Z", valid_until="2100-01-01T00:00:00Z")
    client.post(f"{ACCREDITATIONS}/{revoked['id']}/revoke", json={"reason": "fraud"},
                headers=world["authority"].headers)
    foreign = accredit(client, {**world, "body": ae_body, "framework": ae_framework}, authority=ae_authority,
                       valid_from="2020-01-01T00:00:00Z", valid_until="2100-01-01T00:00:00Z")

    def ids(query=""):
        body = client.get(f"{REGISTRY}?{query}").get_json()
        return [item["id"] for item in body["items"]], body

    assert ids()[0] == [active["id"], foreign["id"]]  # default: active now
    assert ids("status=active")[0] == [active["id"], foreign["id"]]
    assert ids("status=expired")[0] == [expired["id"]]
    assert ids("status=pending")[0] == [pending["id"]]
    assert ids("status=revoked")[0] == [revoked["id"]]
    assert len(ids("status=all")[0]) == 5
    assert ids(f"status=all&certification_body_id={other_body.id}")[0] == [pending["id"], revoked["id"]]
    assert ids(f"status=all&framework_id={ae_framework['id']}")[0] == [foreign["id"]]
    assert ids("status=all&country=AE")[0] == [foreign["id"]]
    assert len(ids("status=all&country=PH")[0]) == 4
    # Statuses are judged at `at`: in mid-2020 the revoked one was active and the expired one too.
    items, body = ids("status=active&at=2020-06-01T00:00:00Z")
    assert set(items) == {expired["id"], revoked["id"], foreign["id"]}
    assert {i["status"] for i in body["items"]} == {"active"}
    _, body = ids("status=all&per_page=2&page=3")
    assert body["total"] == 5 and len(body["items"]) == 1 and body["page"] == 3
    for bad in ("status=gone", "at=tomorrow", "country=XX", "certification_body_id=nope"):
        problem(client.get(f"{REGISTRY}?{bad}"), 422)


def test_accreditation_for_at_different_times(api, client, world, session):
    body_id, standard_id = uuid.UUID(world["body"].id), uuid.UUID(world["standard"]["id"])
    listed = accredit(client, world, standard_ids=[world["standard"]["id"]],
                      valid_from="2024-01-01T00:00:00Z", valid_until="2100-01-01T00:00:00Z")
    before, during = datetime(2023, 6, 1, tzinfo=timezone.utc), datetime(2025, 6, 1, tzinfo=timezone.utc)
    after = datetime(2100, 1, 1, tzinfo=timezone.utc)  # valid_until itself is outside (half-open period)
    assert accreditation_for(session, body_id, standard_id, before) is None
    assert accreditation_for(session, body_id, standard_id, during).id == uuid.UUID(listed["id"])
    assert accreditation_for(session, body_id, standard_id, after) is None
    # A standard not listed, another body, another framework's standard: not accredited.
    unlisted = uuid.UUID(api.standard(world["body"], world["framework"]["id"], publish=True)["id"])
    assert accreditation_for(session, body_id, unlisted, during) is None
    assert accreditation_for(session, uuid.uuid4(), standard_id, during) is None
    assert accreditation_for(session, body_id, uuid.uuid4(), during) is None
    # Revocation applies from the moment it is made: earlier issuance stays backed.
    response = client.post(f"{ACCREDITATIONS}/{listed['id']}/revoke", json={"reason": "lapsed"},
                           headers=world["authority"].headers)
    revoked_at = at(response.get_json()["revoked_at"])
    session.expire_all()
    assert accreditation_for(session, body_id, standard_id, during).id == uuid.UUID(listed["id"])
    assert accreditation_for(session, body_id, standard_id, revoked_at - timedelta(seconds=1)) is not None
    assert accreditation_for(session, body_id, standard_id, revoked_at) is None
    assert accreditation_for(session, body_id, standard_id, revoked_at + timedelta(days=1)) is None
    with pytest.raises(ValueError):
        accreditation_for(session, body_id, standard_id, datetime(2025, 6, 1))


def test_a_framework_wide_accreditation_covers_standards_added_later(api, client, world, session):
    whole = accredit(client, world, valid_from="2024-01-01T00:00:00Z", valid_until="2100-01-01T00:00:00Z")
    assert whole["whole_framework"] is True and whole["standard_ids"] == []
    later = uuid.UUID(api.standard(world["body"], world["framework"]["id"], publish=True)["id"])
    found = accreditation_for(session, uuid.UUID(world["body"].id), later, datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert found is not None and found.id == uuid.UUID(whole["id"])
