"""Mappings between standards: creation, review, revisions, coverage by direction, equivalents."""
import pytest

from tests.factories import field_errors, problem


@pytest.fixture()
def pair(api):
    """An origin (PH) and a destination (AE) standard, published, with overlapping skill maps."""
    ph_body, ae_body = api.organization("certification_body", "PH"), api.organization("certification_body", "AE")
    authority = api.organization("recognition_authority", "AE")
    source = api.standard(ph_body, api.framework(ph_body)["id"], publish=True, code="EIM", title={"en": "Electrician"},
                          skills=[
                              {"code": "P1", "title": {"en": "Wire circuits"}, "essential": True},
                              {"code": "P2", "title": {"en": "General safety"}, "essential": True},
                              {"code": "P3", "title": {"en": "Read drawings"}, "essential": False},
                              {"code": "P4", "title": {"en": "Install solar panels"}, "essential": True,
                               "uri": "http://data.europa.eu/esco/skill/solar"},
                          ])
    target = api.standard(ae_body, api.framework(ae_body)["id"], publish=True, code="AE-ELEC",
                          title={"en": "Electrician (UAE)"}, skills=[
                              {"code": "U1", "title": {"en": "Wire circuits to UAE code"}, "essential": True},
                              {"code": "U2", "title": {"en": "Electrical safety"}, "essential": True},
                              {"code": "U3", "title": {"en": "Local wiring regulations"}, "essential": True},
                              {"code": "U4", "title": {"en": "Photovoltaic installation"}, "essential": False,
                               "uri": "http://data.europa.eu/esco/skill/solar"},
                          ])
    return {"authority": authority, "source": source, "target": target, "ph_body": ph_body}


def skill(standard, code):
    return next(s["id"] for s in standard["skills"] if s["code"] == code)


def create(api, pair, **overrides):
    source, target = pair["source"], pair["target"]
    body = {
        "source_standard_id": source["id"], "target_standard_id": target["id"], "predicate": "closeMatch",
        "confidence": 0.8, "justification": "semapv:ManualMappingCuration", "skill_mappings": [
            {"source_skill_id": skill(source, "P1"), "target_skill_id": skill(target, "U1"), "predicate": "exactMatch"},
            {"source_skill_id": skill(source, "P2"), "target_skill_id": skill(target, "U2"),
             "predicate": "skos:narrowMatch"},
        ],
    }
    body.update(overrides)
    return api.client.post("/api/v1/mappings", json=body, headers=pair["authority"].headers)


def codes(items):
    return [i["code"] for i in items]


def test_create_computes_coverage_in_both_directions(api, pair):
    response = create(api, pair)
    assert response.status_code == 201, response.get_json()
    mapping = response.get_json()
    assert mapping["status"] == "candidate" and mapping["revision"] == 1
    assert mapping["predicate"] == "skos:closeMatch" and mapping["confidence"] == 0.8
    assert mapping["source"]["version"] == 1 and mapping["target"]["country"] == "AE"
    forward = mapping["coverage"]  # what the PH electrician covers of the UAE standard
    assert codes(forward["covered"]) == ["U1", "U4"]  # exact skill mapping, and the same ESCO skill URI
    assert [c["via"] for c in forward["covered"]] == ["skill_mapping", "same_concept"]
    assert codes(forward["gaps"]) == ["U2", "U3"]  # P2 is narrower than U2: partial, still a gap
    assert forward["gaps"][0]["partial"][0]["predicate"] == "skos:narrowMatch"
    assert (forward["essential_covered"], forward["essential_total"], forward["essential_ratio"]) == (1, 3, 0.3333)
    reverse = mapping["reverse_coverage"]  # what the UAE standard covers of the PH one
    assert codes(reverse["covered"]) == ["P1", "P2", "P4"]  # U2 broader than P2 covers it
    assert codes(reverse["gaps"]) == ["P3"]
    assert reverse["essential_ratio"] == 1.0


