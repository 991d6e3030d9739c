"""W3C Bitstring Status List v1.0 (Recommendation, May 2025), free of Django.

- A list is a bitstring of at least 131,072 entries of ``statusSize`` bits each, so that one
  credential's status hides among many (herd privacy); index 0 is the most significant bit of the
  first byte, and entry ``i`` starts at bit ``i × statusSize``.
- ``encodedList`` is multibase base64url without padding (prefix ``u``) of the GZIP-compressed
  bitstring.
- Indexes are assigned at random (:func:`random_free_index`) so that their order reveals nothing
  about when or in which batch a credential was issued.
- An entry of purpose ``message`` with ``statusSize`` > 1 carries a ``statusMessage`` table that
  names each value; :func:`read_entry` returns the value an entry points at with its message.
"""

import base64
import gzip
import secrets
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MIN_ENTRIES = 131_072
MAX_STATUS_SIZE = 8
PURPOSES = ("revocation", "suspension", "message")
# Bytes counted at once when looking for the k-th free index (a C-speed popcount each).
_CHUNK = 256


class StatusListError(ValueError):
    """A bad list size, index, value, encoding, entry or purpose."""


class StatusList:
    """A mutable bitstring of ``size`` entries of ``status_size`` bits (0 = unset/valid)."""

    def __init__(
        self,
        size: int = MIN_ENTRIES,
        bits: bytes | bytearray | None = None,
        status_size: int = 1,
    ):
        if not isinstance(status_size, int) or not 1 <= status_size <= MAX_STATUS_SIZE:
            raise StatusListError(f"statusSize must be 1..{MAX_STATUS_SIZE}; got {status_size!r}")
        if not isinstance(size, int) or size < MIN_ENTRIES or (size * status_size) % 8:
            raise StatusListError(
                f"a status list needs at least {MIN_ENTRIES} entries filling whole bytes "
                f"(a multiple of 8 bits); got {size!r}"
            )
        length = size * status_size // 8
        if bits is not None and len(bits) != length:
            raise StatusListError(f"{len(bits)} bytes cannot hold exactly {size} entries")
        self.size = size
        self.status_size = status_size
        self._bits = bytearray(bits) if bits is not None else bytearray(length)

    def _check(self, index: int) -> None:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < self.size:
            raise StatusListError(f"index {index!r} is outside 0..{self.size - 1}")

    def get(self, index: int) -> int:
        """The entry's value (0 or 1 in a one-bit list)."""
        self._check(index)
        value = 0
        for bit in range(index * self.status_size, (index + 1) * self.status_size):
            value = (value << 1) | bool(self._bits[bit // 8] & (0x80 >> (bit % 8)))
        return value

    def set(self, index: int, value: int = 1) -> None:
        self._check(index)
        if not isinstance(value, int) or not 0 <= value < 1 << self.status_size:
            raise StatusListError(f"value {value!r} does not fit {self.status_size} bits")
        first = index * self.status_size
        for offset in range(self.status_size):
            bit = first + offset
            mask = 0x80 >> (bit % 8)
            if value >> (self.status_size - 1 - offset) & 1:
                self._bits[bit // 8] |= mask
            else:
                self._bits[bit // 8] &= ~mask & 0xFF

    def set_indexes(self) -> list[int]:
        """Every index whose value is not 0, in ascending order."""
        found: list[int] = []
        for byte_index, byte in enumerate(self._bits):
            for bit in range(8 if byte else 0):
                if byte & (0x80 >> bit):
                    index = (byte_index * 8 + bit) // self.status_size
                    if not found or found[-1] != index:
                        found.append(index)
        return found

    def count_set(self) -> int:
        """How many bits are set (in a one-bit list: how many entries)."""
        return int.from_bytes(self._bits).bit_count()

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        """``encodedList``: ``"u"`` + base64url(gzip(bitstring)) without padding.

        The GZIP header's modification time is fixed at 0 so that equal lists encode equally.
        """
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(
        cls, encoded_list: str, min_entries: int = MIN_ENTRIES, status_size: int = 1
    ) -> "StatusList":
        """Parse an ``encodedList`` of ``status_size``-bit entries.

        A list of fewer than ``min_entries`` entries is refused (the spec's
        STATUS_LIST_LENGTH_ERROR).
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
        entries = len(raw) * 8 // max(status_size, 1)
        if entries < min_entries:
            raise StatusListError(
                f"status list has {entries} entries, fewer than {min_entries} "
                "(STATUS_LIST_LENGTH_ERROR)"
            )
        return cls(entries, raw, status_size)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, StatusList)
            and self.status_size == other.status_size
            and self._bits == other._bits
        )

    def __hash__(self) -> int:  # mutable, like bytearray
        raise TypeError("StatusList is mutable and unhashable")

    def __repr__(self) -> str:
        return f"StatusList(size={self.size}, status_size={self.status_size})"


def _gunzip_bounded(data: bytes, limit: int) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip wrapper only
    raw = decompressor.decompress(data, limit + 1)
    if len(raw) > limit or decompressor.unconsumed_tail:
        raise ValueError(f"decompressed list exceeds {limit} bytes")
    if not decompressor.eof:
        raise ValueError("truncated GZIP data")
    return raw


def random_free_index(slots: StatusList, rng: Any = None) -> int:
    """A uniformly random unset index of the one-bit list ``slots`` (which marks indexes in use).

    It draws the k-th free index among all free ones and finds it by counting set bits a chunk
    at a time, so the cost is the same at any fill (no retries as the list fills). Raises
    :class:`StatusListError` when the list is full.
    """
    if slots.status_size != 1:
        raise StatusListError("free indexes are tracked in a one-bit list")
    raw = slots.to_bytes()
    free = slots.size - slots.count_set()
    if free <= 0:
        raise StatusListError(f"the status list is full ({slots.size} entries used)")
    target = (rng or secrets.SystemRandom()).randrange(free)
    for start in range(0, len(raw), _CHUNK):
        chunk = raw[start : start + _CHUNK]
        chunk_free = len(chunk) * 8 - int.from_bytes(chunk).bit_count()
        if target < chunk_free:
            break
        target -= chunk_free
    for offset, byte in enumerate(chunk):
        for bit in range(8):
            if not byte & (0x80 >> bit):
                if target == 0:
                    return (start + offset) * 8 + bit
                target -= 1
    raise AssertionError("unreachable: the free count and the bits disagree")


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


def status_list_entry(
    status_list_credential: str, index: int, purpose: str, messages: Sequence[str] = ()
) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` for a credential's ``credentialStatus``.

    The entry gets an ``id`` (``<list URL>#<index>``), which the OB 3.0 schema requires and which
    differs from the list URL, as Bitstring Status List requires. ``messages`` names each value
    (``messages[0]`` for 0x0...): their number, a power of two, gives ``statusSize``.
    """
    _check_purpose(purpose)
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise StatusListError(f"statusListIndex must be a non-negative integer, got {index!r}")
    if "#" in status_list_credential:
        raise StatusListError("statusListCredential must be the list URL without a fragment")
    entry: dict[str, Any] = {
        "id": f"{status_list_credential}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": status_list_credential,
    }
    if messages:
        size = (len(messages) - 1).bit_length()
        if len(messages) != 1 << size or size == 0:
            raise StatusListError(f"a status needs 2, 4, 8... messages; got {len(messages)}")
        entry["statusSize"] = size
        entry["statusMessage"] = [
            {"status": hex(value), "message": message} for value, message in enumerate(messages)
        ]
    return entry


@dataclass(frozen=True)
class EntryStatus:
    purpose: str
    value: int
    message: str | None  # what the entry's statusMessage calls the value, if it has one


def read_entry(entry: Mapping[str, Any], subject: Mapping[str, Any]) -> EntryStatus:
    """The status ``entry`` points at in ``subject``, the ``credentialSubject`` of its list
    credential (whose proof the caller has verified): the spec's validation steps 2 to 5."""
    if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
        raise StatusListError("not a BitstringStatusListEntry")
    purpose = entry.get("statusPurpose")
    listed = subject.get("statusPurpose")
    if purpose not in (listed if isinstance(listed, list) else [listed]):
        raise StatusListError("the entry's statusPurpose does not match its list")
    size = entry.get("statusSize", 1)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_STATUS_SIZE:
        raise StatusListError(f"statusSize must be 1..{MAX_STATUS_SIZE}; got {size!r}")
    messages: dict[int, str] = {}
    table = entry.get("statusMessage")
    if table is not None or size > 1:
        try:
            messages = {int(item["status"], 16): str(item["message"]) for item in table}
        except (TypeError, KeyError, ValueError) as exc:
            raise StatusListError(f"statusMessage is malformed: {exc}") from exc
        if sorted(messages) != list(range(1 << size)):
            raise StatusListError("statusMessage must name every value of statusSize bits")
    index = entry.get("statusListIndex")
    if not isinstance(index, str) or not (index.isascii() and index.isdigit()):
        raise StatusListError("statusListIndex must be a base-10 integer string")
    value = StatusList.decode(subject.get("encodedList"), status_size=size).get(int(index))
    return EntryStatus(purpose, value, messages.get(value))
