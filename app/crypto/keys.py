"""Ed25519 key pairs, their JWK form, and encryption of private keys at rest."""
import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_ed25519() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    """The public key as an OKP JWK (RFC 8037), with its RFC 7638 thumbprint as kid hint."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint of an OKP key: SHA-256 over the required members in order."""
    canonical = json.dumps({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode()).digest())


def verification_jwk(jwk: dict, kid: str) -> dict:
    """A public JWK as published in a JWKS or DID document: the key members plus kid, alg and use."""
    # Only the public members are copied, so a private "d" can never slip through by accident.
    return {"kty": jwk["kty"], "crv": jwk["crv"], "x": jwk["x"], "kid": kid, "alg": "EdDSA", "use": "sig"}


def public_key_from_jwk(jwk: dict) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("only Ed25519 OKP keys are supported")
    return Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))


class KeyEncryption:
    """Encrypts private keys under the key-encryption keys; the first key encrypts, all decrypt."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("at least one key-encryption key is required")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def encrypt_private_key(self, private_key: Ed25519PrivateKey) -> bytes:
        pkcs8 = private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return self._fernet.encrypt(pkcs8)

    def decrypt_private_key(self, token: bytes) -> Ed25519PrivateKey:
        try:
            der = self._fernet.decrypt(token)
        except InvalidToken:
            raise ValueError("private key cannot be decrypted with the configured key-encryption keys") from None
        key = serialization.load_der_private_key(der, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("stored private key is not Ed25519")
        return key

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt a stored key under the current (first) key-encryption key."""
        return self._fernet.rotate(token)