def test_equivalents_in_both_directions_with_inverse_predicates(api, client, pair):
    mapping = create(api, pair, predicate="broadMatch").get_json()
    source, target = pair["source"], pair["target"]
    # Candidates are not equivalents until validated.
    assert client.get(f"/api/v1/standards/{source['id']}/equivalents").get_json()["total"] == 0
    assert client.get(f"/api/v1/standards/{source['id']}/equivalents?status=candidate").get_json()["total"] == 1
    reviewed = client.post(f"/api/v1/mappings/{mapping['id']}/review", json={"decision": "validated"},
                           headers=pair["authority"].headers)
    assert reviewed.status_code == 200 and reviewed.get_json()["status"] == "validated"
    assert reviewed.get_json()["reviewer"] and reviewed.get_json()["reviewed_at"]

    from_ph = client.get(f"/api/v1/standards/{source['id']}/equivalents?country=AE").get_json()
    assert from_ph["total"] == 1
    item = from_ph["items"][0]
    assert item["standard"]["id"] == target["id"] and item["direction"] == "forward"
    assert item["predicate"] == "skos:broadMatch"
    assert item["coverage"]["essential_ratio"] == 0.3333 and codes(item["coverage"]["gaps"]) == ["U2", "U3"]
    assert item["mapping"]["status"] == "validated" and item["recognised"] is False

    from_ae = client.get(f"/api/v1/standards/{target['id']}/equivalents").get_json()["items"][0]
    assert from_ae["standard"]["id"] == source["id"] and from_ae["direction"] == "inverse"
    assert from_ae["predicate"] == "skos:narrowMatch"  # a broadMatch read backwards
    assert from_ae["coverage"]["essential_ratio"] == 1.0 and codes(from_ae["coverage"]["gaps"]) == ["P3"]

    assert client.get(f"/api/v1/standards/{source['id']}/equivalents?country=PH").get_json()["total"] == 0
    framework_code = target["framework"]["code"]
    assert client.get(f"/api/v1/standards/{source['id']}/equivalents?framework={framework_code}").get_json()["total"] == 1
    problem(client.get("/api/v1/standards/00000000-0000-0000-0000-000000000000/equivalents"), 404)


def test_equivalents_match_the_documented_schema(api, client, pair):
    from schemas.mappings import EquivalentsSchema

    mapping = create(api, pair).get_json()
    client.post(f"/api/v1/mappings/{mapping['id']}/review", json={"decision": "validated"},
                headers=pair["authority"].headers)
    body = client.get(f"/api/v1/standards/{pair['source']['id']}/equivalents").get_json()
    assert EquivalentsSchema().validate(body) == {}
    assert set(body["items"][0]) == set(EquivalentsSchema._declared_fields["items"].inner.schema._declared_fields)


def test_rejected_mapping_is_no_equivalent_and_cannot_be_reviewed_twice(api, client, pair):
    mapping = create(api, pair).get_json()
    url = f"/api/v1/mappings/{mapping['id']}/review"
    assert client.post(url, json={"decision": "rejected", "comment": "too far apart"},
                       headers=pair["authority"].headers).get_json()["status"] == "rejected"
    problem(client.post(url, json={"decision": "validated"}, headers=pair["authority"].headers), 409)
    assert client.get(f"/api/v1/standards/{pair['source']['id']}/equivalents?status=all").get_json()["total"] == 0
    body = problem(client.post(url, json={"decision": "maybe"}, headers=pair["authority"].headers), 422)
    assert "decision" in field_errors(body)


