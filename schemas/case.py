"""CASE 1.0 payloads (1EdTech CASE 1.0 REST/JSON binding) and the CASE import's input and summary."""
from marshmallow import EXCLUDE, INCLUDE, Schema, fields, validate

from schemas.fields import Country


class LinkURISchema(Schema):
    title = fields.String()
    identifier = fields.String()
    uri = fields.String()


class LinkGenURISchema(LinkURISchema):
    """Like LinkURI, but the identifier of an external node need not be a UUID."""


class CFPckgDocumentSchema(Schema):
    identifier = fields.String()
    uri = fields.String()
    creator = fields.String()
    title = fields.String()
    lastChangeDateTime = fields.String()
    officialSourceURL = fields.String()
    publisher = fields.String()
    description = fields.String()
    language = fields.String()
    version = fields.String()
    adoptionStatus = fields.String()
    notes = fields.String(metadata={"description": "ends with the registry's framework-code, country and "
                                                   "languages lines, which a re-import reads"})


class CFDocumentSchema(CFPckgDocumentSchema):
    CFPackageURI = fields.Nested(LinkURISchema)


class CFPckgItemSchema(Schema):
    identifier = fields.String()
    fullStatement = fields.String()
    alternativeLabel = fields.String()
    CFItemType = fields.String(metadata={"description": "Occupation, or Skill / Knowledge / Competence / Task / "
                                                        "Technology"})
    uri = fields.String()
    humanCodingScheme = fields.String()
    conceptKeywords = fields.List(fields.String())
    notes = fields.String()
    language = fields.String()
    educationLevel = fields.List(fields.String())
    statusStartDate = fields.String()
    statusEndDate = fields.String()
    lastChangeDateTime = fields.String()


class CFItemSchema(CFPckgItemSchema):
    CFDocumentURI = fields.Nested(LinkURISchema)


class CFPckgAssociationSchema(Schema):
    identifier = fields.String()
    associationType = fields.String()
    sequenceNumber = fields.Integer()
    uri = fields.String()
    originNodeURI = fields.Nested(LinkGenURISchema)
    destinationNodeURI = fields.Nested(LinkGenURISchema)
    CFAssociationGroupingURI = fields.Nested(LinkURISchema)
    lastChangeDateTime = fields.String()


class CFAssociationSchema(CFPckgAssociationSchema):
    CFDocumentURI = fields.Nested(LinkURISchema)


class CFAssociationGroupingSchema(Schema):
    identifier = fields.String()
    uri = fields.String()
    title = fields.String()
    description = fields.String()
    lastChangeDateTime = fields.String()


class CFDefinitionSchema(Schema):
    CFAssociationGroupings = fields.List(fields.Nested(CFAssociationGroupingSchema))


class CFPackageSchema(Schema):
    CFDocument = fields.Nested(CFPckgDocumentSchema)
    CFItems = fields.List(fields.Nested(CFPckgItemSchema))
    CFAssociations = fields.List(fields.Nested(CFPckgAssociationSchema))
    CFDefinitions = fields.Nested(CFDefinitionSchema)


class CFDocumentSetSchema(Schema):
    CFDocuments = fields.List(fields.Nested(CFDocumentSchema))


class CFAssociationSetSchema(Schema):
    CFItem = fields.Nested(CFItemSchema)
    CFAssociations = fields.List(fields.Nested(CFPckgAssociationSchema))


class CaseListArgs(Schema):
    """CASE pagination; sort, orderBy, filter and fields are accepted and ignored."""

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class CFPackageInSchema(Schema):
    """A CFPackage to import: the shape is checked here, the content by the CASE reader."""

    class Meta:
        unknown = INCLUDE

    CFDocument = fields.Dict(required=True)
    CFItems = fields.List(fields.Dict())
    CFAssociations = fields.List(fields.Dict())
    CFDefinitions = fields.Dict()
    CFRubrics = fields.List(fields.Dict())


class CaseImportArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    country = Country(metadata={"description": "country of the framework when the package does not say"})
    publish = fields.Boolean(load_default=True, metadata={"description": "publish new and changed standards"})
    allow_rejects = fields.Boolean(load_default=False,
                                   metadata={"description": "import the valid items when some are rejected"})


class CountsSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


class RejectionSchema(Schema):
    file = fields.String()
    row = fields.Integer(allow_none=True)
    code = fields.String(allow_none=True)
    reason = fields.String()


class ImportSummarySchema(Schema):
    framework_id = fields.UUID()
    framework_created = fields.Boolean()
    skills = fields.Nested(CountsSchema)
    standards = fields.Nested(CountsSchema)
    skill_links = fields.Integer()
    rejected = fields.List(fields.Nested(RejectionSchema))
