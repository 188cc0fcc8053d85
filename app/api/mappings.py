import uuid

from flask import current_app
from flask_smorest import Blueprint

from app.api.context import current_principal, db_session, token_required
from app.api.helpers import BEARER, page_body
from app.services import mappings as service
from schemas.common import page_of
from schemas.mappings import (
    EquivalentsArgs, EquivalentsSchema, MappingCreateSchema, MappingGetArgs, MappingListArgs, MappingReviseSchema,
    MappingSchema, ReviewSchema,
)

blp = Blueprint("mappings", __name__, description="Equivalences between standards (SKOS predicates, SSSOM fields)")


def _side(revision, side):
    version = getattr(revision, f"{side}_version")
    return {"standard_id": getattr(revision, f"{side}_standard_id"), "version_id": version.id,
            "version": version.version, "code": version.standard.code, "title": version.title,
            "framework_id": version.standard.framework_id, "country": version.standard.framework.country}


def mapping_body(mapping, revision, revisions):
    return {
        "id": mapping.id, "revision": revision.revision, "status": revision.status,
        "source": _side(revision, "source"), "target": _side(revision, "target"),
        "predicate": revision.predicate, "predicate_modifier": revision.predicate_modifier,
        "confidence": revision.confidence, "justification": revision.justification, "comment": revision.comment,
        "author_organization_id": revision.author_organization_id, "author": revision.author_label,
        "reviewer_organization_id": revision.reviewer_organization_id, "reviewer": revision.reviewer_label,
        "review_comment": revision.review_comment, "reviewed_at": revision.reviewed_at,
        "created_at": revision.created_at,
        "skill_mappings": [{"source_skill_id": s.source_skill_id, "target_skill_id": s.target_skill_id,
                            "predicate": s.predicate, "predicate_modifier": s.predicate_modifier}
                           for s in revision.skill_mappings],
        "coverage": revision.coverage, "reverse_coverage": revision.reverse_coverage,
        "revisions": [{"revision": r.revision, "status": r.status, "created_at": r.created_at,
                       "deprecated_at": r.deprecated_at} for r in revisions],
    }


def _read(mapping_id, revision=None):
    return mapping_body(*service.get_mapping(db_session(), mapping_id, revision))


@blp.route("/mappings", methods=["POST"])
@token_required
@blp.arguments(MappingCreateSchema)
@blp.response(201, MappingSchema)
@blp.doc(security=BEARER)
def create_mapping(data):
    """Map a published source standard to a published target standard (recognition authorities)."""
    revision = service.create_mapping(db_session(), current_principal(), data)
    return _read(revision.mapping_id)


@blp.route("/mappings", methods=["GET"])
@blp.arguments(MappingListArgs, location="query")
@blp.response(200, page_of(MappingSchema))
def list_mappings(args):
    """List mappings (current revisions), filtered."""
    session = db_session()
    items, total = service.list_mappings(session, args, args["page"], args["per_page"])
    return page_body([_read(r.mapping_id) for r in items], total, args["page"], args["per_page"])


@blp.route("/mappings/<uuid:mapping_id>", methods=["GET"])
@blp.arguments(MappingGetArgs, location="query")
@blp.response(200, MappingSchema)
def get_mapping(args, mapping_id: uuid.UUID):
    """Read a mapping with its coverage in both directions; ?revision=N reads an earlier revision."""
    return _read(mapping_id, args.get("revision"))


@blp.route("/mappings/<uuid:mapping_id>", methods=["PATCH"])
@token_required
@blp.arguments(MappingReviseSchema)
@blp.response(200, MappingSchema)
@blp.doc(security=BEARER)
def revise_mapping(data, mapping_id: uuid.UUID):
    """Revise a mapping: a new candidate revision; the previous one is deprecated and stays readable."""
    service.revise_mapping(db_session(), current_principal(), mapping_id, data)
    return _read(mapping_id)


@blp.route("/mappings/<uuid:mapping_id>/review", methods=["POST"])
@token_required
@blp.arguments(ReviewSchema)
@blp.response(200, MappingSchema)
@blp.doc(security=BEARER)
def review_mapping(data, mapping_id: uuid.UUID):
    """Validate or reject the current candidate revision."""
    service.review_mapping(db_session(), current_principal(), mapping_id, data)
    return _read(mapping_id)


@blp.route("/standards/<uuid:standard_id>/equivalents", methods=["GET"])
@blp.arguments(EquivalentsArgs, location="query")
@blp.response(200, EquivalentsSchema)
def equivalents(args, standard_id: uuid.UUID):
    """What this standard is worth elsewhere: mapped standards in both directions, with coverage and gaps."""
    statuses = {"validated": ("validated",), "candidate": ("candidate",), "all": ("validated", "candidate")}
    items = service.equivalents(db_session(), standard_id, {**args, "statuses": statuses[args["status"]]})
    # Hot read, built from stored coverage: serialised directly (tests check it against the schema).
    return current_app.json.response({"standard_id": standard_id, "items": items, "total": len(items)})
