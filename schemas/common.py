"""Schemas shared by every domain: pagination and problem details."""
from marshmallow import EXCLUDE, Schema, fields, validate


class PageArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


def page_of(item_schema, name=None):
    """A paginated envelope schema for `item_schema`: items, total, page, per_page."""
    return type(
        name or f"{item_schema.__name__.removesuffix('Schema')}Page",
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        },
    )


class FieldErrorSchema(Schema):
    field = fields.String()
    messages = fields.List(fields.String())


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    request_id = fields.String()
    errors = fields.List(fields.Nested(FieldErrorSchema))
