"""Signing keys: did:web identifiers, published JWKs, DID documents, and the key service's caches."""
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.crypto.keys import (
    KeyEncryption, b64url, generate_ed25519, jwk_thumbprint, public_jwk, verification_jwk,
)
from app.errors import NotFound
from app.models import Organization, SigningKey
from app.services import keys as key_service
from app.services.access import Principal
from app.services.dids import did_document, did_for, did_url_for_key
from app.services.organizations import _unique_slug

BASE = "http://registry.test"
ADMIN = Principal(client_id="adm_test", role="admin")

# RFC 8037 appendix A.2 and A.3: an Ed25519 public key and its RFC 7638 thumbprint.
RFC8037_JWK = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


@pytest.mark.parametrize("base_url, expected", [
    ("http://registry.test", "did:web:registry.test:issuers:tesda"),
    ("https://Registry.Example.org/", "did:web:registry.example.org:issuers:tesda"),
    ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000:issuers:tesda"),
    ("https://example.org:8443/skills/registry", "did:web:example.org%3A8443:skills:registry:issuers:tesda"),
])
def test_did_for_follows_the_did_web_rules(base_url, expected):
    assert did_for(base_url, "tesda") == expected


def test_did_for_refuses_a_base_url_without_a_host():
    with pytest.raises(ValueError):
        did_for("/no-host", "tesda")


def test_key_did_url_is_the_did_with_the_rfc7638_thumbprint():
    assert jwk_thumbprint(RFC8037_JWK) == RFC8037_THUMBPRINT
    assert did_url_for_key("did:web:registry.test:issuers:tesda", RFC8037_JWK) == \
        f"did:web:registry.test:issuers:tesda#{RFC8037_THUMBPRINT}"


