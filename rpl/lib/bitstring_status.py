"""W3C Bitstring Status List v1.0 (Recommendation, May 2025), free of Django.

- A list is a bitstring of at least 131,072 entries (16 KiB), so that one credential's status
  hides among many (herd privacy); index 0 is the most significant bit of the first byte.
- ``encodedList`` is multibase base64url without padding (prefix ``u``) of the GZIP-compressed
  bitstring.
- Indexes are assigned at random (``random_free_index``) so that their order reveals nothing about
  when or in which batch a credential was issued.
- Revocation is final and suspension is reversible: they live in separate lists, one per purpose.
"""

import base64
import gzip
import secrets
import zlib
from collections.abc import Iterable
from typing import Any

MIN_ENTRIES = 131_072
PURPOSES = ("revocation", "suspension")


class StatusListError(ValueError):
    """A bad list size, index, encoding or purpose."""


class StatusList:
    """A mutable bitstring of ``size`` one-bit entries (0 = unset/valid, 1 = set)."""

    def __init__(self, size: int = MIN_ENTRIES, bits: bytes | bytearray | None = None):
        if not isinstance(size, int) or size < MIN_ENTRIES or size % 8:
            raise StatusListError(
                f"a status list needs at least {MIN_ENTRIES} entries and a multiple of 8; "
                f"got {size!r}"
            )
        if bits is not None and len(bits) * 8 != size:
            raise StatusListError(f"{len(bits)} bytes cannot hold exactly {size} entries")
        self.size = size
        self._bits = bytearray(bits) if bits is not None else bytearray(size // 8)

    def _check(self, index: int) -> None:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < self.size:
            raise StatusListError(f"index {index!r} is outside 0..{self.size - 1}")

    def get(self, index: int) -> bool:
        self._check(index)
        return bool(self._bits[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool = True) -> None:
        self._check(index)
        mask = 0x80 >> (index % 8)
        if value:
            self._bits[index // 8] |= mask
        else:
            self._bits[index // 8] &= ~mask & 0xFF

    def set_indexes(self) -> list[int]:
        """Every index whose bit is set, in ascending order."""
        found = []
        for byte_index, byte in enumerate(self._bits):
            if byte:
                found.extend(byte_index * 8 + bit for bit in range(8) if byte & (0x80 >> bit))
        return found

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        """``encodedList``: ``"u"`` + base64url(gzip(bitstring)) without padding.

        The GZIP header's modification time is fixed at 0 so that equal lists encode equally.
        """
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded_list: str, min_entries: int = MIN_ENTRIES) -> "StatusList":
        """Parse an ``encodedList``.

        A list shorter than ``min_entries`` is refused (the spec's STATUS_LIST_LENGTH_ERROR).
        """
        if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
            raise StatusListError("encodedList must be multibase base64url (prefix 'u')")
        body = encoded_list[1:]
        if "=" in body:
            raise StatusListError("encodedList must not be padded")
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            # Bounded decompression: a list is at most a few MiB; refuse a gzip bomb.
            raw = _gunzip_bounded(compressed, limit=16 * 1024 * 1024)
        except (ValueError, OSError, EOFError) as exc:
            raise StatusListError(f"encodedList is not base64url GZIP data: {exc}") from exc
        if len(raw) * 8 < min_entries:
            raise StatusListError(
                f"status list has {len(raw) * 8} entries, fewer than {min_entries} "
                "(STATUS_LIST_LENGTH_ERROR)"
            )
        return cls(len(raw) * 8, raw)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StatusList) and self._bits == other._bits

    def __hash__(self) -> int:  # mutable, like bytearray
        raise TypeError("StatusList is mutable and unhashable")

    def __repr__(self) -> str:
        return f"StatusList(size={self.size}, set={len(self.set_indexes())})"


def _gunzip_bounded(data: bytes, limit: int) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip wrapper only
    raw = decompressor.decompress(data, limit + 1)
    if len(raw) > limit or decompressor.unconsumed_tail:
        raise ValueError(f"decompressed list exceeds {limit} bytes")
    if not decompressor.eof:
        raise ValueError("truncated GZIP data")
    return raw


def random_free_index(
    used: set[int] | Iterable[int],
    rng: secrets.SystemRandom | Any = None,
    size: int = MIN_ENTRIES,
) -> int:
    """A uniformly random index in ``0..size-1`` that is not in ``used``.

    Raises :class:`StatusListError` when the list is full. Draws at random while the list is
    less than half full (expected fewer than two draws), and picks among the free indexes
    otherwise, so that the cost stays bounded as the list fills.
    """
    rng = rng or secrets.SystemRandom()
    used_set = used if isinstance(used, (set, frozenset)) else set(used)
    if len(used_set) >= size:
        raise StatusListError(f"the status list is full ({size} entries used)")
    if len(used_set) <= size // 2:
        for _ in range(64):
            candidate = rng.randrange(size)
            if candidate not in used_set:
                return candidate
    free = [index for index in range(size) if index not in used_set]
    if not free:
        raise StatusListError(f"the status list is full ({size} entries used)")
    return free[rng.randrange(len(free))]


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise StatusListError(f"statusPurpose must be one of {PURPOSES}, got {purpose!r}")


def status_list_subject(
    status_list: StatusList, purpose: str, subject_id: str | None = None, ttl_ms: int | None = None
) -> dict[str, Any]:
    """The ``credentialSubject`` of a ``BitstringStatusListCredential``."""
    _check_purpose(purpose)
    subject: dict[str, Any] = {}
    if subject_id:
        subject["id"] = subject_id
    subject["type"] = "BitstringStatusList"
    subject["statusPurpose"] = purpose
    subject["encodedList"] = status_list.encode()
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    return subject


def status_list_entry(status_list_credential: str, index: int, purpose: str) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` for a credential's ``credentialStatus``.

    The entry gets an ``id`` (``<list URL>#<index>``), which the OB 3.0 schema requires and which
    differs from the list URL, as Bitstring Status List requires.
    """
    _check_purpose(purpose)
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise StatusListError(f"statusListIndex must be a non-negative integer, got {index!r}")
    if "#" in status_list_credential:
        raise StatusListError("statusListCredential must be the list URL without a fragment")
    return {
        "id": f"{status_list_credential}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": status_list_credential,
    }
