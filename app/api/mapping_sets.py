import uuid

from flask import current_app, request
from flask_smorest import Blueprint
from werkzeug.exceptions import UnsupportedMediaType

from app.api.context import current_principal, db_session, token_required
from app.api.helpers import BEARER, page_body
from app.errors import ImportRejected, InvalidInput
from app.services import mapping_sets as service
from app.services import sssom
from app.services.access import require_kind
from app.services.mappings import MAPPING_AUTHORITY
from schemas.common import page_of
from schemas.mapping_sets import (
    MappingSetCreateSchema, MappingSetGetArgs, MappingSetListArgs, MappingSetSchema, MappingSetSummarySchema,
    MappingSetVersionCreateSchema, SssomImportArgs, SssomImportSummarySchema,
)

blp = Blueprint("mapping_sets", __name__,
                description="Named, versioned sets of validated mappings, with a content hash and SSSOM/TSV")

TSV_BODY = {
    "required": True,
    "content": {
        sssom.CONTENT_TYPE: {"schema": {"type": "string"}},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}},
    },
}


def _base_url():
    return current_app.config["PUBLIC_BASE_URL"]


def set_body(mapping_set, version, history):
    content = version.content
    return {
        "id": mapping_set.id, "version": version.version, "latest_version": mapping_set.latest_version,
        "content_hash": version.content_hash, "title": content["title"], "description": content["description"],
        "license": content["license"], "source_framework": content["source_framework"],
        "target_framework": content["target_framework"], "owner_organization_id": mapping_set.owner_organization_id,
        "created_at": version.created_at,
        "entries": [{"mapping_id": e.mapping_id, "revision_id": e.revision_id, "revision": e.revision}
                    for e in version.entries],
        "content": content, "versions": history,
        "sssom_url": f"{sssom.mapping_set_url(_base_url(), mapping_set.id)}/sssom.tsv?version={version.version}",
    }


def _framework_ref(framework):
    return {"id": str(framework.id), "code": framework.code, "version": framework.version,
            "country": framework.country}


def _read(mapping_set_id, version=None):
    return set_body(*service.get_mapping_set(db_session(), mapping_set_id, version))


@blp.route("/mapping-sets", methods=["POST"])
@token_required
@blp.arguments(MappingSetCreateSchema)
@blp.response(201, MappingSetSchema)
@blp.doc(security=BEARER)
def create_mapping_set(data):
    """Pin the current, validated revisions of mappings from one framework to another as a set (version 1)."""
    version = service.create_mapping_set(db_session(), current_principal(), data)
    return _read(version.mapping_set_id)


@blp.route("/mapping-sets", methods=["GET"])
@blp.arguments(MappingSetListArgs, location="query")
@blp.response(200, page_of(MappingSetSummarySchema))
def list_mapping_sets(args):
    """List mapping sets (their latest versions), filtered by framework or owner."""
    rows, total = service.list_mapping_sets(db_session(), args, args["page"], args["per_page"])
    items = [{"id": s.id, "version": v.version, "content_hash": v.content_hash, "title": v.title,
              "source_framework": _framework_ref(source), "target_framework": _framework_ref(target),
              "owner_organization_id": s.owner_organization_id, "mappings": count, "created_at": v.created_at}
             for s, v, count, source, target in rows]
    return page_body(items, total, args["page"], args["per_page"])


@blp.route("/mapping-sets/<uuid:mapping_set_id>", methods=["GET"])
@blp.arguments(MappingSetGetArgs, location="query")
@blp.response(200, MappingSetSchema)
def get_mapping_set(args, mapping_set_id: uuid.UUID):
    """Read a mapping set version (default: the latest) with its pinned entries, content and hash."""
    return _read(mapping_set_id, args.get("version"))


@blp.route("/mapping-sets/<uuid:mapping_set_id>/versions", methods=["POST"])
@token_required
@blp.arguments(MappingSetVersionCreateSchema)
@blp.response(201, MappingSetSchema)
@blp.doc(security=BEARER)
def create_version(data, mapping_set_id: uuid.UUID):
    """Make a new version (new title, description, licence and/or mapping_ids); earlier versions stay readable."""
    version = service.create_version(db_session(), current_principal(), mapping_set_id, data)
    return _read(mapping_set_id, version.version)


@blp.route("/mapping-sets/<uuid:mapping_set_id>/sssom.tsv", methods=["GET"])
@blp.arguments(MappingSetGetArgs, location="query")
@blp.response(200, content_type=sssom.CONTENT_TYPE)
@blp.doc(responses={"200": {"description": "SSSOM/TSV with its embedded YAML metadata block",
                            "content": {sssom.CONTENT_TYPE: {"schema": {"type": "string"}}}}})
def export_sssom(args, mapping_set_id: uuid.UUID):
    """The mapping set version as SSSOM/TSV: one row per mapping, then one per skill-level mapping."""
    filename, text = sssom.export_tsv(db_session(), mapping_set_id, args.get("version"), _base_url())
    response = current_app.response_class(text, mimetype=sssom.CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _uploaded_text():
    """The TSV from the body (text/tab-separated-values) or from the multipart part named `file`."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput("a multipart upload needs the TSV in a part named 'file'",
                               errors={"file": ["missing"]})
        raw = upload.read()
    elif request.mimetype in (sssom.CONTENT_TYPE, "text/plain"):
        raw = request.get_data()
    else:
        raise UnsupportedMediaType(f"send the file as {sssom.CONTENT_TYPE} or as multipart/form-data (part 'file')")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportRejected(f"the file is not UTF-8 (byte {exc.start}); nothing was imported",
                             reason="SSSOM/TSV files must be UTF-8") from None


@blp.route("/mapping-sets/import", methods=["POST"])
@token_required
@blp.arguments(SssomImportArgs, location="query")
@blp.response(200, SssomImportSummarySchema)
@blp.doc(security=BEARER, requestBody=TSV_BODY)
def import_sssom(args):
    """Import SSSOM/TSV rows as your mappings: new pairs become candidates, changed ones new revisions.

    Rows are matched to published standards by registry id or by standard URI; any rejected row
    refuses the whole file unless allow_rejects=true.
    """
    # Role first, so that a caller who may not import learns that before anything about the body.
    principal = require_kind(current_principal(), MAPPING_AUTHORITY)
    return sssom.import_tsv(db_session(), principal, _uploaded_text(), _base_url(), allow_rejects=args["allow_rejects"])
