"""Who may write what: every write operation against anonymous, the admin and each organisation kind.

The resources acted on belong to a certification body ("owner"); the recognition authority is a
second publisher that does not own them. The table fails the suite when a write operation in the
OpenAPI document has no row.
"""
import itertools
import uuid

import pytest

ROLES = ("anonymous", "admin", "owner", "recognition_authority", "employer", "reintegration_office")
_ids = itertools.count(1)


def _by_role(anonymous, admin, owner, recognition_authority, employer, reintegration_office):
    return dict(zip(ROLES, (anonymous, admin, owner, recognition_authority, employer, reintegration_office)))


def _new_framework(api, world):
    return {"code": f"M{next(_ids)}", "title": "Matrix framework", "country": "PH", "version": "1"}


def _new_standard(api, world):
    return {"code": f"S{next(_ids)}", "title": {"en": "Matrix standard"}}


def _draft(api, world):
    return api.standard(world["owner"], world["framework"]["id"])["id"]


def _published(api, world):
    return api.standard(world["owner"], world["framework"]["id"], publish=True)["id"]


def _case_package(api, world):
    document_id, item_id = str(uuid.uuid4()), str(uuid.uuid4())
    moment = "2025-01-01T00:00:00+00:00"
    return {"CFDocument": {"identifier": document_id, "uri": f"https://case.example.org/CFDocuments/{document_id}",
                           "creator": "Matrix", "title": "Matrix CASE framework", "lastChangeDateTime": moment},
            "CFItems": [{"identifier": item_id, "fullStatement": "Matrix occupation", "CFItemType": "Occupation",
                         "uri": f"https://case.example.org/CFItems/{item_id}", "lastChangeDateTime": moment}]}


def _mapping_body(api, world):
    return {"source_standard_id": _published(api, world), "target_standard_id": _published(api, world),
            "predicate": "closeMatch"}


def _candidate_mapping(api, world):
    response = api.client.post("/api/v1/mappings", json=_mapping_body(api, world),
                               headers=world["recognition_authority"].headers)
    return response.get_json()["id"]


def _new_key(api, world):
    response = api.client.post(f"/api/v1/organizations/{world['owner'].id}/keys", headers=api.admin_headers())
    return response.get_json()["id"]


def _accreditation_body(api, world):
    return {"certification_body_id": world["owner"].id, "framework_id": world["framework"]["id"],
            "valid_from": "2025-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"}


def _accreditation(api, world):
    response = api.client.post("/api/v1/accreditations", json=_accreditation_body(api, world),
                               headers=world["recognition_authority"].headers)
    return response.get_json()["id"]


def _validated_mapping(api, world):
    mapping_id = _candidate_mapping(api, world)
    api.client.post(f"/api/v1/mappings/{mapping_id}/review", json={"decision": "validated"},
                    headers=world["recognition_authority"].headers)
    return mapping_id


def _mapping_set_body(api, world):
    framework_id = world["framework"]["id"]  # both standards are in the owner's framework
    return {"title": f"Set {next(_ids)}", "source_framework_id": framework_id, "target_framework_id": framework_id,
            "mapping_ids": [_validated_mapping(api, world)]}


def _mapping_set(api, world):
    response = api.client.post("/api/v1/mapping-sets", json=_mapping_set_body(api, world),
                               headers=world["recognition_authority"].headers)
    return response.get_json()["id"]


def _sssom_file(api, world):
    """A minimal SSSOM/TSV file (sent as text/tab-separated-values) mapping two new published standards."""
    base = api.app.config["PUBLIC_BASE_URL"]
    return (f"#curie_map:\n#  srrstd: {base}/api/v1/standards/\n#mapping_set_id: {base}/matrix\n"
            "#license: https://creativecommons.org/licenses/by/4.0/\n"
            "subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
            f"srrstd:{_published(api, world)}\tskos:closeMatch\tsrrstd:{_published(api, world)}\t"
            "semapv:ManualMappingCuration\n")


def _agreement_body(api, world):
    """A party from another country joins the world's (PH) recognition authority, which creates it."""
    partner = api.organization("recognition_authority", "AE")
    return {"title": f"Agreement {next(_ids)}", "parties": [world["recognition_authority"].id, partner.id],
            "mapping_set_id": _mapping_set(api, world), "direction": "both",
            "valid_from": "2025-01-01T00:00:00Z", "valid_until": "2099-01-01T00:00:00Z"}


