from marshmallow import EXCLUDE, Schema, fields, validate

from schemas.fields import Country, Isco08, LanguageListMap, LanguageMap, Level, validate_language_tag

STATUSES = ("draft", "published", "retired")


class FrameworkCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    description = fields.String(validate=validate.Length(max=20000))
    country = Country(required=True)
    version = fields.String(required=True, validate=validate.Length(min=1, max=50))
    languages = fields.List(fields.String(validate=validate_language_tag), validate=validate.Length(min=1, max=20))
    uri = fields.Url(validate=validate.Length(max=500))


class FrameworkSchema(Schema):
    id = fields.UUID()
    organization_id = fields.UUID()
    code = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    country = fields.String()
    version = fields.String()
    languages = fields.List(fields.String())
    uri = fields.String(allow_none=True)
    standard_count = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class FrameworkListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    country = Country()
    organization_id = fields.UUID()


class SkillInSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title = LanguageMap(max_length=1000)
    description = LanguageMap()
    essential = fields.Boolean(load_default=True)
    uri = fields.Url(validate=validate.Length(max=500))
    skill_type = fields.String(validate=validate.OneOf(["skill", "knowledge", "competence", "task", "technology"]))


class StandardCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title = LanguageMap(required=True, max_length=1000)
    description = LanguageMap()
    alt_labels = LanguageListMap()
    level = Level(validate=validate.Length(min=1, max=50), allow_none=True)
    eqf_level = fields.Integer(validate=validate.Range(min=1, max=8), allow_none=True)
    isco08 = Isco08(allow_none=True)
    uri = fields.Url(validate=validate.Length(max=500), allow_none=True)
    skills = fields.List(fields.Nested(SkillInSchema), validate=validate.Length(max=5000))


class StandardUpdateSchema(StandardCreateSchema):
    """Every field optional; `code` cannot change (it identifies the standard in its framework)."""

    class Meta:
        exclude = ("code",)

    title = LanguageMap(max_length=1000)


class SkillOutSchema(Schema):
    id = fields.UUID()
    code = fields.String()
    uri = fields.String(allow_none=True)
    title = fields.Dict()
    description = fields.Dict()
    skill_type = fields.String(allow_none=True)
    essential = fields.Boolean()
    position = fields.Integer()


class FrameworkRefSchema(Schema):
    id = fields.UUID()
    code = fields.String()
    title = fields.String()
    country = fields.String()
    version = fields.String()
    organization_id = fields.UUID()


class VersionRefSchema(Schema):
    version = fields.Integer()
    status = fields.String()
    published_at = fields.DateTime(allow_none=True)


class StandardSchema(Schema):
    id = fields.UUID()
    version_id = fields.UUID()
    code = fields.String()
    version = fields.Integer()
    status = fields.String()
    title = fields.Dict()
    description = fields.Dict()
    alt_labels = fields.Dict()
    level = fields.String(allow_none=True)
    eqf_level = fields.Integer(allow_none=True)
    isco08 = fields.String(allow_none=True)
    uri = fields.String(allow_none=True)
    content_hash = fields.String()
    framework = fields.Nested(FrameworkRefSchema)
    country = fields.String()
    skills = fields.List(fields.Nested(SkillOutSchema))
    versions = fields.List(fields.Nested(VersionRefSchema))
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    retired_at = fields.DateTime(allow_none=True)


class StandardSummarySchema(Schema):
    id = fields.UUID()
    code = fields.String()
    version = fields.Integer()
    status = fields.String()
    title = fields.Dict()
    description = fields.Dict()
    level = fields.String(allow_none=True)
    eqf_level = fields.Integer(allow_none=True)
    isco08 = fields.String(allow_none=True)
    uri = fields.String(allow_none=True)
    framework_id = fields.UUID()
    framework_code = fields.String()
    country = fields.String()
    published_at = fields.DateTime(allow_none=True)
    score = fields.Float(allow_none=True, metadata={"description": "relevance to q; higher is better"})


class StandardSearchArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(validate=validate.Length(max=500))
    country = Country()
    framework = fields.String(metadata={"description": "framework id or code"})
    isco08 = Isco08(metadata={"description": "ISCO-08 code prefix: 741 finds 7411"})
    level = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))


class StandardGetArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    version = fields.Integer(validate=validate.Range(min=1))
