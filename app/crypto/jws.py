"""Compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037), for signed JSON payloads."""
import json

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.crypto.keys import b64url, b64url_decode


def sign_compact(payload: dict, private_key: Ed25519PrivateKey, kid: str, typ: str) -> str:
    """header.payload.signature; header {"alg": "EdDSA", "kid", "typ"}, payload as RFC 8785 canonical JSON."""
    header = {"alg": "EdDSA", "kid": kid, "typ": typ}
    signing_input = f"{b64url(rfc8785.dumps(header))}.{b64url(rfc8785.dumps(payload))}"
    signature = private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"


def decode_unverified(token: str) -> tuple[dict, dict]:
    """(header, payload) of a compact JWS, without checking the signature."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("a compact JWS has three dot-separated parts")
    return json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1]))


def verify_compact(token: str, public_key: Ed25519PublicKey) -> dict:
    """The payload of a compact EdDSA JWS whose signature `public_key` verifies; ValueError otherwise."""
    header, payload = decode_unverified(token)
    if header.get("alg") != "EdDSA":
        raise ValueError("only alg EdDSA is accepted")
    signing_input, _, signature = token.rpartition(".")
    try:
        public_key.verify(b64url_decode(signature), signing_input.encode("ascii"))
    except InvalidSignature:
        raise ValueError("the signature does not verify") from None
    return payload
