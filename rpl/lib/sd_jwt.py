"""Selective Disclosure JWTs (RFC 9901) as SD-JWT VC uses them (draft-ietf-oauth-sd-jwt-vc),
free of Django.

An SD-JWT is ``<issuer-signed JWT>~<disclosure>~...~``: each selectively disclosable claim is a
disclosure, the base64url of the JSON array ``[salt, name, value]``, and the signed payload holds
only its SHA-256 digest in ``_sd`` (sorted, so that their order says nothing about the claims).
The holder drops the disclosures it does not want to show; a verifier recomputes each digest.

Only top-level claims are made disclosable here: the claims of an SD-JWT VC are flat.
"""

import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rpl.lib.jwk import b64url_decode, b64url_encode

ALGORITHM = "EdDSA"
HASH_NAME = "sha-256"
SD_JWT_VC_TYPE = "dc+sd-jwt"


class SdJwtError(ValueError):
    """Not a valid SD-JWT, or its signature or a disclosure does not hold."""


def disclosure(name: str, value: Any, salt: str | None = None) -> str:
    salt = salt or b64url_encode(secrets.token_bytes(16))
    text = json.dumps([salt, name, value], ensure_ascii=False, separators=(",", ":"))
    return b64url_encode(text.encode("utf-8"))


def digest(encoded_disclosure: str) -> str:
    return b64url_encode(hashlib.sha256(encoded_disclosure.encode("ascii")).digest())


def issue(
    claims: Mapping[str, Any],
    disclosable: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    kid: str,
    typ: str = SD_JWT_VC_TYPE,
) -> str:
    """Sign ``claims`` (always visible) with a disclosure for each of ``disclosable``."""
    clashing = sorted(set(claims) & set(disclosable))
    if clashing or "_sd" in claims:
        raise SdJwtError(f"claims both visible and disclosable: {clashing or ['_sd']}")
    disclosures = [disclosure(name, value) for name, value in disclosable.items()]
    payload = {**claims, "_sd": sorted(digest(item) for item in disclosures), "_sd_alg": HASH_NAME}
    token = jwt.encode(payload, private_key, algorithm=ALGORITHM, headers={"kid": kid, "typ": typ})
    return "~".join([token, *disclosures, ""])


def decode(sd_jwt: str, public_key: Ed25519PublicKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """The issuer-signed header and the payload with the presented disclosures in place of their
    digests (a key-binding JWT, if any, is not checked here)."""
    token, *disclosures = sd_jwt.split("~")
    disclosures = disclosures[:-1]  # the last part is the key-binding JWT, or empty
    try:
        header = jwt.get_unverified_header(token)
        payload = jwt.decode(
            token, public_key, algorithms=[ALGORITHM], options={"verify_aud": False}
        )
    except jwt.PyJWTError as exc:
        raise SdJwtError(f"the issuer-signed JWT does not verify: {exc}") from exc
    if payload.pop("_sd_alg", HASH_NAME) != HASH_NAME:
        raise SdJwtError("only sha-256 digests are supported")
    digests = set(payload.pop("_sd", []))
    for item in disclosures:
        if digest(item) not in digests:
            raise SdJwtError("a disclosure does not match any digest of the signed payload")
        try:
            _salt, name, value = json.loads(b64url_decode(item))
        except (ValueError, TypeError) as exc:
            raise SdJwtError(f"a disclosure is malformed: {exc}") from exc
        if name in payload:
            raise SdJwtError(f"claim {name!r} is disclosed twice")
        payload[name] = value
    return header, payload
