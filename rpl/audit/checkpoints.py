"""Signed checkpoints of the chain head, kept outside the database.

One line per checkpoint in an append-only file (``AUDIT_CHECKPOINT_FILE``)::

    rpl-audit-checkpoint/1 sequence=57 hash=<64 hex> keyed-from=12 at=2026-11-30T03:00:00Z
    key=<16 hex> hmac=<64 hex>

(on one line). ``sequence`` and ``hash`` are the last event when the checkpoint was taken;
``keyed-from`` the first event whose hash is keyed (every later one must be too); ``key`` names
the key (``rpl.audit.keys.fingerprint``); ``hmac`` signs everything before it with the
checkpoint key. A checkpoint pins the chain up to its event: cutting the tail and rewinding the
head, or rewriting the events before it, no longer matches it, and nobody without the key can
write a new line that does.
"""

import hmac
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from rpl.audit import keys

VERSION = "rpl-audit-checkpoint/1"
_LINE = re.compile(
    r"^(?P<message>" + re.escape(VERSION) + r" sequence=(?P<sequence>\d+) "
    r"hash=(?P<hash>[0-9a-f]{64}) keyed-from=(?P<keyed_from>\d+) "
    r"at=(?P<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) key=(?P<key>[0-9a-f]{16}))"
    r" hmac=(?P<hmac>[0-9a-f]{64})$"
)


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    hash: str
    keyed_from: int
    at: str
    key: str
    line: str


@dataclass(frozen=True)
class Entry:
    """One non-blank line of the file as read back: ``checkpoint`` is None when it cannot be
    parsed; ``signed`` says whether its signature verifies with the current key."""

    number: int
    text: str
    checkpoint: Checkpoint | None
    signed: bool


def default_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def make(sequence: int, hash: str, keyed_from: int, at: datetime) -> Checkpoint:
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = (
        f"{VERSION} sequence={sequence} hash={hash} keyed-from={keyed_from} at={stamp} "
        f"key={keys.fingerprint()}"
    )
    line = f"{message} hmac={keys.sign_checkpoint(message)}"
    return Checkpoint(sequence, hash, keyed_from, stamp, keys.fingerprint(), line)


def append(checkpoint: Checkpoint, path: Path | None = None) -> Path:
    """Append the line (opened with O_APPEND, flushed to disk); create the file and its folder
    when missing, readable by the owner only."""
    path = Path(path or default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (checkpoint.line + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def parse(text: str) -> tuple[Checkpoint | None, bool]:
    """The checkpoint a line holds (None when it is not one) and whether its signature
    verifies with the current key."""
    match = _LINE.match(text)
    if match is None:
        return None, False
    checkpoint = Checkpoint(
        sequence=int(match["sequence"]),
        hash=match["hash"],
        keyed_from=int(match["keyed_from"]),
        at=match["at"],
        key=match["key"],
        line=text,
    )
    expected = keys.sign_checkpoint(match["message"])
    return checkpoint, _equal(expected, match["hmac"])


def read(path: Path) -> list[Entry]:
    entries = []
    with Path(path).open(encoding="utf-8", errors="replace") as fh:
        for number, raw in enumerate(fh, start=1):
            text = raw.strip()
            if not text:
                continue
            checkpoint, signed = parse(text)
            entries.append(Entry(number, text, checkpoint, signed))
    return entries


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
