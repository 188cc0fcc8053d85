import uuid

from flask import current_app
from flask_smorest import Blueprint

from app.api.context import current_principal, db_session, token_required
from app.api.helpers import BEARER, page_body
from app.services import agreements as service
from schemas.agreements import (
    AgreementCreateSchema, AgreementListArgs, AgreementSchema, AgreementSignResultSchema, AgreementTerminateSchema,
    AgreementUpdateSchema, AgreementVersionCreateSchema,
)
from schemas.common import page_of

blp = Blueprint("agreements", __name__,
                description="Mutual recognition agreements between recognition authorities, signed by each party")


def _base_url():
    return current_app.config["PUBLIC_BASE_URL"]


def _signature_body(s):
    return {"id": s.id, "signer_organization_id": s.organization_id, "kid": s.kid, "jws": s.jws,
            "content_hash": s.content_hash, "signed_at": s.signed_at}


def agreement_body(agreement):
    content = agreement.content
    signed = {s.organization_id for s in agreement.signatures}
    return {
        "id": agreement.id, "series_id": agreement.series_id, "version": agreement.version,
        "supersedes_id": agreement.supersedes_id,
        "superseded_by_id": service.later_version_id(db_session(), agreement), "title": agreement.title,
        "status": service.status_of(agreement), "direction": agreement.direction,
        "mapping_set": content["mapping_set"], "conditions": content["conditions"],
        "valid_from": agreement.valid_from, "valid_until": agreement.valid_until,
        "content": content, "content_hash": agreement.content_hash,
        "parties": [{**p, "signed": uuid.UUID(p["organization_id"]) in signed} for p in content["parties"]],
        "signatures": [_signature_body(s) for s in agreement.signatures],
        "created_by_id": agreement.created_by_id, "created_at": agreement.created_at,
        "updated_at": agreement.updated_at, "terminated_at": agreement.terminated_at,
        "terminated_by_id": agreement.terminated_by_id, "termination_reason": agreement.termination_reason,
    }


@blp.route("/agreements", methods=["POST"])
@token_required
@blp.arguments(AgreementCreateSchema)
@blp.response(201, AgreementSchema)
@blp.doc(security=BEARER)
def create_agreement(data):
    """Draft an agreement between recognition authorities of different countries, pinning a mapping set version."""
    agreement = service.create_agreement(db_session(), current_principal(), data, _base_url())
    return agreement_body(service.get_agreement(db_session(), agreement.id))


@blp.route("/agreements", methods=["GET"])
@blp.arguments(AgreementListArgs, location="query")
@blp.response(200, page_of(AgreementSchema))
def list_agreements(args):
    """List agreements, optionally those an organisation is party to."""
    rows, total = service.list_agreements(db_session(), args, args["page"], args["per_page"])
    return page_body([agreement_body(a) for a in rows], total, args["page"], args["per_page"])


@blp.route("/agreements/<uuid:agreement_id>", methods=["GET"])
@blp.response(200, AgreementSchema)
def get_agreement(agreement_id: uuid.UUID):
    """Read an agreement: status (computed now), content, content_hash, parties and signatures."""
    return agreement_body(service.get_agreement(db_session(), agreement_id))


@blp.route("/agreements/<uuid:agreement_id>", methods=["PATCH"])
@token_required
@blp.arguments(AgreementUpdateSchema)
@blp.response(200, AgreementSchema)
@blp.doc(security=BEARER)
def update_agreement(data, agreement_id: uuid.UUID):
    """Change an unsigned agreement (the hash is recomputed); refused with 409 once any party has signed."""
    service.update_agreement(db_session(), current_principal(), agreement_id, data, _base_url())
    return agreement_body(service.get_agreement(db_session(), agreement_id))


@blp.route("/agreements/<uuid:agreement_id>/versions", methods=["POST"])
@token_required
@blp.arguments(AgreementVersionCreateSchema)
@blp.response(201, AgreementSchema)
@blp.doc(security=BEARER)
def create_version(data, agreement_id: uuid.UUID):
    """Change a signed agreement: a new draft version (version + 1, same parties) to be signed afresh."""
    agreement = service.create_version(db_session(), current_principal(), agreement_id, data, _base_url())
    return agreement_body(service.get_agreement(db_session(), agreement.id))


@blp.route("/agreements/<uuid:agreement_id>/signatures", methods=["POST"])
@token_required
@blp.response(201, AgreementSignResultSchema)
@blp.doc(security=BEARER)
def sign_agreement(agreement_id: uuid.UUID):
    """Sign as a party with your organisation's key: returns the compact JWS over the content hash."""
    session = db_session()
    signature = service.sign_agreement(session, current_principal(), current_app.extensions["registry"].key_encryption,
                                       agreement_id, _base_url())
    agreement = service.get_agreement(session, agreement_id)
    return {**_signature_body(signature), "agreement_id": agreement_id, "status": service.status_of(agreement)}


@blp.route("/agreements/<uuid:agreement_id>/terminate", methods=["POST"])
@token_required
@blp.arguments(AgreementTerminateSchema)
@blp.response(200, AgreementSchema)
@blp.doc(security=BEARER)
def terminate_agreement(data, agreement_id: uuid.UUID):
    """Terminate the agreement now, as a party; it then reads as terminated."""
    service.terminate_agreement(db_session(), current_principal(), agreement_id, data.get("reason"))
    return agreement_body(service.get_agreement(db_session(), agreement_id))
