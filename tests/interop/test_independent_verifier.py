"""Credentials we sign must verify with a verifier the project did not write, and the other way
round: Digital Bazaar's @digitalbazaar/vc + data-integrity + eddsa-rdfc-2022-cryptosuite stack
(pinned in package-lock.json), run offline with Node.js. Install it with `npm ci` in this folder."""

import copy
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rpl.lib import data_integrity, multikey
from tests.lib import samples

HERE = Path(__file__).parent
CREATED = datetime(2025, 1, 15, 10, 0, 0, tzinfo=UTC)

pytestmark = pytest.mark.skipif(
    not (HERE / "node_modules").is_dir(),
    reason="independent verifier not installed: run `npm ci` in tests/interop",
)


def _node() -> str:
    node = shutil.which("node")
    assert node, "tests/interop/node_modules exists but Node.js is not on PATH"
    return node


def _write(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run_verifier(tmp_path: Path, credentials: dict[str, dict]) -> dict[str, dict]:
    """Verify each credential with verify.mjs in one Node process; results by name."""
    keys = _write(
        tmp_path / "controllers.json", {samples.ISSUER_DID: samples.issuer_did_document()}
    )
    paths = [_write(tmp_path / f"{name}.json", document) for name, document in credentials.items()]
    completed = subprocess.run(
        [_node(), "verify.mjs", *map(str, paths), "--keys", str(keys)],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    return {Path(result["file"]).stem: result for result in results}


def sign_ours(document=None, key=samples.ISSUER_KEY):
    return data_integrity.sign(document or samples.ob_credential(), key, samples.KEY_ID, CREATED)


def test_it_verifies_our_credentials_and_rejects_tampered_ones(tmp_path):
    signed = sign_ours()
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Forged"
    status_moved = copy.deepcopy(signed)
    status_moved["credentialStatus"]["statusListIndex"] = "1"
    smuggled = copy.deepcopy(signed)
    smuggled["credentialSubject"]["bonusCredits"] = 10  # undefined, so unsigned
    wrong_key = sign_ours(key=samples.OTHER_KEY)
    single_proof = data_integrity.sign(
        samples.ob_credential(), samples.ISSUER_KEY, samples.KEY_ID, CREATED, proof_as_list=False
    )

    results = run_verifier(
        tmp_path,
        {
            "signed": signed,
            "single_proof": single_proof,
            "tampered": tampered,
            "status_moved": status_moved,
            "smuggled": smuggled,
            "wrong_key": wrong_key,
        },
    )

    assert results["signed"]["verified"] is True, results["signed"]["error"]
    assert results["signed"]["verificationMethod"] == samples.KEY_ID
    assert results["single_proof"]["verified"] is True, results["single_proof"]["error"]
    for name in ("tampered", "status_moved", "wrong_key"):
        assert results[name]["verified"] is False
        assert "Invalid signature" in results[name]["error"]
    assert results["smuggled"]["verified"] is False
    assert "bonusCredits" in results["smuggled"]["error"]


def test_our_verifier_accepts_what_their_signer_signs(tmp_path):
    key_pair = _write(
        tmp_path / "keypair.json",
        {
            "id": samples.KEY_ID,
            "controller": samples.ISSUER_DID,
            "publicKeyMultibase": multikey.encode_public_key(samples.ISSUER_KEY.public_key()),
            "secretKeyMultibase": multikey.encode_private_key(samples.ISSUER_KEY),
        },
    )
    unsigned = _write(tmp_path / "unsigned.json", samples.ob_credential())
    completed = subprocess.run(
        [_node(), "sign.mjs", str(unsigned), "--key", str(key_pair)],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    signed = json.loads(completed.stdout)
    proof = signed["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == samples.KEY_ID

    result = data_integrity.verify(signed, samples.resolve_issuer_key)
    assert result.ok, result.reason

    # Ed25519 is deterministic: with the same `created`, both stacks produce the same proof.
    ours = data_integrity.sign(
        samples.ob_credential(),
        samples.ISSUER_KEY,
        samples.KEY_ID,
        datetime.fromisoformat(proof["created"].replace("Z", "+00:00")),
        proof_as_list=False,
    )
    assert ours["proof"]["proofValue"] == proof["proofValue"]

    signed["name"] = "Forged"
    assert not data_integrity.verify(signed, samples.resolve_issuer_key).ok