def _agreement(api, world):
    response = api.client.post("/api/v1/agreements", json=_agreement_body(api, world),
                               headers=world["recognition_authority"].headers)
    return response.get_json()["id"]


def _signed_agreement(api, world):
    agreement_id = _agreement(api, world)
    api.client.post(f"/api/v1/agreements/{agreement_id}/signatures", headers=world["recognition_authority"].headers)
    return agreement_id


def _extra_client(api, world):
    response = api.client.post(f"/api/v1/organizations/{world['owner'].id}/clients", json={},
                               headers=api.admin_headers())
    return response.get_json()["client_id"]


# (method, OpenAPI path) -> (how to build the URL and body for one attempt, expected status per role)
MATRIX = {
    ("post", "/api/v1/organizations"): (
        lambda api, w: ("/api/v1/organizations", {"name": f"Org {next(_ids)}", "country": "AE", "kind": "employer"}),
        _by_role(401, 201, 403, 403, 403, 403)),
    ("post", "/api/v1/organizations/{organization_id}/clients"): (
        lambda api, w: (f"/api/v1/organizations/{w['owner'].id}/clients", {}),
        _by_role(401, 201, 201, 403, 403, 403)),
    ("delete", "/api/v1/organizations/{organization_id}/clients/{client_id}"): (
        lambda api, w: (f"/api/v1/organizations/{w['owner'].id}/clients/{_extra_client(api, w)}", None),
        _by_role(401, 200, 200, 403, 403, 403)),
    ("post", "/api/v1/frameworks"): (
        lambda api, w: ("/api/v1/frameworks", _new_framework(api, w)),
        _by_role(401, 403, 201, 201, 403, 403)),
    ("post", "/api/v1/frameworks/import"): (
        lambda api, w: ("/api/v1/frameworks/import?country=PH", _case_package(api, w)),
        _by_role(401, 403, 201, 201, 403, 403)),
    ("post", "/api/v1/frameworks/{framework_id}/standards"): (
        lambda api, w: (f"/api/v1/frameworks/{w['framework']['id']}/standards", _new_standard(api, w)),
        _by_role(401, 403, 201, 403, 403, 403)),
    ("patch", "/api/v1/standards/{standard_id}"): (
        lambda api, w: (f"/api/v1/standards/{_draft(api, w)}", {"title": {"en": "Edited"}}),
        _by_role(401, 403, 200, 403, 403, 403)),
    ("post", "/api/v1/standards/{standard_id}/publish"): (
        lambda api, w: (f"/api/v1/standards/{_draft(api, w)}/publish", None),
        _by_role(401, 403, 200, 403, 403, 403)),
    ("post", "/api/v1/mappings"): (
        lambda api, w: ("/api/v1/mappings", _mapping_body(api, w)),
        _by_role(401, 403, 403, 201, 403, 403)),
    ("patch", "/api/v1/mappings/{mapping_id}"): (
        lambda api, w: (f"/api/v1/mappings/{_candidate_mapping(api, w)}", {"confidence": 0.5}),
        _by_role(401, 403, 403, 200, 403, 403)),
    ("post", "/api/v1/mappings/{mapping_id}/review"): (
        lambda api, w: (f"/api/v1/mappings/{_candidate_mapping(api, w)}/review", {"decision": "validated"}),
        _by_role(401, 403, 403, 200, 403, 403)),
    ("post", "/api/v1/standards/{standard_id}/retire"): (
        lambda api, w: (f"/api/v1/standards/{_published(api, w)}/retire", None),
        _by_role(401, 403, 200, 403, 403, 403)),
    ("post", "/api/v1/organizations/{organization_id}/keys"): (
        lambda api, w: (f"/api/v1/organizations/{w['owner'].id}/keys", None),
        _by_role(401, 201, 201, 403, 403, 403)),
    ("post", "/api/v1/organizations/{organization_id}/keys/{key_id}/retire"): (
        lambda api, w: (f"/api/v1/organizations/{w['owner'].id}/keys/{_new_key(api, w)}/retire", None),
        _by_role(401, 200, 200, 403, 403, 403)),
    ("post", "/api/v1/organizations/{organization_id}/keys/{key_id}/compromise"): (
        lambda api, w: (f"/api/v1/organizations/{w['owner'].id}/keys/{_new_key(api, w)}/compromise", {}),
        _by_role(401, 200, 200, 403, 403, 403)),
    ("post", "/api/v1/accreditations"): (
        lambda api, w: ("/api/v1/accreditations", _accreditation_body(api, w)),
        _by_role(401, 403, 403, 201, 403, 403)),
    ("post", "/api/v1/accreditations/{accreditation_id}/revoke"): (
        lambda api, w: (f"/api/v1/accreditations/{_accreditation(api, w)}/revoke", {"reason": "matrix"}),
        _by_role(401, 403, 403, 200, 403, 403)),
    ("post", "/api/v1/mapping-sets"): (
        lambda api, w: ("/api/v1/mapping-sets", _mapping_set_body(api, w)),
        _by_role(401, 403, 403, 201, 403, 403)),
    ("post", "/api/v1/mapping-sets/{mapping_set_id}/versions"): (
        lambda api, w: (f"/api/v1/mapping-sets/{_mapping_set(api, w)}/versions", {"title": "Renamed"}),
        _by_role(401, 403, 403, 201, 403, 403)),
    ("post", "/api/v1/mapping-sets/import"): (
        lambda api, w: ("/api/v1/mapping-sets/import", _sssom_file(api, w)),
        _by_role(401, 403, 403, 200, 403, 403)),
    ("post", "/api/v1/agreements"): (
        lambda api, w: ("/api/v1/agreements", _agreement_body(api, w)),
        _by_role(401, 403, 403, 201, 403, 403)),
    ("patch", "/api/v1/agreements/{agreement_id}"): (
        lambda api, w: (f"/api/v1/agreements/{_agreement(api, w)}", {"title": "Renamed"}),
        _by_role(401, 403, 403, 200, 403, 403)),
    ("post", "/api/v1/agreements/{agreement_id}/signatures"): (
        lambda api, w: (f"/api/v1/agreements/{_agreement(api, w)}/signatures", None),
        _by_role(401, 403, 403, 201, 403, 403)),
    ("post", "/api/v1/agreements/{agreement_id}/versions"): (
        lambda api, w: (f"/api/v1/agreements/{_signed_agreement(api, w)}/versions", {"title": "Renamed"}),
        _by_role(401, 403, 403, 201, 403, 403)),
    ("post", "/api/v1/agreements/{agreement_id}/terminate"): (
        lambda api, w: (f"/api/v1/agreements/{_agreement(api, w)}/terminate", {"reason": "matrix"}),
        _by_role(401, 403, 403, 200, 403, 403)),
}

