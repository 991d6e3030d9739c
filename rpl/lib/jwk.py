"""Ed25519 public keys as JSON Web Keys (RFC 8037: ``{"kty": "OKP", "crv": "Ed25519", "x"}``),
free of Django.

OB 3.0 (§8.2, VC-JWT) expects a JWT's ``kid`` to dereference to a JWK, so each issuer key is
also published as a ``JsonWebKey`` verification method (W3C Controlled Identifiers 1.0) beside
its Multikey; did:jwk wallets carry their key in this form too.
"""

import base64
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

JWK_TYPES = ("JsonWebKey", "JsonWebKey2020")


class JwkError(ValueError):
    """Not a public Ed25519 JWK."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or "=" in text:
        raise JwkError("expected unpadded base64url text")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise JwkError("invalid base64url text") from None


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}


def decode_public_jwk(jwk: Any) -> Ed25519PublicKey:
    """The Ed25519 key of a public JWK; a JWK carrying a private part (``d``) is refused."""
    if not isinstance(jwk, Mapping) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise JwkError("not an Ed25519 JWK (kty OKP, crv Ed25519)")
    if "d" in jwk:
        raise JwkError("a public JWK must not carry the private key (d)")
    raw = b64url_decode(jwk.get("x"))
    if len(raw) != 32:
        raise JwkError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def jwk_document(key_id: str, controller: str, public_key: Ed25519PublicKey) -> dict[str, Any]:
    """A JsonWebKey verification method, as it appears in a DID or controller document."""
    return {
        "id": key_id,
        "type": "JsonWebKey",
        "controller": controller,
        "publicKeyJwk": public_jwk(public_key),
    }
