"""Ed25519 keys as Multikey strings (W3C Controlled Identifiers 1.0, "Multikey"), free of Django.

- public key: ``publicKeyMultibase`` = ``"z"`` + base58btc(0xed 0x01 + 32 key bytes), which always
  starts with ``z6Mk``;
- private key: ``secretKeyMultibase`` = ``"z"`` + base58btc(0x80 0x26 + 32 seed bytes).

The two-byte headers are the unsigned-varint multicodec codes ``ed25519-pub`` (0xed) and
``ed25519-priv`` (0x1300). base58btc is the Bitcoin alphabet; it is small enough to write here
rather than add a dependency.
"""

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: value for value, char in enumerate(BASE58_ALPHABET)}

ED25519_PUB_HEADER = b"\xed\x01"
ED25519_PRIV_HEADER = b"\x80\x26"


class MultikeyError(ValueError):
    """A multibase or Multikey string that cannot be decoded as the expected key."""


def b58encode(data: bytes) -> str:
    """Encode bytes in base58btc; each leading zero byte becomes a leading ``1``."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Decode base58btc; raise :class:`MultikeyError` on a character outside the alphabet."""
    number = 0
    for char in text:
        try:
            number = number * 58 + _BASE58_INDEX[char]
        except KeyError:
            raise MultikeyError(f"invalid base58btc character {char!r}") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_b58_encode(data: bytes) -> str:
    """Multibase base58btc: ``"z"`` + base58btc(data)."""
    return "z" + b58encode(data)


def multibase_b58_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise MultikeyError("expected a multibase base58btc string starting with 'z'")
    return b58decode(text[1:])


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _raw_private(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def encode_public_key(public_key: Ed25519PublicKey) -> str:
    """The ``publicKeyMultibase`` of an Ed25519 public key (``z6Mk...``)."""
    return multibase_b58_encode(ED25519_PUB_HEADER + _raw_public(public_key))


def decode_public_key(public_key_multibase: str) -> Ed25519PublicKey:
    raw = multibase_b58_decode(public_key_multibase)
    if len(raw) != 34 or not raw.startswith(ED25519_PUB_HEADER):
        raise MultikeyError("not an Ed25519 Multikey public key (expected 0xed01 + 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def encode_private_key(private_key: Ed25519PrivateKey) -> str:
    """The ``secretKeyMultibase`` of an Ed25519 private key (its 32-byte seed)."""
    return multibase_b58_encode(ED25519_PRIV_HEADER + _raw_private(private_key))


def decode_private_key(secret_key_multibase: str) -> Ed25519PrivateKey:
    raw = multibase_b58_decode(secret_key_multibase)
    if len(raw) != 34 or not raw.startswith(ED25519_PRIV_HEADER):
        raise MultikeyError("not an Ed25519 Multikey secret key (expected 0x8026 + 32 bytes)")
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


def multikey_document(key_id: str, controller: str, public_key: Ed25519PublicKey) -> dict:
    """A Multikey verification method, as it appears in a DID or controller document."""
    return {
        "id": key_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": encode_public_key(public_key),
    }
