"""Data Integrity signing benchmark (issue 17): ``eddsa-rdfc-2022`` per CPU-second, with anchors.

    .venv/bin/python bench/signing.py
    ROUNDS=7 SIGN=200 JS_SIGN=200 .venv/bin/python bench/signing.py

Signs the project's Open Badges 3.0 micro-credential (``tests/lib/data/ob-microcredential.json``,
about 10 KB, the document ``issue_credential`` builds for the demo specification, with its extension
context) with a fixed key, each signature on a copy with its own ``id``. Each round measures, in
turn (interleaved, so that load moves every figure alike), CPU time with ``time.process_time``:

- ``sign``: ``rpl.lib.data_integrity.sign`` (two strict expansions, two RDFC-1.0 canonicalisations,
  Ed25519);
- ``verify``: ``rpl.lib.data_integrity.verify`` of those signed copies;
- ``limit``: one strict expansion and one RDFC-1.0 canonicalisation of the document alone, the
  least that signing it with PyLD can cost;
- ``JS``: Digital Bazaar's stack signing the same credential (``tests/interop/sign_loop.mjs``,
  CPU time of its loop from ``process.cpuUsage``), skipped without ``tests/interop/node_modules``.

Prints each figure's median over the rounds with its spread (lowest-highest), the ratios of
``sign`` to the anchors, and counts that load cannot move: remote-context loads, PyLD context
processings, JSON-LD expansions and JCS canonicalisations per signature, for the first signature
of the process and for any later one. Figures, not a test.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyld import context_resolver  # noqa: E402
from pyld.jsonld import JsonLdProcessor  # noqa: E402

from rpl.lib import data_integrity, jsonld_strict, multikey  # noqa: E402
from rpl.lib.jsonld_loader import OfflineDocumentLoader, get_loader  # noqa: E402
from tests.lib import samples  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "5"))
SIGN = int(os.environ.get("SIGN", "100"))
JS_SIGN = int(os.environ.get("JS_SIGN", "100"))
DATA = ROOT / "tests" / "lib" / "data"
INTEROP = ROOT / "tests" / "interop"
CREATED = datetime(2025, 1, 15, 10, 0, 0, tzinfo=UTC)


def load_credential() -> tuple[dict, dict]:
    credential = json.loads((DATA / "ob-microcredential.json").read_text(encoding="utf-8"))
    extension = json.loads((DATA / "rpl-eu-microcredential-v1.jsonld").read_text(encoding="utf-8"))
    return credential, {credential["@context"][3]: extension}


def copies(credential: dict, count: int) -> list[dict]:
    return [{**credential, "id": f"urn:uuid:{uuid.uuid4()}"} for _ in range(count)]


def per_cpu_second(work, items) -> float:
    started = time.process_time()
    for item in items:
        work(item)
    return len(items) / (time.process_time() - started)


def sign(document, extra):
    return data_integrity.sign(
        document, samples.ISSUER_KEY, samples.KEY_ID, CREATED, extra_contexts=extra
    )


def counts(credential: dict, extra: dict) -> list[tuple[str, dict[str, int]]]:
    """Calls per signature: the first one of the process, then a later one."""
    counted = {
        "remote-context loads": (OfflineDocumentLoader, "__call__"),
        "PyLD context processings": (JsonLdProcessor, "_process_context"),
        "JSON-LD expansions": (JsonLdProcessor, "expand"),
        "JCS canonicalisations": (context_resolver, "canonicalize"),
    }
    tally = dict.fromkeys(counted, 0)

    def counting(name, original):
        def wrapper(*args, **kwargs):
            tally[name] += 1
            return original(*args, **kwargs)

        return wrapper

    patches = [
        mock.patch.object(owner, attribute, counting(name, getattr(owner, attribute)))
        for name, (owner, attribute) in counted.items()
    ]
    for patch in patches:
        patch.start()
    try:
        rows = []
        for label, document in zip(("first", "later"), copies(credential, 2), strict=True):
            tally.update(dict.fromkeys(tally, 0))
            sign(document, extra)
            rows.append((label, dict(tally)))
        return rows
    finally:
        for patch in patches:
            patch.stop()


def js_round(credential: dict, extra: dict, workdir: Path) -> tuple[float, str] | None:
    node = shutil.which("node")
    if node is None or not (INTEROP / "node_modules").is_dir():
        return None
    ((url, extension),) = extra.items()
    completed = subprocess.run(
        [
            node,
            "sign_loop.mjs",
            str(workdir / "credential.json"),
            "--key",
            str(workdir / "keypair.json"),
            "--count",
            str(JS_SIGN),
            "--created",
            data_integrity.format_datetime(CREATED),
            "--context",
            f"{url}={DATA / 'rpl-eu-microcredential-v1.jsonld'}",
        ],
        cwd=INTEROP,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    result = json.loads(completed.stdout)
    return result["perCpuSecond"], result["proofValue"]


def write_js_inputs(credential: dict, workdir: Path) -> None:
    (workdir / "credential.json").write_text(json.dumps(credential), encoding="utf-8")
    key_pair = {
        "id": samples.KEY_ID,
        "controller": samples.ISSUER_DID,
        "publicKeyMultibase": multikey.encode_public_key(samples.ISSUER_KEY.public_key()),
        "secretKeyMultibase": multikey.encode_private_key(samples.ISSUER_KEY),
    }
    (workdir / "keypair.json").write_text(json.dumps(key_pair), encoding="utf-8")


def spread(values: list[float], fmt: str) -> str:
    return f"{format(min(values), fmt)}-{format(max(values), fmt)}"


def main() -> None:
    credential, extra = load_credential()
    size = len(json.dumps(credential, ensure_ascii=False).encode("utf-8"))
    print(f"credential: {size:,} bytes of JSON, {len(credential['@context'])} contexts")
    for label, tally in counts(credential, extra):
        print(f"  {label} signature: " + ", ".join(f"{n} {name}" for name, n in tally.items()))
    loader = get_loader(extra)
    ours = sign(credential, extra)["proof"][0]["proofValue"]

    def limit(document):
        jsonld_strict._canonical_nquads(jsonld_strict.expand_strict(document, loader))

    def verify(document):
        assert data_integrity.verify(document, samples.resolve_issuer_key, extra_contexts=extra).ok

    rates: dict[str, list[float]] = {"sign": [], "verify": [], "limit": [], "JS": []}
    js_proof = None
    with tempfile.TemporaryDirectory(prefix="rpl-bench-") as workdir:
        write_js_inputs(credential, Path(workdir))
        for _ in range(ROUNDS):
            documents = copies(credential, SIGN)
            rates["sign"].append(per_cpu_second(lambda d: sign(d, extra), documents))
            signed = [sign(document, extra) for document in documents]
            rates["verify"].append(per_cpu_second(verify, signed))
            rates["limit"].append(per_cpu_second(limit, documents))
            js = js_round(credential, extra, Path(workdir))
            if js is not None:
                rates["JS"].append(js[0])
                js_proof = js[1]

    print(f"\n{ROUNDS} rounds, interleaved; {SIGN} Python and {JS_SIGN} JS signatures a round")
    for label, values in rates.items():
        if values:
            print(
                f"  {label:<7} {statistics.median(values):7.1f} per CPU-second "
                f"({spread(values, '.1f')})"
            )
    for anchor in ("limit", "JS"):
        if rates[anchor]:
            ratios = [a / b for a, b in zip(rates["sign"], rates[anchor], strict=True)]
            print(
                f"  sign / {anchor:<5} {statistics.median(ratios):6.2f}x ({spread(ratios, '.2f')})"
            )
    if js_proof is not None:
        same = "the same" if js_proof == ours else "DIFFERENT"
        print(f"  proofValue of both stacks for the same created: {same}")


if __name__ == "__main__":
    main()
