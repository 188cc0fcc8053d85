"""CASE 1.0 reads under /ims/case/v1p0 (public, published content only) and the CASE import under /api/v1.

The paths are CASE's, so this blueprint is registered without a prefix and names them in full.
"""
import uuid

from flask import current_app, request
from flask_smorest import Blueprint

from app.api.context import current_principal, db_session, token_required
from app.api.helpers import BEARER
from app.services import case as service
from schemas.case import (
    CaseImportArgs, CaseListArgs, CFAssociationGroupingSchema, CFAssociationSchema, CFAssociationSetSchema,
    CFDocumentSchema, CFDocumentSetSchema, CFItemSchema, CFPackageInSchema, CFPackageSchema, ImportSummarySchema,
)

blp = Blueprint("case", __name__, description="1EdTech CASE 1.0: frameworks as CFPackages, and their import")

CASE = service.CASE_PATH


def _base_url():
    return current_app.config["PUBLIC_BASE_URL"]


@blp.route(f"{CASE}/CFPackages/<uuid:framework_id>", methods=["GET"])
@blp.response(200, CFPackageSchema)
def get_package(framework_id: uuid.UUID):
    """A framework's published standards and skills as a CASE CFPackage."""
    package = service.package(db_session(), framework_id, _base_url())
    # Returned as built, not dumped through the schema (which documents it): a framework the size of
    # ESCO has 150,000 associations, and marshmallow would add 5 s re-serialising what the service
    # already built in CASE's exact shape. The tests validate it against the official CASE schema.
    return current_app.json.response(package)


@blp.route(f"{CASE}/CFDocuments", methods=["GET"])
@blp.arguments(CaseListArgs, location="query")
@blp.response(200, CFDocumentSetSchema)
def list_documents(args):
    """Every framework as a CFDocument, paginated with limit and offset (X-Total-Count has the total)."""
    items, total = service.documents(db_session(), _base_url(), args["limit"], args["offset"])
    return {"CFDocuments": items}, 200, {"X-Total-Count": str(total), **_page_links(args, total)}


def _page_links(args, total):
    """RFC 8288 Link header with next and prev pages, as the CASE REST binding describes."""
    limit, offset = args["limit"], args["offset"]
    base = f"{_base_url()}{request.path}"
    links = []
    if offset + limit < total:
        links.append(f'<{base}?limit={limit}&offset={offset + limit}>; rel="next"')
    if offset > 0:
        links.append(f'<{base}?limit={limit}&offset={max(offset - limit, 0)}>; rel="prev"')
    return {"Link": ", ".join(links)} if links else {}


@blp.route(f"{CASE}/CFDocuments/<uuid:framework_id>", methods=["GET"])
@blp.response(200, CFDocumentSchema)
def get_document(framework_id: uuid.UUID):
    """One framework as a CFDocument."""
    return service.document(db_session(), framework_id, _base_url())


@blp.route(f"{CASE}/CFItems/<uuid:item_id>", methods=["GET"])
@blp.response(200, CFItemSchema)
def get_item(item_id: uuid.UUID):
    """A published standard (CFItemType Occupation) or one of its skill units."""
    return service.item(db_session(), item_id, _base_url())


@blp.route(f"{CASE}/CFItemAssociations/<uuid:item_id>", methods=["GET"])
@blp.response(200, CFAssociationSetSchema)
def get_item_associations(item_id: uuid.UUID):
    """A CFItem with every association it takes part in."""
    return service.item_associations(db_session(), item_id, _base_url())


@blp.route(f"{CASE}/CFAssociations/<uuid:association_id>", methods=["GET"])
@blp.response(200, CFAssociationSchema)
def get_association(association_id: uuid.UUID):
    """One association of a published framework."""
    return service.association(db_session(), association_id, _base_url())


@blp.route(f"{CASE}/CFAssociationGroupings/<uuid:grouping_id>", methods=["GET"])
@blp.response(200, CFAssociationGroupingSchema)
def get_association_grouping(grouping_id: uuid.UUID):
    """The groupings the registry's associations use: essential and optional skill, ISCO-08, EQF level."""
    return service.grouping(grouping_id, _base_url())


@blp.route("/api/v1/frameworks/import", methods=["POST"])
@token_required
@blp.arguments(CFPackageInSchema)
@blp.arguments(CaseImportArgs, location="query")
@blp.response(201, ImportSummarySchema, description="a new framework was created")
@blp.alt_response(200, schema=ImportSummarySchema, description="an existing framework of yours was updated")
@blp.doc(security=BEARER)
def import_package(package, args):
    """Import a CASE 1.0 CFPackage (the JSON body) into a framework you own; nothing is written if it is refused."""
    summary = service.import_package(
        db_session(), current_principal(), package, country=args.get("country"), publish=args["publish"],
        allow_rejects=args["allow_rejects"],
    )
    return summary.as_dict(), 201 if summary.framework_created else 200
