"""`credential export DIR` writes a folder an independent verifier checks with no network:
credentials of two organisations, their DID documents, status lists and every context, each
file listed with its digest in manifest.json."""

import hashlib
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from credentials.catalogue.vocabularies import Grading, Supervision
from credentials.issuing import documents as issuing
from tests.factories.catalogue import make_organisation, make_specification
from tests.factories.credentials import issue

INTEROP = Path(__file__).resolve().parents[2] / "interop"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (INTEROP / "node_modules").is_dir(),
        reason="independent verifier not installed: run `npm ci` in tests/interop",
    ),
]


def _verify_export(directory: Path) -> tuple[int, list[dict]]:
    completed = subprocess.run(
        [shutil.which("node"), "verify.mjs", "--export", str(directory)],
        cwd=INTEROP,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    return completed.returncode, lines


@pytest.fixture
def exported(tmp_path, issued, candidate):
    second = make_specification(
        make_organisation(name_en="Second college", country="DE", region_code="DE3"),
        slug="welding",
        grading=Grading.SCALE_2_5,
        supervision=Supervision.UNSUPERVISED_NO_ID,
    )
    issue(candidate, second, grade="4.5")
    directory = tmp_path / "export"
    call_command("credential", "export", str(directory), stdout=io.StringIO())
    return directory


def test_it_exports_a_folder_verified_offline_from_its_manifest(exported):
    manifest = json.loads((exported / "manifest.json").read_text())
    assert len(manifest["credentials"]) == 2 and len(manifest["issuers"]) == 2
    assert issuing.EXTENSION_CONTEXT in {entry["url"] for entry in manifest["contexts"]}
    for entry in manifest["credentials"]:
        document = json.loads((exported / entry["file"]).read_text())
        assert issuing.schema_errors(document) == []
        assert document["@context"][-1] == issuing.EXTENSION_CONTEXT

    code, results = _verify_export(exported)

    assert code == 0, results
    assert len(results) == 2 + len(manifest["statusLists"]) >= 4
    assert all(result["verified"] for result in results)


def test_it_refuses_an_export_whose_context_differs_from_the_pinned_digest(exported):
    manifest = json.loads((exported / "manifest.json").read_text())
    (entry,) = [e for e in manifest["contexts"] if e["url"] == issuing.EXTENSION_CONTEXT]
    context = exported / entry["file"]
    context.write_text(context.read_text() + " ")
    entry["sha256"] = hashlib.sha256(context.read_bytes()).hexdigest()
    (exported / "manifest.json").write_text(json.dumps(manifest))

    code, results = _verify_export(exported)

    assert code == 1
    credentials = [r for r in results if "digestSRI" in (r["error"] or "")]
    assert len(credentials) == 2
