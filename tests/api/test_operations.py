"""Health, readiness, the OpenAPI document and docs page, problem+json, request ids, JSON logs, config."""
import json
import re

import pytest
import sqlalchemy as sa

from app import create_app
from tests.factories import problem


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_when_migrated(client):
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready" and len(body["migration"]) == 1


def test_readyz_fails_while_migrations_are_behind(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0000_older')"))
    engine.dispose()
    app = create_app("testing", {"DATABASE_URL": url})
    body = problem(app.test_client().get("/readyz"), 503)
    assert "alembic upgrade head" in body["detail"]


def test_readyz_fails_while_the_database_is_unreachable():
    app = create_app("testing", {"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"})
    response = app.test_client().get("/readyz")
    body = problem(response, 503)
    assert "unreachable" in body["detail"] and response.headers["Retry-After"]
    assert problem(app.test_client().get("/api/v1/standards"), 503)["type"].endswith("/service-unavailable")


def test_flask_404_and_405_are_problems(client):
    assert problem(client.get("/no/such/path"), 404)["instance"] == "/no/such/path"
    response = client.delete("/healthz")
    problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_unexpected_errors_are_problems_without_internals(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    body = problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert body["request_id"] == response.headers["X-Request-ID"]


def test_problem_types_are_documented(client):
    body = problem(client.get("/api/v1/standards/00000000-0000-0000-0000-000000000000"), 404)
    page = client.get(body["type"].replace("http://registry.test", ""))
    assert page.status_code == 200 and page.get_json()["title"] == "Not found"


def test_request_id_is_echoed_or_generated_and_logged(client, capsys):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "registry.access"]
    assert {"abc-123", generated} <= {line["request_id"] for line in access}
    assert all(line["path"] == "/healthz" and line["status"] == 200 for line in access)


def test_openapi_document_is_valid_and_covers_the_api(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)  # raises on an invalid OpenAPI 3 document
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/auth/token", "/api/v1/organizations", "/api/v1/organizations/{organization_id}",
                 "/api/v1/organizations/{organization_id}/clients", "/api/v1/frameworks",
                 "/api/v1/frameworks/{framework_id}/standards", "/api/v1/standards",
                 "/api/v1/standards/{standard_id}", "/api/v1/standards/{standard_id}/publish"):
        assert path in spec["paths"], path
    params = {p["name"] for p in spec["paths"]["/api/v1/standards"]["get"]["parameters"]}
    assert {"q", "country", "framework", "isco08", "level", "status", "page", "per_page"} <= params


def test_docs_page_loads_nothing_from_the_internet(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") for u in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_production_refuses_development_secrets(monkeypatch):
    monkeypatch.delenv("KEY_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY.*KEY_ENCRYPTION_KEYS"):
        create_app("production")
    with pytest.raises(RuntimeError, match="KEY_ENCRYPTION_KEYS"):
        create_app("production", {"SECRET_KEY": "a-real-secret"})
    from cryptography.fernet import Fernet

    app = create_app("production", {"SECRET_KEY": "a-real-secret", "KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                                    "DATABASE_URL": "sqlite://"})
    assert app.config["ENV_NAME"] == "production"
