from marshmallow import Schema, fields, validate


class TokenRequestSchema(Schema):
    grant_type = fields.String(required=True, validate=validate.OneOf(["client_credentials"]))
    client_id = fields.String(validate=validate.Length(min=1, max=200))
    client_secret = fields.String(validate=validate.Length(min=1, max=500))
    scope = fields.String()


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    scope = fields.String()
