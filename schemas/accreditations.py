from datetime import timezone

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from schemas.fields import Country

ACCREDITATION_STATUSES = ("active", "pending", "expired", "revoked")


def _moment(**kwargs):
    """An ISO 8601 date-time; one without a zone is taken as UTC."""
    return fields.AwareDateTime(default_timezone=timezone.utc, **kwargs)


class AccreditationCreateSchema(Schema):
    certification_body_id = fields.UUID(required=True)
    framework_id = fields.UUID(required=True)
    standard_ids = fields.List(
        fields.UUID(), allow_none=True,
        validate=validate.Length(min=1, max=5000, error="list 1 to 5000 standards, or leave standard_ids out to "
                                                        "accredit the whole framework"),
        metadata={"description": "standards of the framework; left out, the accreditation covers the whole framework"},
    )
    valid_from = _moment(required=True)
    valid_until = _moment(required=True)

    @validates_schema
    def _period(self, data, **_kwargs):
        if "valid_from" in data and "valid_until" in data and data["valid_until"] <= data["valid_from"]:
            raise ValidationError("must be after valid_from", field_name="valid_until")


class AccreditationRevokeSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class TrustRegistryArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    certification_body_id = fields.UUID()
    framework_id = fields.UUID()
    country = Country(metadata={"description": "country of the certification body (ISO 3166-1 alpha-2)"})
    status = fields.String(load_default="active", validate=validate.OneOf(ACCREDITATION_STATUSES + ("all",)),
                           metadata={"description": "status at `at`; default active"})
    at = _moment(metadata={"description": "the moment statuses are judged at (default now)"})


class AccreditationPartySchema(Schema):
    id = fields.UUID()
    name = fields.String()
    country = fields.String()
    did = fields.String()


class AccreditedFrameworkSchema(Schema):
    id = fields.UUID()
    code = fields.String()
    title = fields.String()
    country = fields.String()
    version = fields.String()


class AccreditationSchema(Schema):
    id = fields.UUID()
    certification_body_id = fields.UUID()
    framework_id = fields.UUID()
    accredited_by_id = fields.UUID()
    certification_body = fields.Nested(AccreditationPartySchema)
    accredited_by = fields.Nested(AccreditationPartySchema)
    framework = fields.Nested(AccreditedFrameworkSchema)
    whole_framework = fields.Boolean()
    standard_ids = fields.List(fields.UUID())
    valid_from = fields.DateTime()
    valid_until = fields.DateTime()
    status = fields.String(metadata={"description": "active, pending, expired or revoked, at the time asked about"})
    revoked_at = fields.DateTime(allow_none=True)
    revocation_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
