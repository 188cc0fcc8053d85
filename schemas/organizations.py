from marshmallow import Schema, fields, validate

from schemas.fields import Country

ORGANIZATION_KINDS = ("certification_body", "recognition_authority", "employer", "reintegration_office")


class OrganizationCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    country = Country(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ORGANIZATION_KINDS))


class OrganizationSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    country = fields.String()
    kind = fields.String()
    slug = fields.String()
    did = fields.String()
    created_at = fields.DateTime()


class OrganizationListArgs(Schema):
    kind = fields.String(validate=validate.OneOf(ORGANIZATION_KINDS))
    country = Country()


class ClientCreateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))


class ClientSchema(Schema):
    id = fields.UUID()
    client_id = fields.String()
    client_secret = fields.String(metadata={"description": "shown once, at creation"})
    name = fields.String()
    organization_id = fields.UUID()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