def test_revision_makes_history_and_needs_a_new_review(api, client, pair):
    mapping = create(api, pair).get_json()
    client.post(f"/api/v1/mappings/{mapping['id']}/review", json={"decision": "validated"},
                headers=pair["authority"].headers)
    source, target = pair["source"], pair["target"]
    revised = client.patch(f"/api/v1/mappings/{mapping['id']}", headers=pair["authority"].headers, json={
        "predicate": "exactMatch", "skill_mappings": [
            {"source_skill_id": skill(source, "P1"), "target_skill_id": skill(target, "U1"), "predicate": "exactMatch"},
            {"source_skill_id": skill(source, "P2"), "target_skill_id": skill(target, "U2"), "predicate": "exactMatch"},
        ]})
    assert revised.status_code == 200, revised.get_json()
    body = revised.get_json()
    assert body["revision"] == 2 and body["status"] == "candidate" and body["predicate"] == "skos:exactMatch"
    assert body["confidence"] == 0.8  # unchanged fields carry over
    assert codes(body["coverage"]["covered"]) == ["U1", "U2", "U4"]
    assert [(r["revision"], r["status"]) for r in body["revisions"]] == [(1, "deprecated"), (2, "candidate")]
    old = client.get(f"/api/v1/mappings/{mapping['id']}?revision=1").get_json()
    assert old["predicate"] == "skos:closeMatch" and old["status"] == "deprecated"
    assert codes(old["coverage"]["covered"]) == ["U1", "U4"]
    # The deprecated revision no longer backs an equivalent; the new one is not reviewed yet.
    assert client.get(f"/api/v1/standards/{source['id']}/equivalents").get_json()["total"] == 0
    problem(client.get(f"/api/v1/mappings/{mapping['id']}?revision=7"), 404)


def test_bad_mapping_input_names_each_field_and_writes_nothing(api, client, pair):
    source, target = pair["source"], pair["target"]
    body = problem(client.post("/api/v1/mappings", headers=pair["authority"].headers, json={
        "source_standard_id": "nope", "predicate": "sameAs", "confidence": 1.5, "predicate_modifier": "No",
        "justification": "manual"}), 422)
    assert {"source_standard_id", "target_standard_id", "predicate", "confidence", "predicate_modifier",
            "justification"} <= set(field_errors(body))
    body = problem(create(api, pair, skill_mappings=[
        {"source_skill_id": skill(target, "U1"), "target_skill_id": skill(source, "P1"), "predicate": "exactMatch"}]),
        422)
    assert {"skill_mappings.0.source_skill_id", "skill_mappings.0.target_skill_id"} <= set(field_errors(body))
    body = problem(create(api, pair, target_standard_id=source["id"]), 422)
    assert "target_standard_id" in field_errors(body)
    draft = api.standard(pair["ph_body"], source["framework"]["id"])
    body = problem(create(api, pair, target_standard_id=draft["id"]), 422)
    assert "target_standard_id" in field_errors(body)
    assert client.get("/api/v1/mappings").get_json()["total"] == 0
    assert create(api, pair).status_code == 201
    problem(create(api, pair), 409)  # one mapping per pair and author: revise it instead
    assert client.get("/api/v1/mappings").get_json()["total"] == 1


def test_only_recognition_authorities_map_and_review(api, client, pair):
    employer = api.organization("employer", "AE")
    body_headers = pair["ph_body"].headers
    base = {"source_standard_id": pair["source"]["id"], "target_standard_id": pair["target"]["id"],
            "predicate": "closeMatch"}
    problem(client.post("/api/v1/mappings", json=base), 401)
    problem(client.post("/api/v1/mappings", json=base, headers=body_headers), 403)
    problem(client.post("/api/v1/mappings", json=base, headers=employer.headers), 403)
    problem(client.post("/api/v1/mappings", json=base, headers=api.admin_headers()), 403)
    mapping = create(api, pair).get_json()
    problem(client.post(f"/api/v1/mappings/{mapping['id']}/review", json={"decision": "validated"},
                        headers=body_headers), 403)
    other_authority = api.organization("recognition_authority", "PH")
    problem(client.patch(f"/api/v1/mappings/{mapping['id']}", json={"confidence": 0.1},
                         headers=other_authority.headers), 403)
    reviewed = client.post(f"/api/v1/mappings/{mapping['id']}/review", json={"decision": "validated"},
                           headers=other_authority.headers)  # another authority may review
    assert reviewed.status_code == 200 and reviewed.get_json()["reviewer_organization_id"] == other_authority.id
    listed = client.get(f"/api/v1/mappings?standard_id={pair['target']['id']}&status=validated").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == mapping["id"]
