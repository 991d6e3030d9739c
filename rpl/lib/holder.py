"""A holder's proof of control of a wallet DID, checked offline, free of Django.

The holder signs a one-time challenge with their wallet key: a compact JWS (``alg: EdDSA``)
whose ``kid`` is a DID URL of their DID (the bare DID names its first authentication method)
and whose payload is the challenge itself, or a JSON object whose ``nonce`` is the challenge
(the shape wallets produce for OpenID4VCI key proofs). Only DIDs that carry their key resolve
here, without the network: ``did:key`` (Ed25519, ``z6Mk...``) and ``did:jwk`` (an Ed25519 JWK).
"""

import json
from typing import Any

import jwt

from rpl.lib.did_key import DidKeyError, did_key_document
from rpl.lib.did_web import DID_CONTEXTS, DidWebError, resolve_verification_method
from rpl.lib.jwk import JwkError, b64url_decode, decode_public_jwk
from rpl.lib.multikey import MultikeyError

ALGORITHM = "EdDSA"
DID_JWK_PREFIX = "did:jwk:"
MAX_DID_LENGTH = 2000
_PURPOSES = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")


class HolderProofError(ValueError):
    """The DID cannot be resolved here, or the proof does not show control of it."""


def did_jwk_document(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 ``did:jwk`` (one JsonWebKey method ``<did>#0``)."""
    if not isinstance(did, str) or not did.startswith(DID_JWK_PREFIX) or "#" in did:
        raise HolderProofError(f"{did!r} is not a did:jwk identifier")
    try:
        jwk = json.loads(b64url_decode(did[len(DID_JWK_PREFIX) :]))
        decode_public_jwk(jwk)
    except (JwkError, ValueError) as exc:
        raise HolderProofError(f"{did!r} is not an Ed25519 did:jwk: {exc}") from None
    method_id = f"{did}#0"
    method = {"id": method_id, "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk}
    document: dict[str, Any] = {
        "@context": list(DID_CONTEXTS),
        "id": did,
        "verificationMethod": [method],
    }
    document.update({purpose: [method_id] for purpose in _PURPOSES})
    return document


def holder_document(did: str) -> dict[str, Any]:
    """The DID document of a did:key or did:jwk, generated from the identifier alone."""
    if not isinstance(did, str) or len(did) > MAX_DID_LENGTH:
        raise HolderProofError("the DID is missing or too long")
    if did.startswith(DID_JWK_PREFIX):
        return did_jwk_document(did)
    try:
        return did_key_document(did)
    except DidKeyError as exc:
        raise HolderProofError(
            f"only Ed25519 did:key and did:jwk identifiers are supported: {exc}"
        ) from None


def _signs_challenge(payload: bytes, challenge: str) -> bool:
    if payload == challenge.encode("utf-8"):
        return True
    try:
        claims = json.loads(payload)
    except ValueError:
        return False
    return isinstance(claims, dict) and claims.get("nonce") == challenge


def verify_proof(did: str, proof: str, challenge: str) -> None:
    """Raise :class:`HolderProofError` unless ``proof`` is a JWS of ``challenge`` signed with an
    authentication key of ``did``."""
    document = holder_document(did)
    try:
        header = jwt.get_unverified_header(proof)
    except jwt.PyJWTError as exc:
        raise HolderProofError(f"the proof is not a compact JWS: {exc}") from None
    if header.get("alg") != ALGORITHM:
        raise HolderProofError(f"the proof must be signed with {ALGORITHM} (Ed25519)")
    kid = header.get("kid") or did
    if kid == did:
        kid = document["authentication"][0]
    try:
        public_key = resolve_verification_method(document, kid, "authentication")
    except (DidWebError, JwkError, MultikeyError) as exc:
        raise HolderProofError(f"the proof's key is not a key of {did}: {exc}") from None
    try:
        payload = jwt.PyJWS().decode(proof, public_key, algorithms=[ALGORITHM])
    except jwt.PyJWTError as exc:
        raise HolderProofError(f"the signature does not verify: {exc}") from None
    if not _signs_challenge(payload, challenge):
        raise HolderProofError("the proof signs something other than the challenge")
