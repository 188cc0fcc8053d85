"""Frameworks, standards, skill maps, versions and search through the HTTP API."""
import uuid

import sqlalchemy as sa

from app.models import Skill
from tests.factories import field_errors, problem


def test_framework_lifecycle_and_validation(api, client):
    body_owner = api.organization("certification_body", "PH")
    framework = api.framework(body_owner, code="PQF", title="Philippine TVET", version="2024", languages=["en", "fil"])
    assert framework["organization_id"] == body_owner.id and framework["languages"] == ["en", "fil"]
    assert client.get(f"/api/v1/frameworks/{framework['id']}").get_json()["standard_count"] == 0
    body = problem(client.post("/api/v1/frameworks", json={"code": "PQF", "title": "again", "country": "PH",
                                                         "version": "2024"}, headers=body_owner.headers), 409)
    assert body["existing_id"] == framework["id"]
    body = problem(client.post("/api/v1/frameworks", json={"code": "", "country": "Philippines",
                                                         "languages": ["not a tag"]}, headers=body_owner.headers), 422)
    assert {"code", "title", "country", "version", "languages.0"} <= set(field_errors(body))
    listed = client.get("/api/v1/frameworks?country=PH").get_json()
    assert [f["code"] for f in listed["items"]] == ["PQF"] and listed["total"] == 1


def test_standard_with_skill_map_draft_then_published(api, client):
    owner = api.organization()
    framework = api.framework(owner)
    standard = api.standard(owner, framework["id"], code="EIM-NC2",
                            title={"en": "Electrical Installation and Maintenance NC II", "ar": "التركيبات الكهربائية"},
                            description={"en": "Installs and maintains wiring."}, alt_labels={"en": ["wireman"]},
                            level=2, eqf_level=4, isco08="7411",
                            uri="http://data.europa.eu/esco/occupation/0000", skills=[
                                {"code": "U1", "title": {"en": "Perform roughing-in"}, "essential": True},
                                {"code": "U2", "title": "Install wiring devices", "essential": False,
                                 "uri": "http://data.europa.eu/esco/skill/abc"},
                            ])
    assert standard["status"] == "draft" and standard["version"] == 1 and standard["level"] == "2"
    assert standard["title"]["ar"] == "التركيبات الكهربائية"
    assert [(s["code"], s["essential"], s["position"]) for s in standard["skills"]] == [("U1", True, 0), ("U2", False, 1)]
    assert standard["skills"][1]["title"] == {"en": "Install wiring devices"}
    # A draft is visible to its owner only.
    problem(client.get(f"/api/v1/standards/{standard['id']}"), 404)
    assert client.get(f"/api/v1/standards/{standard['id']}", headers=owner.headers).status_code == 200
    other = api.organization()
    problem(client.get(f"/api/v1/standards/{standard['id']}", headers=other.headers), 404)
    published = client.post(f"/api/v1/standards/{standard['id']}/publish", headers=owner.headers).get_json()
    assert published["status"] == "published" and published["published_at"]
    assert client.get(f"/api/v1/standards/{standard['id']}").get_json()["content_hash"] == standard["content_hash"]
    problem(client.post(f"/api/v1/standards/{standard['id']}/publish", headers=owner.headers), 409)


def test_published_standard_never_changes_edits_make_new_versions(api, client):
    owner = api.organization()
    framework = api.framework(owner)
    standard = api.standard(owner, framework["id"], publish=True)
    sid = standard["id"]
    edited = client.patch(f"/api/v1/standards/{sid}", json={"title": {"en": "Electrician (2025)"}}, headers=owner.headers)
    assert edited.status_code == 200
    assert edited.get_json()["version"] == 2 and edited.get_json()["status"] == "draft"
    # The public still sees version 1 until version 2 is published.
    public = client.get(f"/api/v1/standards/{sid}").get_json()
    assert public["version"] == 1 and public["title"] == standard["title"]
    assert [v["version"] for v in public["versions"]] == [1]
    # A second edit of the draft changes it in place.
    again = client.patch(f"/api/v1/standards/{sid}", json={"isco08": "7412"}, headers=owner.headers).get_json()
    assert again["version"] == 2 and again["isco08"] == "7412" and again["title"] == {"en": "Electrician (2025)"}
    client.post(f"/api/v1/standards/{sid}/publish", headers=owner.headers)
    current = client.get(f"/api/v1/standards/{sid}").get_json()
    assert current["version"] == 2 and [v["version"] for v in current["versions"]] == [1, 2]
    old = client.get(f"/api/v1/standards/{sid}?version=1").get_json()
    assert old["version"] == 1 and old["title"] == standard["title"] and old["isco08"] == "7411"
    assert old["skills"] == standard["skills"]
    problem(client.get(f"/api/v1/standards/{sid}?version=9"), 404)
    problem(client.get(f"/api/v1/standards/{sid}?version=zero"), 422)


