"""The secret behind the audit chain, held outside the database.

Each event written since the chain was keyed carries HMAC-SHA256 over its previous hash and its
canonical content, keyed with a key derived (HKDF-SHA256) from the ``AUDIT_CHAIN_KEY`` setting,
or from ``SECRET_KEY`` when it is not set (development; ``manage.py check --deploy`` warns in
production). Checkpoints of the chain head are signed with a second key derived from the same
secret under another label, so the two never share a key. Someone who can write the database but
does not hold the secret cannot recompute either.

Changing the secret makes every keyed event and every checkpoint fail verification: keep it, and
keep it apart from the database backups.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from rpl.lib import hashchain

ENV_VAR = "AUDIT_CHAIN_KEY"
_CHAIN_INFO = b"rpl-engine audit chain v1"
_CHECKPOINT_INFO = b"rpl-engine audit checkpoints v1"
_FINGERPRINT_INFO = b"rpl-engine audit key fingerprint v1"


@lru_cache(maxsize=8)
def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        secret.encode("utf-8")
    )


def _secret() -> str:
    return settings.AUDIT_CHAIN_KEY or settings.SECRET_KEY


def keyed_link_hash(content, prev_hash: str) -> str:
    """HMAC-SHA256 over the previous hash and the canonical content (``rpl.lib.hashchain``)."""
    mac = hmac.new(_derive(_secret(), _CHAIN_INFO), digestmod=hashlib.sha256)
    mac.update(prev_hash.encode("ascii"))
    mac.update(hashchain.canonical(content))
    return mac.hexdigest()


def sign_checkpoint(message: str) -> str:
    return hmac.new(
        _derive(_secret(), _CHECKPOINT_INFO), message.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def fingerprint() -> str:
    """A short public name of the current key, written into checkpoints: a line signed with
    another key says so instead of looking altered."""
    return _derive(_secret(), _FINGERPRINT_INFO)[:8].hex()
