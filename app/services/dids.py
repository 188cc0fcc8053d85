"""did:web identifiers of organisations and their DID documents (pure functions: no Flask, no database)."""
from urllib.parse import quote, urlsplit

from app.crypto.keys import jwk_thumbprint, verification_jwk

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"]


def did_for(base_url: str, slug: str) -> str:
    """The did:web of an organisation: did:web:HOST[%3APORT][:PATH...]:issuers:SLUG (did:web spec 3.2)."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"PUBLIC_BASE_URL {base_url!r} has no host")
    # did:web separates path segments with ':', so the port's colon must be percent-encoded.
    if parts.port is not None:
        host = f"{host}%3A{parts.port}"
    segments = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *segments, "issuers", quote(slug, safe="")])


def did_url_for_key(did: str, jwk: dict) -> str:
    """The DID URL that names one key of a DID: the DID with the key's RFC 7638 thumbprint as fragment."""
    return f"{did}#{jwk_thumbprint(jwk)}"


def did_document(did: str, keys: list) -> dict:
    """The DID document of `did` publishing `keys` (rows with kid, status, public_jwk, compromised_at)."""
    # Active and retired keys are verification methods under assertionMethod and authentication,
    # so credentials signed before a rotation still verify. A compromised key stays listed as a
    # verification method, marked "revoked" with the time from which it must not be trusted (the
    # property Controlled Identifiers 1.0 defines), but in no verification relationship: a
    # VC-JOSE-COSE verifier checks that the kid is an assertionMethod of the issuer and rejects it.
    methods, usable = [], []
    for key in keys:
        method = {
            "id": key.kid, "type": "JsonWebKey", "controller": did,
            "publicKeyJwk": verification_jwk(key.public_jwk, key.kid),
        }
        if key.status == "compromised":
            method["revoked"] = key.compromised_at.isoformat()
        else:
            usable.append(key.kid)
        methods.append(method)
    return {
        "@context": list(DID_CONTEXT), "id": did, "controller": did, "verificationMethod": methods,
        "assertionMethod": list(usable), "authentication": list(usable),
    }
