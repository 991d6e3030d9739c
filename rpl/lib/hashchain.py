"""The hash chain behind the audit log, free of Django.

Each link is SHA-256 over a canonical JSON encoding of the event's content together with the
previous link's hash, so that altering, deleting or reordering any event breaks every later link.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(content: Mapping[str, Any]) -> bytes:
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8")


def link_hash(content: Mapping[str, Any], prev_hash: str) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical(content))
    return digest.hexdigest()


@dataclass(frozen=True)
class Break:
    sequence: int
    label: str
    reason: str
