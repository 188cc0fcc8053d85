from datetime import timezone

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from schemas.common import PageArgs

DIRECTIONS = ("one_way", "both")
AGREEMENT_STATUSES = ("draft", "awaiting_signatures", "pending", "active", "expired", "terminated")


def _moment(**kwargs):
    """An ISO 8601 date-time; one without a zone is taken as UTC."""
    return fields.AwareDateTime(default_timezone=timezone.utc, **kwargs)


class ConditionSchema(Schema):
    """A machine-readable condition: a `type` plus any parameters it needs."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{0,99}$", error="a snake_case name such as gap_skills_must_be_assessed"),
        metadata={"example": "gap_skills_must_be_assessed"})


class AgreementFieldsSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=500))
    mapping_set_id = fields.UUID()
    mapping_set_version = fields.Integer(validate=validate.Range(min=1),
                                         metadata={"description": "default: the set's latest version"})
    direction = fields.String(validate=validate.OneOf(DIRECTIONS),
                              metadata={"description": "one_way: the source framework's certificates are "
                                                       "recognised against the target; both: each way"})
    conditions_text = fields.String(validate=validate.Length(max=20000), allow_none=True,
                                    metadata={"description": "conditions in free text"})
    conditions = fields.List(fields.Nested(ConditionSchema), validate=validate.Length(max=100), allow_none=True,
                             metadata={"description": "machine-readable conditions"})
    valid_from = _moment()
    valid_until = _moment()

    @validates_schema
    def _period(self, data, **_kwargs):
        if "valid_from" in data and "valid_until" in data and data["valid_until"] <= data["valid_from"]:
            raise ValidationError("must be after valid_from", field_name="valid_until")


class AgreementCreateSchema(AgreementFieldsSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    parties = fields.List(fields.UUID(), required=True,
                          validate=validate.Length(min=2, max=50, error="name two or more recognition authorities"),
                          metadata={"description": "organisation ids of the recognition authorities, yours included"})
    mapping_set_id = fields.UUID(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    valid_from = _moment(required=True)
    valid_until = _moment(required=True)


class AgreementUpdateSchema(AgreementFieldsSchema):
    """What changes; anything left out stays. Refused with 409 once anyone has signed."""

    @validates_schema
    def _something_changes(self, data, **_kwargs):
        if not data:
            raise ValidationError("give at least one field to change")


class AgreementVersionCreateSchema(AgreementUpdateSchema):
    """What changes in the new version; anything left out is carried over. Parties stay the same."""


class AgreementTerminateSchema(Schema):
    reason = fields.String(validate=validate.Length(max=2000), allow_none=True)


class AgreementPartySchema(Schema):
    organization_id = fields.UUID()
    name = fields.String()
    country = fields.String()
    did = fields.String()
    signed = fields.Boolean()


class AgreementSignatureSchema(Schema):
    id = fields.UUID()
    signer_organization_id = fields.UUID()
    kid = fields.String(metadata={"description": "DID URL of the signing key"})
    jws = fields.String(metadata={"description": "compact JWS (EdDSA, typ JWT) over the content hash"})
    content_hash = fields.String()
    signed_at = fields.DateTime()


class AgreementSchema(Schema):
    id = fields.UUID()
    series_id = fields.UUID(metadata={"description": "shared by every version of the agreement (id of version 1)"})
    version = fields.Integer()
    supersedes_id = fields.UUID(allow_none=True, metadata={"description": "the version this one replaces"})
    superseded_by_id = fields.UUID(allow_none=True, metadata={"description": "the next version, if one exists"})
    title = fields.String()
    status = fields.String(metadata={"enum": list(AGREEMENT_STATUSES)})
    direction = fields.String()
    mapping_set = fields.Dict(metadata={"description": "the pinned set version: id, version, content_hash"})
    conditions = fields.Dict(metadata={"description": "text and rules"})
    valid_from = fields.DateTime()
    valid_until = fields.DateTime()
    content = fields.Dict(metadata={"description": "the exact object content_hash is computed over"})
    content_hash = fields.String(metadata={"description": "SHA-256 hex of the RFC 8785 canonical JSON of `content`"})
    parties = fields.List(fields.Nested(AgreementPartySchema))
    signatures = fields.List(fields.Nested(AgreementSignatureSchema))
    created_by_id = fields.UUID()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    terminated_at = fields.DateTime(allow_none=True)
    terminated_by_id = fields.UUID(allow_none=True)
    termination_reason = fields.String(allow_none=True)


class AgreementSignResultSchema(AgreementSignatureSchema):
    agreement_id = fields.UUID()
    status = fields.String(metadata={"description": "the agreement's status after this signature"})


class AgreementListArgs(PageArgs):
    party_id = fields.UUID(metadata={"description": "only agreements this organisation is party to"})
