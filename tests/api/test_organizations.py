"""Organisations and their API clients."""
import sqlalchemy as sa

from app.models import ApiClient
from tests.factories import field_errors, problem


def test_admin_creates_an_organization_and_anyone_reads_it(api, client):
    response = client.post("/api/v1/organizations", json={"name": "Émirats Skills Council", "country": "AE",
                                                          "kind": "recognition_authority"}, headers=api.admin_headers())
    assert response.status_code == 201
    org = response.get_json()
    assert org["kind"] == "recognition_authority" and org["country"] == "AE"
    assert org["slug"] == "emirats-skills-council"
    assert org["did"] == "did:web:registry.test:issuers:emirats-skills-council"
    assert client.get(f"/api/v1/organizations/{org['id']}").get_json() == org
    listed = client.get("/api/v1/organizations?country=AE").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == org["id"]


def test_bad_organization_input_names_each_field(api, client):
    before = client.get("/api/v1/organizations").get_json()["total"]
    body = problem(client.post("/api/v1/organizations", json={"name": "", "country": "ph", "kind": "bank"},
                               headers=api.admin_headers()), 422)
    assert set(field_errors(body)) == {"name", "country", "kind"}
    body = problem(client.post("/api/v1/organizations", json={}, headers=api.admin_headers()), 422)
    assert set(field_errors(body)) == {"name", "country", "kind"}
    body = problem(client.post("/api/v1/organizations", data="{not json", content_type="application/json",
                               headers=api.admin_headers()), 400)
    assert client.get("/api/v1/organizations").get_json()["total"] == before


def test_unknown_organization_is_a_404_problem(client):
    problem(client.get("/api/v1/organizations/00000000-0000-0000-0000-000000000000"), 404)
    problem(client.get("/api/v1/organizations/not-a-uuid"), 404)


def test_client_secret_is_shown_once_and_stored_as_a_hash(api, client, session):
    actor = api.organization()
    response = client.post(f"/api/v1/organizations/{actor.id}/clients", json={"name": "batch issuer"},
                           headers=actor.headers)  # an organisation may add clients for itself
    assert response.status_code == 201
    created = response.get_json()
    stored = session.scalar(sa.select(ApiClient).where(ApiClient.client_id == created["client_id"]))
    assert created["client_secret"] not in stored.secret_hash and len(stored.secret_hash) == 64
    assert stored.name == "batch issuer"
    assert api.token(created["client_id"], created["client_secret"])


def test_only_the_admin_or_the_organization_itself_creates_clients(api, client):
    one, other = api.organization(), api.organization("employer", "AE")
    problem(client.post(f"/api/v1/organizations/{one.id}/clients", json={}, headers=other.headers), 403)
    problem(client.post(f"/api/v1/organizations/{one.id}/clients", json={}), 401)
    problem(client.post("/api/v1/organizations/00000000-0000-0000-0000-000000000000/clients", json={},
                        headers=api.admin_headers()), 404)


def test_bootstrap_admin_command_prints_working_credentials(app, client):
    import json

    result = app.test_cli_runner().invoke(args=["bootstrap-admin"])
    assert result.exit_code == 0, result.output
    creds = json.loads(result.output.strip().splitlines()[-1])
    assert set(creds) == {"client_id", "client_secret"}
    response = client.post("/api/v1/auth/token", data={"grant_type": "client_credentials", **creds})
    assert response.status_code == 200 and response.get_json()["scope"] == "admin"
    again = json.loads(app.test_cli_runner().invoke(args=["bootstrap-admin"]).output.strip().splitlines()[-1])
    assert again["client_id"] == creds["client_id"]  # same client, fresh secret
    problem(client.post("/api/v1/auth/token", data={"grant_type": "client_credentials", **creds}), 401)
