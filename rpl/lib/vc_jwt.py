"""The Open Badges 3.0 "VC-JWT" proof format (OB 3.0 §8.2, JSON Web Token Proof), free of Django.

A Compact JWS signed with Ed25519 (JOSE ``alg: EdDSA``), header ``{"alg", "kid", "typ": "JWT"}``
and no other header. OB 3.0 expects ``kid`` to dereference to a JWK: callers sign with the id of
the key's JsonWebKey verification method (``rpl.lib.did_web.jwk_key_url``); ``decode`` takes
whatever the resolver accepts, so tokens whose ``kid`` names a Multikey keep verifying.

The payload, as the current OB 3.0 text (VC Data Model 2.0 era) specifies, is
the credential JSON itself plus the registered claims:

- ``iss`` = ``issuer.id``; ``jti`` = ``id``; ``sub`` = ``credentialSubject.id`` (when it has one);
- ``nbf`` = ``validFrom`` and ``exp`` = ``validUntil`` (when present), as NumericDate seconds.

Credentials made under VC Data Model 1.1 carry the credential in a ``vc`` claim instead: ``decode``
accepts both shapes, and ``encode(..., legacy_vc_claim=True)`` produces the older one for verifiers
that still expect it. ``decode`` verifies the signature, the time window, and that every claim
matches the credential it accompanies.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"
JWT_CLAIMS = ("iss", "jti", "sub", "nbf", "exp")
_ALLOWED_HEADERS = {"alg", "kid", "typ"}


class VcJwtError(ValueError):
    """The token is not a valid OB 3.0 VC-JWT, or its signature or claims do not hold."""


def _parse_datetime(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise VcJwtError(f"{field} must be an xsd:dateTime string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise VcJwtError(f"{field} is not a valid date-time: {value!r}") from None
    if parsed.tzinfo is None:
        raise VcJwtError(f"{field} must carry a time zone: {value!r}")
    return parsed.astimezone(UTC)


def _numeric_date(value: Any, field: str) -> int:
    return int(_parse_datetime(value, field).timestamp())


def _issuer_id(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _subject_id(credential: Mapping[str, Any]) -> Any:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if len(subject) == 1 else None
    return subject.get("id") if isinstance(subject, Mapping) else None


def claims_for(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The registered JWT claims OB 3.0 derives from ``credential``."""
    issuer, credential_id = _issuer_id(credential), credential.get("id")
    if not isinstance(issuer, str) or not issuer:
        raise VcJwtError("the credential needs an issuer id for the iss claim")
    if not isinstance(credential_id, str) or not credential_id:
        raise VcJwtError("the credential needs an id for the jti claim")
    claims: dict[str, Any] = {
        "iss": issuer,
        "jti": credential_id,
        "nbf": _numeric_date(credential.get("validFrom"), "validFrom"),
    }
    subject = _subject_id(credential)
    if isinstance(subject, str) and subject:
        claims["sub"] = subject
    if credential.get("validUntil") is not None:
        claims["exp"] = _numeric_date(credential["validUntil"], "validUntil")
    return claims


def encode(
    credential: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    kid: str,
    legacy_vc_claim: bool = False,
) -> str:
    """Sign ``credential`` as an OB 3.0 VC-JWT (Compact JWS) with key id ``kid``."""
    if not isinstance(kid, str) or ":" not in kid:
        raise VcJwtError("kid must be an absolute URL or DID URL of the verification method")
    clashing = sorted(set(JWT_CLAIMS) & set(credential))
    if clashing:
        raise VcJwtError(f"the credential has properties that clash with JWT claims: {clashing}")
    claims = claims_for(credential)
    if legacy_vc_claim:
        payload = {**claims, "vc": dict(credential)}
    else:
        payload = {**dict(credential), **claims}
    return jwt.encode(payload, private_key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})


def decode(
    token: str,
    resolve_key: Callable[[str], Ed25519PublicKey],
    now: datetime | None = None,
    leeway_seconds: int = 0,
) -> dict[str, Any]:
    """Verify an OB 3.0 VC-JWT and return the credential it carries (without the JWT claims).

    ``resolve_key(kid)`` returns the issuer's Ed25519 public key for the header's ``kid`` (and is
    where the caller checks that the key belongs to the issuer); any failure raises
    :class:`VcJwtError`.
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise VcJwtError(f"not a compact JWS: {exc}") from exc
    if header.get("alg") != ALGORITHM:
        raise VcJwtError(f"unsupported alg {header.get('alg')!r}; expected {ALGORITHM}")
    if header.get("typ", "JWT") != "JWT":
        raise VcJwtError("typ, if present, must be 'JWT'")
    extra = sorted(set(header) - _ALLOWED_HEADERS)
    if extra:
        raise VcJwtError(f"JOSE headers not allowed by OB 3.0 (or not supported here): {extra}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise VcJwtError("the JOSE header has no kid")
    try:
        public_key = resolve_key(kid)
    except Exception as exc:  # any failure to resolve is a verification failure
        raise VcJwtError(f"cannot resolve kid {kid!r}: {exc}") from exc
    if not isinstance(public_key, Ed25519PublicKey):
        raise VcJwtError(f"{kid} is not an Ed25519 key")

    try:
        payload = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            # Time is checked below against `now`, so that a caller can verify as of a moment.
            options={
                "require": ["iss", "jti", "nbf"],
                "verify_aud": False,
                "verify_exp": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise VcJwtError(f"JWT verification failed: {exc}") from exc

    if "vc" in payload and "@context" not in payload:
        credential = payload["vc"]
        if not isinstance(credential, dict):
            raise VcJwtError("the vc claim is not a JSON object")
    else:
        credential = {key: value for key, value in payload.items() if key not in JWT_CLAIMS}
    _check_claims(payload, credential, now or datetime.now(UTC), leeway_seconds)
    return credential


def _check_claims(
    payload: Mapping[str, Any], credential: Mapping[str, Any], now: datetime, leeway: int
) -> None:
    if "@context" not in credential:
        raise VcJwtError("the payload carries no credential")
    legacy = "validFrom" not in credential and "issuanceDate" in credential
    start_field, end_field = (
        ("issuanceDate", "expirationDate") if legacy else ("validFrom", "validUntil")
    )

    expected = {"iss": _issuer_id(credential), "jti": credential.get("id")}
    for claim, value in expected.items():
        if payload.get(claim) != value:
            raise VcJwtError(f"{claim} claim {payload.get(claim)!r} does not match {value!r}")
    subject = _subject_id(credential)
    if subject is not None and payload.get("sub") != subject:
        raise VcJwtError(f"sub claim {payload.get('sub')!r} does not match {subject!r}")
    if payload["nbf"] != _numeric_date(credential.get(start_field), start_field):
        raise VcJwtError(f"nbf claim does not match {start_field}")
    if credential.get(end_field) is not None:
        if payload.get("exp") != _numeric_date(credential[end_field], end_field):
            raise VcJwtError(f"exp claim does not match {end_field}")
    elif "exp" in payload:
        raise VcJwtError(f"exp claim present but the credential has no {end_field}")
    timestamp = now.timestamp()
    if payload["nbf"] > timestamp + leeway:
        raise VcJwtError("the credential is not valid yet")
    if "exp" in payload and payload["exp"] <= timestamp - leeway:
        raise VcJwtError("the credential has expired")
