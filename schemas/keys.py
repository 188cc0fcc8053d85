from datetime import timezone

from marshmallow import Schema, fields, validate

KEY_STATUSES = ("active", "retired", "compromised")


class PublicJwkSchema(Schema):
    """An Ed25519 public key as an OKP JWK (RFC 8037); never has a private member."""

    kty = fields.String(metadata={"example": "OKP"})
    crv = fields.String(metadata={"example": "Ed25519"})
    x = fields.String()
    kid = fields.String()
    alg = fields.String(metadata={"example": "EdDSA"})
    use = fields.String(metadata={"example": "sig"})


class KeySchema(Schema):
    id = fields.UUID()
    kid = fields.String(metadata={"description": "DID URL of the key: did:web:HOST:issuers:SLUG#THUMBPRINT"})
    status = fields.String(validate=validate.OneOf(KEY_STATUSES))
    algorithm = fields.String()
    public_jwk = fields.Nested(PublicJwkSchema)
    created_at = fields.DateTime()
    retired_at = fields.DateTime(allow_none=True)
    compromised_at = fields.DateTime(allow_none=True)


class KeyCompromiseSchema(Schema):
    compromised_at = fields.AwareDateTime(
        default_timezone=timezone.utc,
        metadata={"description": "when the private key leaked (default now; not in the future). "
                                 "A time without a zone is taken as UTC."},
    )


class JwksSchema(Schema):
    keys = fields.List(fields.Nested(PublicJwkSchema))


class VerificationMethodSchema(Schema):
    id = fields.String()
    type = fields.String(metadata={"example": "JsonWebKey"})
    controller = fields.String()
    publicKeyJwk = fields.Nested(PublicJwkSchema)
    revoked = fields.String(metadata={"description": "set on compromised keys: from when not to trust it"})


class DidDocumentSchema(Schema):
    context = fields.List(fields.String(), data_key="@context")
    id = fields.String()
    controller = fields.String()
    verificationMethod = fields.List(fields.Nested(VerificationMethodSchema))
    assertionMethod = fields.List(fields.String())
    authentication = fields.List(fields.String())