def test_retire(api, client):
    owner = api.organization()
    framework = api.framework(owner)
    draft = api.standard(owner, framework["id"])
    problem(client.post(f"/api/v1/standards/{draft['id']}/retire", headers=owner.headers), 409)
    client.post(f"/api/v1/standards/{draft['id']}/publish", headers=owner.headers)
    retired = client.post(f"/api/v1/standards/{draft['id']}/retire", headers=owner.headers).get_json()
    assert retired["status"] == "retired" and retired["retired_at"]
    assert client.get(f"/api/v1/standards/{draft['id']}").get_json()["status"] == "retired"


def test_skills_are_shared_by_the_standards_of_a_framework(api, client, session):
    owner = api.organization()
    framework = api.framework(owner)
    shared = {"code": "SAFE", "title": {"en": "Apply workplace safety"}, "essential": True}
    one = api.standard(owner, framework["id"], skills=[shared])
    two = api.standard(owner, framework["id"], skills=[{"code": "SAFE", "essential": False}])  # by code alone
    assert one["skills"][0]["id"] == two["skills"][0]["id"] and two["skills"][0]["essential"] is False
    count = session.scalar(sa.select(sa.func.count()).select_from(Skill).where(
        Skill.framework_id == uuid.UUID(framework["id"]), Skill.code == "SAFE"))
    assert count == 1
    body = problem(client.post(f"/api/v1/frameworks/{framework['id']}/standards", json={
        "code": "X", "title": {"en": "X"}, "skills": [{"code": "SAFE", "title": {"en": "Something else"}}]},
        headers=owner.headers), 409)
    assert "skills.0.title" in field_errors(body)
    body = problem(client.post(f"/api/v1/frameworks/{framework['id']}/standards", json={
        "code": "Y", "title": {"en": "Y"}, "skills": [{"code": "NEW"}]}, headers=owner.headers), 422)
    assert "skills.0.title" in field_errors(body)
    body = problem(client.post(f"/api/v1/frameworks/{framework['id']}/standards", json={
        "code": "Z", "title": {"en": "Z"}, "skills": [shared, shared]}, headers=owner.headers), 422)
    assert "skills.1.code" in field_errors(body)


def test_bad_standard_input_names_each_field_and_writes_nothing(api, client):
    owner = api.organization()
    framework = api.framework(owner)
    body = problem(client.post(f"/api/v1/frameworks/{framework['id']}/standards", json={
        "title": {"en_US": "x"}, "isco08": "74111", "eqf_level": 9, "uri": "not a uri",
        "skills": [{"title": {"en": "no code"}, "essential": "maybe"}]}, headers=owner.headers), 422)
    assert {"code", "isco08", "eqf_level", "uri", "skills.0.code", "skills.0.essential"} <= set(field_errors(body))
    assert any(f.startswith("title") for f in field_errors(body))
    assert client.get(f"/api/v1/frameworks/{framework['id']}").get_json()["standard_count"] == 0
    api.standard(owner, framework["id"], code="DUP")
    body = problem(client.post(f"/api/v1/frameworks/{framework['id']}/standards", json={
        "code": "DUP", "title": {"en": "again"}}, headers=owner.headers), 409)
    assert "code" in field_errors(body)
    problem(client.post("/api/v1/frameworks/00000000-0000-0000-0000-000000000000/standards",
                        json={"code": "A", "title": {"en": "A"}}, headers=owner.headers), 404)


