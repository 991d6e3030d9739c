"""OB 3.0 §8.2 read strictly: a VC-JWT carries ``sub`` = ``credentialSubject.id`` and its ``kid``
dereferences to a JWK in the issuer's DID document. The check uses PyJWT's own JWK loader, not
our key code; JWTs whose ``kid`` names the Multikey (issued before) keep verifying."""

from datetime import UTC, datetime

import jwt
import pytest

from rpl.lib import did_web, jwk, vc_jwt
from tests.lib import samples

NOW = datetime(2025, 6, 1, tzinfo=UTC)
HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def ob_strict_payload(token: str, did_document: dict) -> dict:
    """The payload of ``token`` if it passes an OB-strict VC-JWT check against ``did_document``."""
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and set(header) <= {"alg", "kid", "typ"}
    assert header["kid"] in did_document["assertionMethod"]
    (method,) = [m for m in did_document["verificationMethod"] if m["id"] == header["kid"]]
    assert method["type"] == "JsonWebKey" and method["controller"] == did_document["id"]
    assert "d" not in method["publicKeyJwk"]
    key = jwt.PyJWK(method["publicKeyJwk"])
    payload = jwt.decode(
        token, key, algorithms=["EdDSA"], options={"require": ["iss", "jti", "nbf", "sub"]}
    )
    assert payload["sub"] == payload["credentialSubject"]["id"]
    assert payload["iss"] == payload["issuer"]["id"] == did_document["id"]
    assert payload["jti"] == payload["id"]
    return payload


def test_it_signs_jwts_whose_kid_is_a_jwk_and_whose_sub_is_the_holder():
    credential = samples.ob_credential()
    credential["credentialSubject"]["id"] = HOLDER
    kid = did_web.jwk_key_url(samples.ISSUER_DID, "key-1")
    token = vc_jwt.encode(credential, samples.ISSUER_KEY, kid)
    assert ob_strict_payload(token, samples.issuer_did_document())["sub"] == HOLDER
    assert vc_jwt.decode(token, samples.resolve_issuer_key, now=NOW) == credential


def test_it_keeps_verifying_jwts_signed_with_the_multikey_kid_and_no_subject_id():
    credential = samples.ob_credential()
    credential["credentialSubject"].pop("id", None)
    token = vc_jwt.encode(credential, samples.ISSUER_KEY, samples.KEY_ID)
    assert "sub" not in jwt.decode(token, options={"verify_signature": False})
    assert vc_jwt.decode(token, samples.resolve_issuer_key, now=NOW) == credential


def test_it_refuses_a_published_jwk_that_carries_a_private_key():
    document = samples.issuer_did_document()
    kid = did_web.jwk_key_url(samples.ISSUER_DID, "key-1")
    method = next(m for m in document["verificationMethod"] if m["id"] == kid)
    method["publicKeyJwk"]["d"] = jwk.b64url_encode(bytes(32))
    with pytest.raises(jwk.JwkError, match="private"):
        did_web.resolve_verification_method(document, kid)