# Write operations that are open to everyone by design.
PUBLIC_WRITES = {("post", "/api/v1/auth/token")}


@pytest.fixture()
def world(api):
    owner = api.organization("certification_body", "PH")
    actors = {
        "owner": owner,
        "recognition_authority": api.organization("recognition_authority", "PH"),
        "employer": api.organization("employer", "AE"),
        "reintegration_office": api.organization("reintegration_office", "PH"),
    }
    return {**actors, "framework": api.framework(owner)}


def _headers(api, world, role):
    if role == "anonymous":
        return {}
    if role == "admin":
        return api.admin_headers()
    return world[role].headers


@pytest.mark.parametrize("operation", sorted(MATRIX), ids=lambda op: f"{op[0].upper()} {op[1]}")
def test_role_matrix(api, client, world, operation):
    build, expected = MATRIX[operation]
    method = operation[0]
    outcomes = {}
    for role in ROLES:
        url, body = build(api, world)
        # A text body (an SSSOM/TSV file) goes as text/tab-separated-values; anything else as JSON.
        payload = {"data": body, "content_type": "text/tab-separated-values"} if isinstance(body, str) else {"json": body}
        response = client.open(url, method=method.upper(), headers=_headers(api, world, role), **payload)
        outcomes[role] = response.status_code
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
    assert outcomes == expected


def test_every_write_operation_has_a_row(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    writes = {(method, path) for path, item in spec["paths"].items() for method in item
              if method in ("post", "put", "patch", "delete")}
    missing = writes - set(MATRIX) - PUBLIC_WRITES
    assert not missing, f"write operations with no row in the role matrix: {sorted(missing)}"
