"""Token Status List at request time (issue 19): the cost of deriving it from the stored bitstring.

    .venv/bin/python bench/token_status_list.py
    ROUNDS=9 REPEAT=50 FILL=0.5 .venv/bin/python bench/token_status_list.py

A ``message`` list of 131,072 two-bit entries, ``FILL`` of them set to a random non-zero value.
Each round measures, in turn (interleaved, so that load moves every figure alike), CPU time per
call with ``time.process_time``, ``REPEAT`` calls each:

- ``token``: what ``/credentials/eu-wallet/status/...`` does when the list changed: re-encode the
  bitstring (``rpl.lib.token_status_list.from_bitstring``), compress it and sign the JWT (EdDSA);
- ``bitstring``: the anchor, ``encodedList`` of the same W3C list (GZIP + multibase), which every
  status change already pays before its Data Integrity signature;
- ``translate``: the re-encoding alone.

Prints each figure's median (lowest-highest) and its ratio to the anchor, then sizes that load
cannot move: the compressed lengths of both publications. Figures, not a test.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from rpl.lib import token_status_list  # noqa: E402
from rpl.lib.bitstring_status import MIN_ENTRIES  # noqa: E402
from rpl.lib.bitstring_status import StatusList as Bitstring  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "7"))
REPEAT = int(os.environ.get("REPEAT", "30"))
FILL = float(os.environ.get("FILL", "0.1"))
MAPPING = (0x00, 0x02, 0x01, 0x01)
KEY = Ed25519PrivateKey.generate()


def build() -> Bitstring:
    bits = Bitstring(MIN_ENTRIES, status_size=2)
    generator = random.Random(19)
    for index in generator.sample(range(MIN_ENTRIES), int(MIN_ENTRIES * FILL)):
        bits.set(index, generator.choice((1, 2)))
    return bits


def token(raw: bytes) -> str:
    statuses = token_status_list.from_bitstring(raw, 2, MAPPING)
    return token_status_list.token(
        token_status_list.encode(statuses, 2),
        uri="https://rpl.example.edu/credentials/eu-wallet/status/1/1",
        issued_at=1_800_000_000,
        ttl=300,
        private_key=KEY,
        kid="did:web:rpl.example.edu:issuers:1#key-1-jwk",
    )


def ms_per_call(work) -> float:
    started = time.process_time()
    for _ in range(REPEAT):
        work()
    return (time.process_time() - started) * 1000 / REPEAT


def main() -> None:
    bits = build()
    raw = bits.to_bytes()
    work = {
        "token": lambda: token(raw),
        "bitstring": bits.encode,
        "translate": lambda: token_status_list.from_bitstring(raw, 2, MAPPING),
    }
    figures: dict[str, list[float]] = {name: [] for name in work}
    for _round in range(ROUNDS):
        for name, call in work.items():
            figures[name].append(ms_per_call(call))
    anchor = statistics.median(figures["bitstring"])
    print(f"{MIN_ENTRIES} entries, {FILL:.0%} set; {ROUNDS} rounds x {REPEAT} calls, CPU ms/call")
    for name, values in figures.items():
        median = statistics.median(values)
        print(
            f"  {name:10} {median:8.3f} ms ({min(values):.3f}-{max(values):.3f})"
            f"  x{median / anchor:.2f} of bitstring"
        )
    lst = token_status_list.encode(token_status_list.from_bitstring(raw, 2, MAPPING), 2)["lst"]
    print(f"  sizes: token lst {len(lst)} chars, bitstring encodedList {len(bits.encode())} chars")


if __name__ == "__main__":
    main()
