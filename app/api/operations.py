"""Health, readiness, problem type pages and the offline docs assets (outside /api/v1)."""
import sqlalchemy as sa
import swagger_ui_bundle
from flask import Blueprint, current_app, jsonify, send_from_directory

from app.api.errors import PROBLEM_TITLES, problem_response

bp = Blueprint("operations", __name__)

SWAGGER_ASSETS = str(swagger_ui_bundle.swagger_ui_path)


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers. It does not touch the database."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Readiness: the database answers and its schema is at the migrations' head."""
    registry = current_app.extensions["registry"]
    try:
        with registry.engine.connect() as connection:
            current = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception as exc:  # any failure to reach the database means "not ready"
        current_app.logger.warning("readiness check failed: %s", type(exc).__name__)
        return problem_response(503, "service-unavailable", "the database is unreachable",
                                headers={"Retry-After": "5"})
    expected = registry.migration_heads
    if set(current) != set(expected):
        return problem_response(503, "service-unavailable",
                                f"database schema is at {sorted(current)}, migrations are at {sorted(expected)}; "
                                "run 'alembic upgrade head'", headers={"Retry-After": "30"})
    return jsonify(status="ready", database=registry.engine.dialect.name, migration=sorted(current))


@bp.get("/problems/<slug>")
def problem_type_page(slug):
    """Human-readable description of a problem type URI."""
    title = PROBLEM_TITLES.get(slug)
    if title is None:
        return problem_response(404, "not-found", f"no problem type {slug!r}")
    return jsonify(type=f"{current_app.config['PUBLIC_BASE_URL']}/problems/{slug}", title=title)


@bp.get("/api/v1/docs/assets/<path:filename>")
def docs_assets(filename):
    """Swagger UI files from the swagger-ui-bundle package, so the docs page needs no internet."""
    return send_from_directory(SWAGGER_ASSETS, filename, max_age=86400)
