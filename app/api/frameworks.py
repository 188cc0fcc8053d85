import uuid

import sqlalchemy as sa
from flask_smorest import Blueprint

from app.api.context import current_principal, db_session, token_required
from app.api.helpers import BEARER, page_body
from app.api.standards import standard_body
from app.models import Standard
from app.services import standards as service
from schemas.common import PageArgs, page_of
from schemas.standards import FrameworkCreateSchema, FrameworkListArgs, FrameworkSchema, StandardCreateSchema, StandardSchema

blp = Blueprint("frameworks", __name__, description="Frameworks of occupational standards")


class FrameworkListQuery(FrameworkListArgs, PageArgs):
    pass


def framework_body(framework, standard_count=None):
    return {
        "id": framework.id, "organization_id": framework.organization_id, "code": framework.code,
        "title": framework.title, "description": framework.description, "country": framework.country,
        "version": framework.version, "languages": framework.languages, "uri": framework.uri,
        "standard_count": standard_count, "created_at": framework.created_at, "updated_at": framework.updated_at,
    }


@blp.route("/frameworks", methods=["POST"])
@token_required
@blp.arguments(FrameworkCreateSchema)
@blp.response(201, FrameworkSchema)
@blp.doc(security=BEARER)
def create_framework(data):
    """Register a framework owned by the calling certification body or recognition authority."""
    return framework_body(service.create_framework(db_session(), current_principal(), data), 0)


@blp.route("/frameworks", methods=["GET"])
@blp.arguments(FrameworkListQuery, location="query")
@blp.response(200, page_of(FrameworkSchema))
def list_frameworks(args):
    """List frameworks."""
    items, total = service.list_frameworks(
        db_session(), country=args.get("country"), organization_id=args.get("organization_id"),
        page=args["page"], per_page=args["per_page"],
    )
    return page_body([framework_body(f) for f in items], total, args["page"], args["per_page"])


@blp.route("/frameworks/<uuid:framework_id>", methods=["GET"])
@blp.response(200, FrameworkSchema)
def get_framework(framework_id: uuid.UUID):
    """Read one framework."""
    session = db_session()
    framework = service.get_framework(session, framework_id)
    count = session.scalar(sa.select(sa.func.count()).where(Standard.framework_id == framework.id))
    return framework_body(framework, count)


@blp.route("/frameworks/<uuid:framework_id>/standards", methods=["POST"])
@token_required
@blp.arguments(StandardCreateSchema)
@blp.response(201, StandardSchema)
@blp.doc(security=BEARER)
def create_standard(data, framework_id: uuid.UUID):
    """Add a standard (as a draft, version 1) with its skill map to one of your frameworks."""
    session, principal = db_session(), current_principal()
    version = service.create_standard(session, principal, framework_id, data)
    return standard_body(*service.get_standard(session, principal, version.standard_id, version.version))
