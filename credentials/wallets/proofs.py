"""The wallet's key proof (OpenID4VCI 1.0, appendix F.1, ``proof_type: jwt``): a JWT of type
``openid4vci-proof+jwt`` that carries the wallet's public key in its ``jwk`` header, is signed
with that key, names this credential issuer as ``aud`` and one of our fresh nonces as ``nonce``.
"""

import time
from collections.abc import Callable
from typing import Any

import jwt

PROOF_TYPE = "openid4vci-proof+jwt"
ALGORITHMS = ("EdDSA", "ES256")
# How far the proof's ``iat`` may be from our clock, in seconds.
CLOCK_SKEW = 300
_PUBLIC_MEMBERS = {"OKP": ("kty", "crv", "x"), "EC": ("kty", "crv", "x", "y")}


class ProofError(ValueError):
    """The proof is refused; ``error`` is the OpenID4VCI error code."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error


def holder_key(proof: Any, *, audience: str, nonce_refusal: Callable[[Any], str | None]) -> dict:
    """The public JWK the proof is signed with, or :class:`ProofError`."""
    try:
        header = jwt.get_unverified_header(proof)
    except (jwt.PyJWTError, TypeError) as exc:
        raise ProofError("invalid_proof", f"the proof is not a JWT: {exc}") from exc
    if header.get("typ") != PROOF_TYPE:
        raise ProofError("invalid_proof", f"the proof's typ must be {PROOF_TYPE}")
    algorithm, public = header.get("alg"), header.get("jwk")
    if algorithm not in ALGORITHMS:
        raise ProofError("invalid_proof", f"the proof's alg must be one of {ALGORITHMS}")
    if not isinstance(public, dict) or public.get("kty") not in _PUBLIC_MEMBERS or "d" in public:
        raise ProofError("invalid_proof", "the proof's header must carry a public jwk")
    public = {name: public[name] for name in _PUBLIC_MEMBERS[public["kty"]] if name in public}
    try:
        key = jwt.PyJWK(public, algorithm=algorithm)
        claims = jwt.decode(
            proof,
            key,
            algorithms=[algorithm],
            audience=audience,
            options={"require": ["aud", "iat", "nonce"]},
        )
    except jwt.PyJWTError as exc:
        raise ProofError("invalid_proof", f"the proof does not verify: {exc}") from exc
    if not isinstance(claims["iat"], int | float) or abs(time.time() - claims["iat"]) > CLOCK_SKEW:
        raise ProofError("invalid_proof", "the proof's iat is too far from now")
    refusal = nonce_refusal(claims["nonce"])
    if refusal:
        raise ProofError("invalid_nonce", refusal)
    return public
