"""Small factories that arrange data through the real HTTP API, with defaults and overrides."""
import itertools
import json
from dataclasses import dataclass

from app.services import organizations as org_service

_counter = itertools.count(1)


@dataclass
class Actor:
    """An organisation with a client and a bearer token, ready to call the API."""

    id: str
    kind: str
    country: str
    client_id: str
    client_secret: str
    token: str

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}


class ApiDriver:
    def __init__(self, app, client):
        self.app = app
        self.client = client
        self._admin_headers = None

    # -- identities
    def admin_headers(self):
        if self._admin_headers is None:
            session = self.app.extensions["registry"].sessionmaker()
            client, secret = org_service.bootstrap_admin(session)
            session.commit()
            session.close()
            self._admin_headers = {"Authorization": f"Bearer {self.token(client.client_id, secret)}"}
        return self._admin_headers

    def token(self, client_id, client_secret):
        response = self.client.post("/api/v1/auth/token", data={
            "grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
        })
        assert response.status_code == 200, response.get_json()
        return response.get_json()["access_token"]

    def organization(self, kind="certification_body", country="PH", name=None) -> Actor:
        name = name or f"{kind} {country} {next(_counter)}"
        response = self.client.post("/api/v1/organizations", json={"name": name, "country": country, "kind": kind},
                                    headers=self.admin_headers())
        assert response.status_code == 201, response.get_json()
        org = response.get_json()
        response = self.client.post(f"/api/v1/organizations/{org['id']}/clients", json={}, headers=self.admin_headers())
        assert response.status_code == 201, response.get_json()
        creds = response.get_json()
        return Actor(org["id"], kind, country, creds["client_id"], creds["client_secret"],
                     self.token(creds["client_id"], creds["client_secret"]))

    # -- frameworks and standards
    def framework(self, owner: Actor, **overrides):
        body = {"code": f"FW{next(_counter)}", "title": "National skills framework", "country": owner.country,
                "version": "2024"}
        body.update(overrides)
        response = self.client.post("/api/v1/frameworks", json=body, headers=owner.headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def standard(self, owner: Actor, framework_id, publish=False, **overrides):
        n = next(_counter)
        body = {
            "code": f"STD{n}", "title": {"en": f"Electrical installation {n}"}, "isco08": "7411", "level": "2",
            "skills": [
                {"code": f"SK{n}-1", "title": {"en": "Install wiring"}, "essential": True},
                {"code": f"SK{n}-2", "title": {"en": "Read schematics"}, "essential": False},
            ],
        }
        body.update(overrides)
        response = self.client.post(f"/api/v1/frameworks/{framework_id}/standards", json=body, headers=owner.headers)
        assert response.status_code == 201, response.get_json()
        standard = response.get_json()
        if publish:
            response = self.client.post(f"/api/v1/standards/{standard['id']}/publish", headers=owner.headers)
            assert response.status_code == 200, response.get_json()
            standard = response.get_json()
        return standard


def problem(response, status):
    """Assert a problem+json response with `status`; return its body."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:2000])
    assert response.mimetype == "application/problem+json", response.mimetype
    body = json.loads(response.get_data(as_text=True))
    assert body["status"] == status
    assert body["type"].endswith("/problems/" + body["type"].rsplit("/", 1)[-1])
    assert body["title"] and body["detail"]
    return body


def field_errors(body):
    return {e["field"]: e["messages"] for e in body.get("errors", [])}
