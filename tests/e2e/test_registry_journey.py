"""The first journey against a real gunicorn: a certification body registers a framework and a standard."""
import pytest
import requests

pytestmark = pytest.mark.e2e


def test_certification_body_registers_and_publishes_a_standard(server):
    admin = {"Authorization": f"Bearer {server.admin_token()}"}
    org = requests.post(server.url("/api/v1/organizations"), headers=admin, timeout=10,
                        json={"name": "TESDA", "country": "PH", "kind": "certification_body"})
    assert org.status_code == 201, org.text
    org_id = org.json()["id"]
    creds = requests.post(server.url(f"/api/v1/organizations/{org_id}/clients"), headers=admin, json={}, timeout=10)
    assert creds.status_code == 201
    token = requests.post(server.url("/api/v1/auth/token"), timeout=10, data={
        "grant_type": "client_credentials", "client_id": creds.json()["client_id"],
        "client_secret": creds.json()["client_secret"]}).json()["access_token"]
    body_headers = {"Authorization": f"Bearer {token}"}

    framework = requests.post(server.url("/api/v1/frameworks"), headers=body_headers, timeout=10,
                              json={"code": "PTQF", "title": "Philippine TVET Qualifications", "country": "PH",
                                    "version": "2024"})
    assert framework.status_code == 201, framework.text
    standard = requests.post(server.url(f"/api/v1/frameworks/{framework.json()['id']}/standards"),
                             headers=body_headers, timeout=10, json={
                                 "code": "EIM-NC2", "title": {"en": "Electrical Installation and Maintenance NC II"},
                                 "description": {"en": "Installs wiring in buildings."}, "level": "NC II",
                                 "isco08": "7411", "skills": [
                                     {"code": "EIM-1", "title": {"en": "Perform roughing-in activities"},
                                      "essential": True},
                                     {"code": "EIM-2", "title": {"en": "Install electrical protective devices"},
                                      "essential": False}]})
    assert standard.status_code == 201, standard.text
    standard_id = standard.json()["id"]
    assert requests.get(server.url(f"/api/v1/standards/{standard_id}"), timeout=10).status_code == 404  # draft
    published = requests.post(server.url(f"/api/v1/standards/{standard_id}/publish"), headers=body_headers, timeout=10)
    assert published.status_code == 200 and published.json()["status"] == "published"

    found = requests.get(server.url("/api/v1/standards"), params={"q": "electrical", "country": "PH",
                                                                  "isco08": "741"}, timeout=10).json()
    assert found["total"] == 1 and found["items"][0]["id"] == standard_id
    read = requests.get(server.url(f"/api/v1/standards/{standard_id}"), timeout=10).json()
    assert [s["code"] for s in read["skills"]] == ["EIM-1", "EIM-2"]

    refused = requests.post(server.url("/api/v1/frameworks"), timeout=10, json={"code": "X"})
    assert refused.status_code == 401 and refused.headers["Content-Type"] == "application/problem+json"
    assert requests.get(server.url("/api/v1/docs"), timeout=10).status_code == 200