def test_verification_jwk_copies_only_public_members():
    leaked = {**RFC8037_JWK, "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}
    published = verification_jwk(leaked, "did:web:x:issuers:y#k")
    assert published == {**RFC8037_JWK, "kid": "did:web:x:issuers:y#k", "alg": "EdDSA", "use": "sig"}


def test_did_document_lists_compromised_keys_as_revoked_and_outside_every_relationship():
    did = "did:web:registry.test:issuers:tesda"
    compromised_at = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    keys = [SimpleNamespace(kid=f"{did}#{status}", status=status, public_jwk=RFC8037_JWK,
                            compromised_at=compromised_at if status == "compromised" else None)
            for status in ("active", "retired", "compromised")]
    document = did_document(did, keys)
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"]
    assert document["id"] == document["controller"] == did
    assert [m["id"] for m in document["verificationMethod"]] == [k.kid for k in keys]
    assert all(m["type"] == "JsonWebKey" and m["controller"] == did for m in document["verificationMethod"])
    assert document["assertionMethod"] == document["authentication"] == [f"{did}#active", f"{did}#retired"]
    marked = [m for m in document["verificationMethod"] if "revoked" in m]
    assert [m["id"] for m in marked] == [f"{did}#compromised"]
    assert datetime.fromisoformat(marked[0]["revoked"]) == compromised_at


# ---------------------------------------------------------------- the key service, on both engines

class CountingKeyEncryption(KeyEncryption):
    """KeyEncryption that counts decryptions, to see the cache at work."""

    decryptions = 0

    def decrypt_private_key(self, token):
        self.decryptions += 1
        return super().decrypt_private_key(token)


@pytest.fixture()
def key_encryption():
    return CountingKeyEncryption([KeyEncryption.generate_key()])


def _organization(session, name="Key test body"):
    org = Organization(name=name, country="PH", kind="certification_body", slug=_unique_slug(session, name))
    session.add(org)
    session.flush()
    return org


def test_first_use_creates_the_key_and_the_cache_spares_decrypting_again(session, key_encryption):
    org = _organization(session)
    kid, private_key = key_service.signing_key(session, key_encryption, org, BASE)
    row = session.scalar(sa.select(SigningKey).where(SigningKey.organization_id == org.id))
    assert kid == row.kid == f"{did_for(BASE, org.slug)}#{jwk_thumbprint(row.public_jwk)}"
    assert row.status == "active" and row.purpose == "assertion" and row.algorithm == "EdDSA"
    assert public_jwk(private_key.public_key()) == row.public_jwk
    # Encrypted at rest: the raw private key is nowhere in the stored bytes.
    raw = private_key.private_bytes_raw()
    assert raw not in row.private_key_encrypted and b64url(raw).encode() not in row.private_key_encrypted
    assert key_encryption.decryptions == 1
    again_kid, again_key = key_service.signing_key(session, key_encryption, org, BASE)
    assert (again_kid, again_key) == (kid, private_key) and key_encryption.decryptions == 1


@pytest.mark.parametrize("change", ["rotate", "retire", "compromise"])
def test_a_cached_key_is_never_used_after_rotation_retirement_or_compromise(session, key_encryption, change):
    org = _organization(session)
    kid, _ = key_service.signing_key(session, key_encryption, org, BASE)
    key = session.scalar(sa.select(SigningKey).where(SigningKey.kid == kid))
    if change == "rotate":
        new = key_service.rotate_key(session, ADMIN, key_encryption, org.id, BASE)
    elif change == "retire":
        key_service.retire_key(session, ADMIN, org.id, key.id)
    else:
        key_service.compromise_key(session, ADMIN, org.id, key.id)
    new_kid, new_private = key_service.signing_key(session, key_encryption, org, BASE)
    assert new_kid != kid
    active = session.scalars(sa.select(SigningKey).where(
        SigningKey.organization_id == org.id, SigningKey.status == "active")).all()
    assert [k.kid for k in active] == [new_kid]
    assert public_jwk(new_private.public_key()) == active[0].public_jwk
    if change == "rotate":
        assert new_kid == new.kid
    session.refresh(key)
    assert key.status == {"rotate": "retired", "retire": "retired", "compromise": "compromised"}[change]


def test_a_stale_cache_entry_from_another_worker_is_noticed(session, key_encryption):
    """Another process rotates (a direct table update here): this process's cached key is dropped."""
    org = _organization(session)
    kid, _ = key_service.signing_key(session, key_encryption, org, BASE)
    session.execute(sa.update(SigningKey).where(SigningKey.kid == kid).values(status="retired"))
    assert key_service.signing_key(session, key_encryption, org, BASE)[0] != kid


def test_one_active_key_per_organization_is_enforced_by_the_database(session, key_encryption):
    org = _organization(session)
    key_service.signing_key(session, key_encryption, org, BASE)
    private_key = generate_ed25519()
    jwk = public_jwk(private_key.public_key())
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.add(SigningKey(
                organization_id=org.id, purpose="assertion", kid=f"x#{jwk_thumbprint(jwk)}", public_jwk=jwk,
                private_key_encrypted=key_encryption.encrypt_private_key(private_key)))


def test_first_use_race_reads_the_key_the_other_worker_created(session, key_encryption, monkeypatch):
    org = _organization(session)
    # The other worker's key is committed after our "no active key yet" read.
    competitor = key_service._new_key(session, key_encryption, org, BASE)
    session.flush()
    real_active = key_service._active
    reads = []

    def first_read_misses(organization_id):
        reads.append(organization_id)
        return (sa.false(),) if len(reads) == 1 else real_active(organization_id)

    monkeypatch.setattr(key_service, "_active", first_read_misses)
    kid, _ = key_service.signing_key(session, key_encryption, org, BASE)
    assert kid == competitor.kid and len(reads) == 2
    assert session.scalar(sa.select(sa.func.count()).where(SigningKey.organization_id == org.id)) == 1


def test_resolve_public_key_returns_the_current_status_and_refuses_unknown_kids(session, key_encryption):
    org = _organization(session)
    kid, private_key = key_service.signing_key(session, key_encryption, org, BASE)
    row, public_key = key_service.resolve_public_key(session, kid)
    assert row.kid == kid and row.status == "active"
    public_key.verify(private_key.sign(b"payload"), b"payload")
    key_service.compromise_key(session, ADMIN, org.id, row.id, row.created_at)
    row, cached_public_key = key_service.resolve_public_key(session, kid)
    assert row.status == "compromised" and row.compromised_at == row.created_at
    assert cached_public_key is public_key
    for unknown in ("did:web:registry.test:issuers:nobody#nothing", ""):
        with pytest.raises(NotFound):
            key_service.resolve_public_key(session, unknown)


def test_resolve_public_key_does_not_answer_for_the_registry_access_token_key(app, session, api):
    api.admin_headers()  # issues a token, which creates the registry's own key
    registry_kid = session.scalar(sa.select(SigningKey.kid).where(SigningKey.organization_id.is_(None)))
    assert registry_kid
    with pytest.raises(NotFound):
        key_service.resolve_public_key(session, registry_kid)
