"""An independent verifier (Digital Bazaar's @digitalbazaar/vc stack, tests/interop) accepts the
credentials the application issues, and rejects tampered ones."""

import base64
import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from credentials.issuing import documents as issuing
from credentials.issuing import keys

INTEROP = Path(__file__).resolve().parents[2] / "interop"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (INTEROP / "node_modules").is_dir(),
        reason="independent verifier not installed: run `npm ci` in tests/interop",
    ),
]


def test_it_is_accepted_by_an_independent_verifier(tmp_path, issued):
    node = shutil.which("node")
    assert node, "tests/interop/node_modules exists but Node.js is not on PATH"
    controllers = tmp_path / "controllers.json"
    controllers.write_text(
        json.dumps(
            {keys.organisation_did(issued.organisation): keys.did_document(issued.organisation)}
        )
    )
    context = tmp_path / "context.jsonld"
    context.write_text(json.dumps(issuing.extension_context()))
    good = tmp_path / "issued.json"
    good.write_text(issued.document_json)
    tampered_document = copy.deepcopy(issued.document)
    tampered_document["credentialSubject"]["achievement"]["creditPoint"]["point"] = "30.0"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(tampered_document))
    completed = subprocess.run(
        [
            node,
            "verify.mjs",
            str(good),
            str(tampered),
            "--keys",
            str(controllers),
            "--context",
            f"{issuing.extension_context_url()}={context}",
        ],
        cwd=INTEROP,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    results = {Path(r["file"]).stem: r for r in map(json.loads, completed.stdout.splitlines()) if r}
    assert results["issued"]["verified"] is True, results["issued"]["error"]
    assert results["issued"]["verificationMethod"] == keys.verification_method(issued.key)
    assert results["tampered"]["verified"] is False


# The VC-JWT form, checked with @noble/ed25519 (a dependency of the verifier stack) and the
# public key taken from the DID document by Digital Bazaar's multikey decoder: nothing of ours.
JWT_CHECK = r"""
import * as ed from '@noble/ed25519';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {readFileSync} from 'node:fs';
const [token, didPath] = process.argv.slice(1);
const did = JSON.parse(readFileSync(didPath, 'utf8'));
const [head, body, sig] = token.split('.');
const header = JSON.parse(Buffer.from(head, 'base64url'));
const method = did.verificationMethod.find(m => m.id === header.kid);
const key = await Ed25519Multikey.from(method);
const ok = await ed.verify(
  Buffer.from(sig, 'base64url'), Buffer.from(`${head}.${body}`), key.publicKey);
const payload = JSON.parse(Buffer.from(body, 'base64url'));
process.stdout.write(JSON.stringify({ok, alg: header.alg, iss: payload.iss, jti: payload.jti}));
"""


def test_it_signs_a_vc_jwt_an_independent_library_accepts(tmp_path, issued):
    did = tmp_path / "did.json"
    did.write_text(json.dumps(keys.did_document(issued.organisation)))

    def check(token):
        completed = subprocess.run(
            [shutil.which("node"), "--input-type=module", "-e", JWT_CHECK, token, str(did)],
            cwd=INTEROP,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout)

    result = check(issued.jwt)
    assert result == {
        "ok": True,
        "alg": "EdDSA",
        "iss": issued.document["issuer"]["id"],
        "jti": issued.document["id"],
    }
    head, body, signature = issued.jwt.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["name"] = "Forged"
    forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    assert check(f"{head}.{forged_body}.{signature}")["ok"] is False
