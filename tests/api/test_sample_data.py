"""`flask load-sample`: idempotent demo data, and printed credentials that obtain tokens."""
import json

import sqlalchemy as sa

from app.models import ApiClient, Framework, Organization, Skill, Standard, StandardSkill, StandardVersion


def load_sample(app):
    result = app.test_cli_runner().invoke(args=["load-sample"])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def data_counts(session):
    counts = {model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model))
              for model in (Organization, Framework, Standard, StandardVersion, Skill, StandardSkill)}
    counts["active clients"] = session.scalar(
        sa.select(sa.func.count()).select_from(ApiClient).where(ApiClient.revoked_at.is_(None)))
    return counts


def token_response(client, credentials):
    return client.post("/api/v1/auth/token", data={
        "grant_type": "client_credentials", "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"]})


def test_load_sample_creates_two_countries_of_published_standards(app, client):
    output = load_sample(app)
    organizations = {(org["country"], org["kind"]) for org in output["organizations"]}
    assert organizations == {("PH", "certification_body"), ("PH", "recognition_authority"),
                             ("AE", "certification_body"), ("AE", "recognition_authority")}
    assert {fw["country"]: fw["standards"]["created"] for fw in output["frameworks"]} == {"PH": 5, "AE": 5}

    for country, isco_codes in (("PH", {"7411", "7212", "7126", "5322", "7231"}),
                                ("AE", {"7411", "7212", "7126", "5322", "7231"})):
        listing = client.get("/api/v1/standards", query_string={"country": country}).get_json()
        assert {item["isco08"] for item in listing["items"]} == isco_codes
        assert {item["status"] for item in listing["items"]} == {"published"}

    ph_framework = next(fw for fw in output["frameworks"] if fw["country"] == "PH")
    framework = client.get(f"/api/v1/frameworks/{ph_framework['framework_id']}").get_json()
    assert framework["languages"] == ["en", "ar"]
    caregiving = client.get("/api/v1/standards", query_string={"country": "PH", "isco08": "5322"}).get_json()
    standard = client.get(f"/api/v1/standards/{caregiving['items'][0]['id']}").get_json()
    assert set(standard["title"]) == {"en", "ar"}
    assert all(set(skill["title"]) == {"en", "ar"} for skill in standard["skills"])
    assert {skill["essential"] for skill in standard["skills"]} == {True, False}


def test_load_sample_twice_changes_nothing(app, session):
    first = load_sample(app)
    before = data_counts(session)
    second = load_sample(app)
    assert data_counts(session) == before
    for framework in second["frameworks"]:
        assert framework["standards"] == {"created": 0, "updated": 0, "unchanged": 5}
        assert framework["skills"]["created"] == framework["skills"]["updated"] == 0
    assert [(o["organization_id"], o["kind"]) for o in second["organizations"]] == \
        [(o["organization_id"], o["kind"]) for o in first["organizations"]]
    assert second["admin"]["client_id"] == first["admin"]["client_id"]


def test_printed_credentials_obtain_tokens_and_earlier_ones_stop_working(app, client):
    first = load_sample(app)
    second = load_sample(app)
    for credentials in [second["admin"], *second["organizations"]]:
        response = token_response(client, credentials)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["token_type"].lower() == "bearer"
    for credentials in [first["admin"], *first["organizations"]]:
        assert token_response(client, credentials).status_code == 401
    assert second["admin"]["client_id"] in second["token_hint"]
    assert second["token_hint"].startswith("curl ") and "/api/v1/auth/token" in second["token_hint"]


def test_an_organisation_token_acts_for_its_organisation(app, client):
    output = load_sample(app)
    tesda = next(org for org in output["organizations"] if org["name"] == "TESDA (demo)")
    token = token_response(client, tesda).get_json()["access_token"]
    response = client.get(f"/api/v1/organizations/{tesda['organization_id']}",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert (response.get_json()["kind"], response.get_json()["country"]) == ("certification_body", "PH")
