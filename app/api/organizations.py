import uuid

from flask import current_app
from flask_smorest import Blueprint

from app.api.context import current_principal, db_session, token_required
from app.api.helpers import BEARER, page_body
from app.services import organizations as service
from app.services.dids import did_for
from schemas.common import PageArgs, page_of
from schemas.organizations import (
    ClientCreateSchema, ClientSchema, OrganizationCreateSchema, OrganizationListArgs, OrganizationSchema,
)

blp = Blueprint("organizations", __name__, description="Organisations and their API clients")


class OrganizationListQuery(OrganizationListArgs, PageArgs):
    pass


def organization_body(org):
    return {
        "id": org.id, "name": org.name, "country": org.country, "kind": org.kind, "slug": org.slug,
        "did": did_for(current_app.config["PUBLIC_BASE_URL"], org.slug), "created_at": org.created_at,
    }


def client_body(client, secret=None):
    body = {
        "id": client.id, "client_id": client.client_id, "name": client.name,
        "organization_id": client.organization_id, "created_at": client.created_at,
        "revoked_at": client.revoked_at,
    }
    if secret is not None:
        body["client_secret"] = secret
    return body


@blp.route("/organizations", methods=["POST"])
@token_required
@blp.arguments(OrganizationCreateSchema)
@blp.response(201, OrganizationSchema)
@blp.doc(security=BEARER)
def create_organization(data):
    """Register an organisation (registry admin only)."""
    org = service.create_organization(db_session(), current_principal(), data)
    return organization_body(org)


@blp.route("/organizations", methods=["GET"])
@blp.arguments(OrganizationListQuery, location="query")
@blp.response(200, page_of(OrganizationSchema))
def list_organizations(args):
    """List organisations (public directory)."""
    items, total = service.list_organizations(
        db_session(), kind=args.get("kind"), country=args.get("country"), page=args["page"], per_page=args["per_page"]
    )
    return page_body([organization_body(o) for o in items], total, args["page"], args["per_page"])


@blp.route("/organizations/<uuid:organization_id>", methods=["GET"])
@blp.response(200, OrganizationSchema)
def get_organization(organization_id: uuid.UUID):
    """Read one organisation."""
    return organization_body(service.get_organization(db_session(), organization_id))


@blp.route("/organizations/<uuid:organization_id>/clients", methods=["POST"])
@token_required
@blp.arguments(ClientCreateSchema)
@blp.response(201, ClientSchema)
@blp.doc(security=BEARER)
def create_client(data, organization_id: uuid.UUID):
    """Create an API client; the secret is returned this once and stored only as a hash."""
    client, secret = service.create_client(db_session(), current_principal(), organization_id, data.get("name"))
    return client_body(client, secret), 201, {"Cache-Control": "no-store"}


@blp.route("/organizations/<uuid:organization_id>/clients/<string:client_id>", methods=["DELETE"])
@token_required
@blp.response(200, ClientSchema)
@blp.doc(security=BEARER)
def revoke_client(organization_id: uuid.UUID, client_id: str):
    """Revoke an API client: its tokens stop working at once."""
    client = service.revoke_client(db_session(), current_principal(), organization_id, client_id)
    return client_body(client)
