import uuid

from flask import current_app
from flask_smorest import Blueprint

from app.api.context import current_principal, db_session, token_required
from app.api.helpers import BEARER, page_body
from app.db import utcnow
from app.services import accreditations as service
from app.services.dids import did_for
from schemas.accreditations import (
    AccreditationCreateSchema, AccreditationRevokeSchema, AccreditationSchema, TrustRegistryArgs,
)
from schemas.common import PageArgs, page_of

blp = Blueprint("accreditations", __name__, description="Accreditations of certification bodies: the trust registry")


class TrustRegistryQuery(TrustRegistryArgs, PageArgs):
    pass


def _organization_ref(org):
    return {"id": org.id, "name": org.name, "country": org.country,
            "did": did_for(current_app.config["PUBLIC_BASE_URL"], org.slug)}


def accreditation_body(accreditation, at):
    framework = accreditation.framework
    return {
        "id": accreditation.id, "certification_body_id": accreditation.certification_body_id,
        "framework_id": accreditation.framework_id, "accredited_by_id": accreditation.accredited_by_id,
        "certification_body": _organization_ref(accreditation.certification_body),
        "accredited_by": _organization_ref(accreditation.accredited_by),
        "framework": {"id": framework.id, "code": framework.code, "title": framework.title,
                      "country": framework.country, "version": framework.version},
        "whole_framework": accreditation.whole_framework,
        "standard_ids": [link.standard_id for link in accreditation.standards],
        "valid_from": accreditation.valid_from, "valid_until": accreditation.valid_until,
        "status": service.status_at(accreditation, at), "revoked_at": accreditation.revoked_at,
        "revocation_reason": accreditation.revocation_reason, "created_at": accreditation.created_at,
    }


@blp.route("/accreditations", methods=["POST"])
@token_required
@blp.arguments(AccreditationCreateSchema)
@blp.response(201, AccreditationSchema)
@blp.doc(security=BEARER)
def create_accreditation(data):
    """Accredit a certification body of your country for a framework, or some of its standards."""
    accreditation = service.create_accreditation(db_session(), current_principal(), data)
    return accreditation_body(accreditation, utcnow())


@blp.route("/accreditations/<uuid:accreditation_id>", methods=["GET"])
@blp.response(200, AccreditationSchema)
def get_accreditation(accreditation_id: uuid.UUID):
    """Read one accreditation (public), with its status now."""
    return accreditation_body(service.get_accreditation(db_session(), accreditation_id), utcnow())


@blp.route("/accreditations/<uuid:accreditation_id>/revoke", methods=["POST"])
@token_required
@blp.arguments(AccreditationRevokeSchema)
@blp.response(200, AccreditationSchema)
@blp.doc(security=BEARER)
def revoke_accreditation(data, accreditation_id: uuid.UUID):
    """Revoke an accreditation you granted, from now on, with a reason shown in the trust registry."""
    accreditation = service.revoke_accreditation(db_session(), current_principal(), accreditation_id, data["reason"])
    return accreditation_body(accreditation, utcnow())


@blp.route("/trust-registry", methods=["GET"])
@blp.arguments(TrustRegistryQuery, location="query")
@blp.response(200, page_of(AccreditationSchema, "TrustRegistryPage"))
def trust_registry(args):
    """The trust registry (public): who is accredited for what, with statuses at `at` (default now)."""
    at = args.get("at") or utcnow()
    items, total = service.trust_registry(db_session(), args, at, args["page"], args["per_page"])
    return page_body([accreditation_body(a, at) for a in items], total, args["page"], args["per_page"])
