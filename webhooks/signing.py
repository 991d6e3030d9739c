"""Subscription secrets (encrypted at rest) and the ``RPL-Signature`` header.

The header is ``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``; docs/webhooks.md
documents it for receivers. Secrets are sealed with AES-256-GCM under a key derived (HKDF-SHA256)
from ``CREDENTIAL_KEY_ENCRYPTION_KEY`` or ``SECRET_KEY``, as issuer keys are (credentials.keys),
with its own HKDF label so the two never share a key.
"""

import base64
import hashlib
import hmac
import secrets
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SIGNATURE_HEADER = "RPL-Signature"
EVENT_HEADER = "RPL-Event"
DELIVERY_HEADER = "RPL-Delivery"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that makes secrets recognisable, not one
TOLERANCE_SECONDS = 300
_HKDF_INFO = b"rpl-engine webhook secrets v1"


class SecretError(RuntimeError):
    """A stored secret cannot be decrypted: the encryption secret changed."""


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _aead() -> AESGCM:
    source = settings.CREDENTIAL_KEY_ENCRYPTION_KEY or settings.SECRET_KEY
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        source.encode("utf-8")
    )
    return AESGCM(key)


def seal(secret: str, associated_data: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = _aead().encrypt(nonce, secret.encode("utf-8"), associated_data.encode("utf-8"))
    return base64.b64encode(nonce + sealed).decode("ascii")


def unseal(blob: str, associated_data: str) -> str:
    try:
        raw = base64.b64decode(blob)
        return _aead().decrypt(raw[:12], raw[12:], associated_data.encode("utf-8")).decode()
    except (InvalidTag, ValueError):
        raise SecretError(
            "a webhook secret cannot be decrypted: was CREDENTIAL_KEY_ENCRYPTION_KEY "
            "(or SECRET_KEY) changed? Generate a new secret for the subscription."
        ) from None


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(
    secret: str, body: bytes, header: str, *, tolerance: int = TOLERANCE_SECONDS, now=None
) -> bool:
    """What a receiver does: the header's timestamp is recent and one ``v1`` matches."""
    fields = [part.partition("=") for part in header.split(",")]
    timestamps = [value for name, _, value in fields if name.strip() == "t"]
    signatures = [value.strip() for name, _, value in fields if name.strip() == "v1"]
    if len(timestamps) != 1 or not timestamps[0].strip().isdigit() or not signatures:
        return False
    timestamp = int(timestamps[0])
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = _mac(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
