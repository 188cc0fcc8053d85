from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from schemas.common import PageArgs

MAX_MAPPINGS = 10000


class MappingSetFieldsSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=500))
    description = fields.String(validate=validate.Length(max=10000), allow_none=True)
    license = fields.Url(validate=validate.Length(max=500), allow_none=True,
                         metadata={"description": "licence URL (default: https://creativecommons.org/licenses/by/4.0/)"})
    mapping_ids = fields.List(fields.UUID(), validate=validate.Length(min=1, max=MAX_MAPPINGS),
                              metadata={"description": "mappings whose current, validated revisions the set pins"})


class MappingSetCreateSchema(MappingSetFieldsSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    source_framework_id = fields.UUID(required=True)
    target_framework_id = fields.UUID(required=True)
    mapping_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=MAX_MAPPINGS),
                              metadata={"description": "mappings whose current, validated revisions the set pins"})


class MappingSetVersionCreateSchema(MappingSetFieldsSchema):
    """What changes in the new version; anything left out is carried over from the latest version."""

    @validates_schema
    def _something_changes(self, data, **_kwargs):
        if not data:
            raise ValidationError("give at least one of title, description, license, mapping_ids")


class PinnedEntrySchema(Schema):
    mapping_id = fields.UUID()
    revision_id = fields.UUID()
    revision = fields.Integer()


class MappingSetFrameworkSchema(Schema):
    id = fields.String()
    code = fields.String()
    version = fields.String()
    country = fields.String()


class MappingSetVersionRefSchema(Schema):
    version = fields.Integer()
    content_hash = fields.String()
    created_at = fields.DateTime()


class MappingSetSchema(Schema):
    id = fields.UUID()
    version = fields.Integer()
    latest_version = fields.Integer()
    content_hash = fields.String(metadata={"description": "SHA-256 hex of the RFC 8785 canonical JSON of `content`"})
    title = fields.String()
    description = fields.String(allow_none=True)
    license = fields.String()
    source_framework = fields.Nested(MappingSetFrameworkSchema)
    target_framework = fields.Nested(MappingSetFrameworkSchema)
    owner_organization_id = fields.UUID()
    created_at = fields.DateTime()
    entries = fields.List(fields.Nested(PinnedEntrySchema))
    content = fields.Dict(metadata={"description": "the exact object content_hash is computed over"})
    versions = fields.List(fields.Nested(MappingSetVersionRefSchema))
    sssom_url = fields.String()


class MappingSetSummarySchema(Schema):
    id = fields.UUID()
    version = fields.Integer()
    content_hash = fields.String()
    title = fields.String()
    source_framework = fields.Nested(MappingSetFrameworkSchema)
    target_framework = fields.Nested(MappingSetFrameworkSchema)
    owner_organization_id = fields.UUID()
    mappings = fields.Integer(metadata={"description": "how many mappings the latest version pins"})
    created_at = fields.DateTime()


class MappingSetGetArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    version = fields.Integer(validate=validate.Range(min=1), metadata={"description": "default: the latest"})


class MappingSetListArgs(PageArgs):
    source_framework_id = fields.UUID()
    target_framework_id = fields.UUID()
    framework_id = fields.UUID(metadata={"description": "either side"})
    owner_organization_id = fields.UUID()


class SssomImportArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    allow_rejects = fields.Boolean(load_default=False,
                                   metadata={"description": "import the valid rows even when some are rejected"})


class SssomRejectionSchema(Schema):
    row = fields.Integer(metadata={"description": "line of the file, counting the metadata lines"})
    reason = fields.String()


class SssomImportedSchema(Schema):
    row = fields.Integer()
    mapping_id = fields.UUID()
    revision = fields.Integer()
    outcome = fields.String(metadata={"enum": ["created", "revised", "unchanged"]})


class SssomImportSummarySchema(Schema):
    created = fields.Integer()
    revised = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.List(fields.Nested(SssomRejectionSchema))
    mappings = fields.List(fields.Nested(SssomImportedSchema))
