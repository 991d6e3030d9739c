"""IETF Token Status List (draft-ietf-oauth-status-list), free of Django.

A Status List is a byte array of ``bits``-bit statuses (1, 2, 4 or 8) where, unlike the W3C
Bitstring Status List, the status at index 0 is in the *least* significant bits of byte 0. It is
published as ``{"bits", "lst"}``, ``lst`` being the base64url (no padding) of the array
compressed with DEFLATE in the ZLIB format, inside a Status List Token: a JWT of type
``statuslist+jwt`` whose ``sub`` is the URI a Referenced Token names in
``status.status_list.uri`` beside its ``idx``.

:func:`from_bitstring` re-encodes a W3C bitstring of the same entry size, mapping each value,
with one byte-to-byte table (``bytes.translate``): the cost of a copy, whatever the fill.
"""

import zlib
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rpl.lib.jwk import b64url_decode, b64url_encode

VALID, INVALID, SUSPENDED = 0x00, 0x01, 0x02
JWT_TYPE = "statuslist+jwt"
MEDIA_TYPE = "application/statuslist+jwt"
ALGORITHM = "EdDSA"
BITS = (1, 2, 4, 8)


class TokenStatusListError(ValueError):
    """Not a Token Status List, or an index outside it."""


def _check_bits(bits: int) -> None:
    if bits not in BITS:
        raise TokenStatusListError(f"bits must be one of {BITS}, got {bits!r}")


@cache
def _table(bits: int, mapping: tuple[int, ...]) -> bytes:
    mask, per_byte = (1 << bits) - 1, 8 // bits
    table = bytearray(256)
    for byte in range(256):
        out = 0
        for position in range(per_byte):
            value = (byte >> (8 - bits * (position + 1))) & mask
            out |= (mapping[value] & mask) << (bits * position)
        table[byte] = out
    return bytes(table)


def from_bitstring(bitstring: bytes, bits: int, mapping: Sequence[int]) -> bytes:
    """The Token Status List byte array of a W3C bitstring of ``bits``-bit entries, the value
    ``v`` of an entry becoming ``mapping[v]``."""
    _check_bits(bits)
    if len(mapping) != 1 << bits:
        raise TokenStatusListError(f"mapping must give all {1 << bits} values")
    return bytes(bitstring).translate(_table(bits, tuple(mapping)))


def encode(statuses: bytes, bits: int) -> dict[str, Any]:
    """The ``status_list`` claim of a Status List Token."""
    _check_bits(bits)
    return {"bits": bits, "lst": b64url_encode(zlib.compress(bytes(statuses), 9))}


def status_at(status_list: Mapping[str, Any], index: int) -> int:
    """The status at ``index`` of a ``status_list`` claim."""
    bits = status_list.get("bits")
    _check_bits(bits)
    try:
        statuses = zlib.decompress(b64url_decode(status_list.get("lst")))
    except (zlib.error, ValueError) as exc:
        raise TokenStatusListError(f"lst is not a compressed status list: {exc}") from exc
    per_byte = 8 // bits
    if not 0 <= index < len(statuses) * per_byte:
        raise TokenStatusListError(f"index {index} is outside the list")
    return (statuses[index // per_byte] >> (bits * (index % per_byte))) & ((1 << bits) - 1)


def token(
    status_list: Mapping[str, Any],
    *,
    uri: str,
    issued_at: int,
    ttl: int,
    private_key: Ed25519PrivateKey,
    kid: str,
) -> str:
    """A Status List Token (JWT) publishing ``status_list`` at ``uri``."""
    payload = {"sub": uri, "iat": issued_at, "ttl": ttl, "status_list": dict(status_list)}
    return jwt.encode(
        payload, private_key, algorithm=ALGORITHM, headers={"kid": kid, "typ": JWT_TYPE}
    )