def test_search_is_ranked_accent_insensitive_and_filtered(api, client):
    ph = api.organization("certification_body", "PH")
    ae = api.organization("certification_body", "AE")
    fw_ph = api.framework(ph, code="PQF")
    fw_ae = api.framework(ae, code="UAEQF")
    electrician = api.standard(ph, fw_ph["id"], publish=True, code="E1", title={"en": "Electrician"}, isco08="7411",
                               skills=[{"code": "W", "title": {"en": "Wiring"}}])
    api.standard(ph, fw_ph["id"], publish=True, code="W1", title={"en": "Welder"}, isco08="7212",
                 description={"en": "Joins metal; some electrician skills help."},
                 skills=[{"code": "A", "title": {"en": "Arc welding"}}])
    api.standard(ae, fw_ae["id"], publish=True, code="E2", title={"en": "Électricien industriel"}, isco08="7412",
                 alt_labels={"fr": ["électricien d'usine"]}, skills=[{"code": "M", "title": {"en": "Motor control"}}])
    api.standard(ph, fw_ph["id"], publish=False, code="D1", title={"en": "Electrician draft"}, isco08="7411")

    def codes(query, headers=None):
        body = client.get(f"/api/v1/standards?{query}", headers=headers or {}).get_json()
        return [item["code"] for item in body["items"]], body["total"]

    found, total = codes("q=electrician")
    assert found[0] == "E1" and set(found) == {"E1", "W1"} and total == 2  # title hit outranks description hit
    assert codes("q=electricien")[0] == ["E2"]
    assert codes("q=ÉLECTRICIEN")[0] == ["E2"]
    assert codes("q=electr")[1] == 3  # prefix matching
    assert codes("q=motor")[0] == ["E2"]  # skill titles are searched
    assert codes("q=usine")[0] == ["E2"]  # alternative labels are searched
    assert codes("country=AE")[0] == ["E2"]
    assert codes("framework=PQF")[1] == 2 and codes(f"framework={fw_ae['id']}")[0] == ["E2"]
    assert set(codes("isco08=741")[0]) == {"E1", "E2"}
    assert codes("isco08=7411")[0] == ["E1"]
    assert codes("q=electrician&country=PH&isco08=74")[0] == ["E1"]
    assert codes("status=draft")[1] == 0  # drafts are private
    assert set(codes("q=electrician", ph.headers)[0]) == {"E1", "W1", "D1"}  # the owner sees its draft
    assert codes("q=zzzz")[1] == 0
    page = client.get("/api/v1/standards?per_page=1&page=2").get_json()
    assert page["total"] == 3 and len(page["items"]) == 1 and page["page"] == 2
    item = client.get("/api/v1/standards?q=electrician").get_json()["items"][0]
    assert item["id"] == electrician["id"] and item["score"] > 0 and item["country"] == "PH"
    body = problem(client.get("/api/v1/standards?isco08=abc&country=xx&per_page=1000"), 422)
    assert {"isco08", "country", "per_page"} <= set(field_errors(body))


def test_search_finds_the_current_version_once(api, client):
    owner = api.organization()
    framework = api.framework(owner)
    standard = api.standard(owner, framework["id"], publish=True, title={"en": "Plumber"})
    client.patch(f"/api/v1/standards/{standard['id']}", json={"title": {"en": "Plumber and pipefitter"}},
                 headers=owner.headers)
    client.post(f"/api/v1/standards/{standard['id']}/publish", headers=owner.headers)
    body = client.get("/api/v1/standards?q=plumber").get_json()
    assert body["total"] == 1 and body["items"][0]["version"] == 2
    assert client.get("/api/v1/standards?q=pipefitter").get_json()["total"] == 1


def test_search_results_match_the_documented_schema(api, client):
    from schemas.common import page_of
    from schemas.standards import StandardSummarySchema

    owner = api.organization()
    framework = api.framework(owner)
    api.standard(owner, framework["id"], publish=True, title={"en": "Welder"})
    for query in ("q=welder", ""):
        body = client.get(f"/api/v1/standards?{query}").get_json()
        schema = page_of(StandardSummarySchema)()
        assert schema.validate(body) == {}
        assert schema.dump(schema.load(body)) == body  # nothing undocumented, nothing missing
        assert set(body["items"][0]) == set(StandardSummarySchema._declared_fields)
