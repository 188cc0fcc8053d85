import uuid

from flask import current_app
from flask_smorest import Blueprint

from app.api.context import current_principal, db_session, token_required
from app.api.helpers import BEARER, page_body
from app.services import standards as service
from schemas.common import PageArgs, page_of
from schemas.standards import (
    StandardGetArgs, StandardSchema, StandardSearchArgs, StandardSummarySchema, StandardUpdateSchema,
)

blp = Blueprint("standards", __name__, description="Occupational standards and their skill maps")


class StandardSearchQuery(StandardSearchArgs, PageArgs):
    pass


def standard_body(standard, framework, version, history):
    return {
        "id": standard.id, "version_id": version.id, "code": standard.code, "version": version.version,
        "status": version.status, "title": version.title, "description": version.description or {},
        "alt_labels": version.alt_labels or {}, "level": version.level, "eqf_level": version.eqf_level,
        "isco08": version.isco08, "uri": version.uri, "content_hash": version.content_hash,
        "framework": {
            "id": framework.id, "code": framework.code, "title": framework.title, "country": framework.country,
            "version": framework.version, "organization_id": framework.organization_id,
        },
        "country": framework.country,
        "skills": [
            {
                "id": link.skill.id, "code": link.skill.code, "uri": link.skill.uri, "title": link.skill.title,
                "description": link.skill.description or {}, "skill_type": link.skill.skill_type,
                "essential": link.essential, "position": link.position,
            }
            for link in version.skill_links
        ],
        "versions": history,
        "created_at": version.created_at, "published_at": version.published_at, "retired_at": version.retired_at,
    }


SUMMARY_FIELDS = tuple(StandardSummarySchema._declared_fields)


@blp.route("/standards", methods=["GET"])
@blp.arguments(StandardSearchQuery, location="query")
@blp.response(200, page_of(StandardSummarySchema))
def search_standards(args):
    """Search standards: q over titles, labels, descriptions and skill titles (ranked), plus filters."""
    rows, total = service.search_standards(db_session(), current_principal(), args, args["page"], args["per_page"])
    items = [{name: row[name] for name in SUMMARY_FIELDS} for row in rows]
    # The hottest read: serialise the plain rows directly (marshmallow's dump cost 2.5 ms a page);
    # tests check the body against StandardSummarySchema.
    return current_app.json.response(page_body(items, total, args["page"], args["per_page"]))


@blp.route("/standards/<uuid:standard_id>", methods=["GET"])
@blp.arguments(StandardGetArgs, location="query")
@blp.response(200, StandardSchema)
def get_standard(args, standard_id: uuid.UUID):
    """Read a standard; ?version=N reads any earlier version (certificates cite exact versions)."""
    return standard_body(*service.get_standard(db_session(), current_principal(), standard_id, args.get("version")))


@blp.route("/standards/<uuid:standard_id>", methods=["PATCH"])
@token_required
@blp.arguments(StandardUpdateSchema)
@blp.response(200, StandardSchema)
@blp.doc(security=BEARER)
def update_standard(data, standard_id: uuid.UUID):
    """Edit a standard: a draft changes in place; a published standard gets a new draft version."""
    session, principal = db_session(), current_principal()
    version = service.update_standard(session, principal, standard_id, data)
    return standard_body(*service.get_standard(session, principal, standard_id, version.version))


@blp.route("/standards/<uuid:standard_id>/publish", methods=["POST"])
@token_required
@blp.response(200, StandardSchema)
@blp.doc(security=BEARER)
def publish_standard(standard_id: uuid.UUID):
    """Publish the latest draft version; from then on it never changes."""
    session, principal = db_session(), current_principal()
    version = service.publish_standard(session, principal, standard_id)
    return standard_body(*service.get_standard(session, principal, standard_id, version.version))


@blp.route("/standards/<uuid:standard_id>/retire", methods=["POST"])
@token_required
@blp.response(200, StandardSchema)
@blp.doc(security=BEARER)
def retire_standard(standard_id: uuid.UUID):
    """Retire the published version: it stays readable, marked retired."""
    session, principal = db_session(), current_principal()
    version = service.retire_standard(session, principal, standard_id)
    return standard_body(*service.get_standard(session, principal, standard_id, version.version))
