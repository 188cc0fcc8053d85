"""Equivalence suggestions: ranked candidates with the evidence behind each score."""
from marshmallow import EXCLUDE, Schema, fields, validate

from schemas.common import PageArgs


class SuggestionArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    framework = fields.String(required=True, validate=validate.Length(min=1, max=100),
                              metadata={"description": "target framework: its id, or its code when that is unique"})


class SuggestionFrameworkSchema(Schema):
    id = fields.UUID()
    code = fields.String()
    title = fields.String()
    country = fields.String()
    version = fields.String()


class SuggestedStandardSchema(Schema):
    id = fields.UUID()
    version_id = fields.UUID()
    code = fields.String()
    version = fields.Integer()
    title = fields.Dict()
    isco08 = fields.String(allow_none=True)
    level = fields.String(allow_none=True)
    uri = fields.String(allow_none=True)
    framework = fields.Nested(SuggestionFrameworkSchema)


class MatchedTermSchema(Schema):
    term = fields.String()
    contribution = fields.Float(metadata={"description": "this term's share of document_similarity"})


class LabelMatchSchema(Schema):
    source = fields.String()
    target = fields.String()
    similarity = fields.Float()


class SkillPairSchema(Schema):
    source = fields.String(metadata={"description": "a skill unit of the source standard"})
    target = fields.String(metadata={"description": "the target standard's skill unit with the closest title"})
    similarity = fields.Float()
    source_essential = fields.Boolean()
    target_essential = fields.Boolean()


class TextEvidenceSchema(Schema):
    document_similarity = fields.Float(metadata={"description": "word TF-IDF cosine of names, description and skills"})
    name_similarity = fields.Float(metadata={"description": "character n-gram TF-IDF cosine of titles and labels"})
    matched_terms = fields.List(fields.Nested(MatchedTermSchema))
    best_label_match = fields.Nested(LabelMatchSchema, allow_none=True)
    shared_skills = fields.List(fields.Nested(SkillPairSchema))


class ExplanationSchema(Schema):
    components = fields.Dict(keys=fields.String(), values=fields.Float(),
                             metadata={"description": "component scores, each 0..1"})
    weights = fields.Dict(keys=fields.String(), values=fields.Float(),
                          metadata={"description": "score = sum of weight x component over these keys"})
    text = fields.Nested(TextEvidenceSchema)
    isco = fields.Dict(allow_none=True, metadata={"description": "shared ISCO-08 digits, when both have codes"})
    crosswalk = fields.Dict(allow_none=True, metadata={"description": "the ISCO-08 groups a crosswalk connected"})
    level = fields.Dict(allow_none=True, metadata={"description": "ISCO-08 skill levels compared"})


class SuggestionSchema(SuggestedStandardSchema):
    status = fields.String(metadata={"description": "always 'suggestion': a candidate, never a mapping"})
    rank = fields.Integer()
    score = fields.Float(metadata={"description": "0..1, higher is a likelier equivalent"})
    explanation = fields.Nested(ExplanationSchema)


class SuggestionPageSchema(Schema):
    status = fields.String()
    note = fields.String()
    source = fields.Nested(SuggestedStandardSchema)
    framework = fields.Nested(SuggestionFrameworkSchema)
    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    items = fields.List(fields.Nested(SuggestionSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
