from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from schemas.common import PageArgs

SKOS_PREDICATES = ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch")
CURIE = r"^[A-Za-z][A-Za-z0-9_.-]*:[A-Za-z0-9_.-]+$"


class SkosPredicate(fields.String):
    """A SKOS mapping predicate, as 'skos:exactMatch' or 'exactMatch'; loaded as the CURIE."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"example": "skos:closeMatch", "enum": list(SKOS_PREDICATES)})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        curie = text if text.startswith("skos:") else f"skos:{text}"
        if curie not in SKOS_PREDICATES:
            raise ValidationError(f"must be one of {', '.join(SKOS_PREDICATES)}")
        return curie


class SkillMappingInSchema(Schema):
    source_skill_id = fields.UUID(required=True)
    target_skill_id = fields.UUID(required=True)
    predicate = SkosPredicate(required=True)
    predicate_modifier = fields.String(validate=validate.OneOf(["Not"]), allow_none=True)


class MappingFieldsSchema(Schema):
    predicate_modifier = fields.String(validate=validate.OneOf(["Not"]), allow_none=True,
                                       metadata={"description": "SSSOM predicate_modifier: 'Not' for an explicit non-equivalence"})
    confidence = fields.Float(validate=validate.Range(min=0, max=1), allow_none=True)
    justification = fields.String(validate=validate.Regexp(CURIE, error="must be a CURIE such as semapv:ManualMappingCuration"),
                                  metadata={"example": "semapv:ManualMappingCuration"})
    comment = fields.String(validate=validate.Length(max=10000), allow_none=True)
    author_label = fields.String(validate=validate.Length(max=300))
    source_version = fields.Integer(validate=validate.Range(min=1), metadata={"description": "default: current"})
    target_version = fields.Integer(validate=validate.Range(min=1), metadata={"description": "default: current"})
    skill_mappings = fields.List(fields.Nested(SkillMappingInSchema), validate=validate.Length(max=5000))


class MappingCreateSchema(MappingFieldsSchema):
    source_standard_id = fields.UUID(required=True)
    target_standard_id = fields.UUID(required=True)
    predicate = SkosPredicate(required=True)


class MappingReviseSchema(MappingFieldsSchema):
    predicate = SkosPredicate()


class ReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["validated", "rejected"]))
    comment = fields.String(validate=validate.Length(max=10000))
    reviewer_label = fields.String(validate=validate.Length(max=300))


class CoverageSchema(Schema):
    covered = fields.List(fields.Dict())
    gaps = fields.List(fields.Dict())
    essential_total = fields.Integer()
    essential_covered = fields.Integer()
    essential_ratio = fields.Float()
    optional_total = fields.Integer()
    optional_covered = fields.Integer()
    optional_ratio = fields.Float()


class StandardRefSchema(Schema):
    standard_id = fields.UUID()
    version = fields.Integer()
    version_id = fields.UUID()
    code = fields.String()
    title = fields.Dict()
    framework_id = fields.UUID()
    country = fields.String()


class SkillMappingSchema(Schema):
    source_skill_id = fields.UUID()
    target_skill_id = fields.UUID()
    predicate = fields.String()
    predicate_modifier = fields.String(allow_none=True)


class RevisionRefSchema(Schema):
    revision = fields.Integer()
    status = fields.String()
    created_at = fields.DateTime()
    deprecated_at = fields.DateTime(allow_none=True)


class MappingSchema(Schema):
    id = fields.UUID()
    revision = fields.Integer()
    status = fields.String()
    source = fields.Nested(StandardRefSchema)
    target = fields.Nested(StandardRefSchema)
    predicate = fields.String()
    predicate_modifier = fields.String(allow_none=True)
    confidence = fields.Float(allow_none=True)
    justification = fields.String()
    comment = fields.String(allow_none=True)
    author_organization_id = fields.UUID()
    author = fields.String()
    reviewer_organization_id = fields.UUID(allow_none=True)
    reviewer = fields.String(allow_none=True)
    review_comment = fields.String(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    skill_mappings = fields.List(fields.Nested(SkillMappingSchema))
    coverage = fields.Nested(CoverageSchema, metadata={"description": "what the source covers of the target"})
    reverse_coverage = fields.Nested(CoverageSchema, metadata={"description": "what the target covers of the source"})
    revisions = fields.List(fields.Nested(RevisionRefSchema))


class MappingGetArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    revision = fields.Integer(validate=validate.Range(min=1))


class MappingListArgs(PageArgs):
    source_standard_id = fields.UUID()
    target_standard_id = fields.UUID()
    standard_id = fields.UUID(metadata={"description": "either side"})
    status = fields.String(validate=validate.OneOf(["candidate", "validated", "rejected", "deprecated"]))
    author_organization_id = fields.UUID()


class EquivalentsArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    country = fields.String(validate=validate.Length(equal=2))
    framework = fields.String(metadata={"description": "framework id or code"})
    status = fields.String(load_default="validated", validate=validate.OneOf(["validated", "candidate", "all"]),
                           metadata={"description": "validated (default), candidate, or all (both)"})


class EquivalentSchema(Schema):
    standard = fields.Dict()
    direction = fields.String(metadata={"description": "forward: this standard is the mapping's source"})
    predicate = fields.String(metadata={"description": "read from this standard to the other"})
    predicate_modifier = fields.String(allow_none=True)
    confidence = fields.Float(allow_none=True)
    coverage = fields.Nested(CoverageSchema, metadata={"description": "what this standard covers of the other"})
    mapping = fields.Dict()
    agreements = fields.List(fields.Dict())
    recognised = fields.Boolean()


class EquivalentsSchema(Schema):
    standard_id = fields.UUID()
    items = fields.List(fields.Nested(EquivalentSchema))
    total = fields.Integer()
