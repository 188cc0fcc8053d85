"""Thin HTTP layer: one blueprint module per domain, all under /api/v1."""
from flask_smorest import Api


def register_blueprints(app):
    from app.api import (
        accreditations, agreements, auth, case, frameworks, keys, mapping_sets, mappings, operations, organizations,
        standards, suggestions,
    )

    api = Api(app, spec_kwargs={
        "info": {"description": "Occupational standards, skill maps, equivalences and verifiable certificates."},
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    })
    for module in (auth, organizations, frameworks, standards, mappings, accreditations, mapping_sets, suggestions,
                   agreements):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    api.register_blueprint(case.blp)  # CASE paths are its own (/ims/case/v1p0) plus /api/v1/frameworks/import
    api.register_blueprint(keys.blp)  # /issuers/{slug}/did.json is fixed by did:web; the rest under /api/v1
    app.register_blueprint(operations.bp)
    app.extensions["registry_api"] = api
    return api
