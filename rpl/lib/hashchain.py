"""The hash chain behind the audit log, free of Django.

Each link is SHA-256 over a canonical JSON encoding of the event's content together with the
previous link's hash, so that altering, deleting or reordering any event breaks every later link.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
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
class Link:
    sequence: int
    content: Mapping[str, Any]
    prev_hash: str
    hash: str
    label: str


@dataclass(frozen=True)
class Break:
    sequence: int
    label: str
    reason: str


def first_break(
    links: Iterable[Link], head_sequence: int | None = None, head_hash: str | None = None
) -> Break | None:
    """Walk the chain in sequence order and return the first broken link, if any.

    ``head_sequence``/``head_hash`` describe the last link the writer recorded; they catch events
    deleted from the end of the chain, which no later link could reveal.
    """
    expected_prev = GENESIS
    expected_seq = 1
    last: Link | None = None
    for link in links:
        if link.sequence != expected_seq:
            return Break(
                expected_seq,
                f"#{expected_seq}",
                f"event #{expected_seq} is missing: the chain jumps to #{link.sequence}",
            )
        if link.prev_hash != expected_prev:
            return Break(
                link.sequence,
                link.label,
                "its link to the previous event is broken: an earlier event was deleted, "
                "reordered or altered",
            )
        if link_hash(link.content, link.prev_hash) != link.hash:
            return Break(link.sequence, link.label, "its content does not match its hash: altered")
        expected_prev = link.hash
        expected_seq += 1
        last = link
    if head_sequence is not None:
        last_seq = last.sequence if last else 0
        if head_sequence > last_seq:
            return Break(
                last_seq + 1,
                f"#{last_seq + 1}",
                f"events #{last_seq + 1} to #{head_sequence} are missing from the end of the chain",
            )
        if last is not None and head_hash is not None and head_hash != last.hash:
            return Break(last.sequence, last.label, "it does not match the recorded chain head")
    return None
