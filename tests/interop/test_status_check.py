"""An independent check (status.mjs: Digital Bazaar's stack for the proofs and
@digitalbazaar/vc-bitstring-status-list's decoding for the lists) reads the status and validity
of credentials the application issues from their ``credentialStatus`` alone: an active one
verifies; a revoked, a suspended and an expired one are each reported as such; a reinstated one
verifies again and a revoked one never does."""

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from credentials.issuing import documents as issuing
from credentials.issuing import keys, status_lists
from credentials.issuing import services as issuing_services
from credentials.issuing.models import StatusList
from tests.factories.catalogue import make_organisation, make_specification

HERE = Path(__file__).parent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (HERE / "node_modules").is_dir(),
        reason="independent verifier not installed: run `npm ci` in tests/interop",
    ),
]


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://rpl.example.edu"


def _run(tmp_path, organisation, credentials):
    node = shutil.which("node")
    assert node, "tests/interop/node_modules exists but Node.js is not on PATH"
    controllers = tmp_path / "controllers.json"
    controllers.write_text(
        json.dumps({keys.organisation_did(organisation): keys.did_document(organisation)})
    )
    lists = tmp_path / "lists.json"
    lists.write_text(
        json.dumps(
            {
                status_lists.list_url(status_list): status_lists.published(status_list)
                for status_list in StatusList.objects.filter(organisation=organisation)
            }
        )
    )
    context = tmp_path / "context.jsonld"
    context.write_text(json.dumps(issuing.extension_context()))
    paths = []
    for name, credential in credentials.items():
        path = tmp_path / f"{name}.json"
        path.write_text(credential.document_json, encoding="utf-8")
        paths.append(str(path))
    completed = subprocess.run(
        [
            node,
            "status.mjs",
            *paths,
            "--keys",
            str(controllers),
            "--lists",
            str(lists),
            "--context",
            f"{issuing.extension_context_url()}={context}",
        ],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    return {Path(result["file"]).stem: result for result in results}


def test_it_reports_revoked_suspended_and_expired_credentials(tmp_path, candidate, quality_officer):
    organisation = make_organisation()
    specification = make_specification(organisation, slug="status-check", validity_months=12)

    def issue(**kwargs):
        return issuing_services.issue_credential(
            learner=candidate, specification=specification, **kwargs
        )

    active, revoked, suspended = issue(), issue(), issue()
    expired = issue(decided_at=datetime(2020, 3, 1, 9, 0, tzinfo=UTC))
    issuing_services.revoke(revoked, actor=quality_officer, reason="Fraud found.")
    issuing_services.suspend(suspended, actor=quality_officer, reason="Under appeal.")

    credentials = {"active": active, "revoked": revoked, "suspended": suspended, "expired": expired}
    results = _run(tmp_path, organisation, credentials)

    for name in ("active", "revoked", "suspended", "expired"):
        assert issuing.schema_errors(json.loads(credentials[name].document_json)) == []
        assert results[name]["proofVerified"] is True, results[name]["error"]
        assert results[name]["statusChecked"] is True, results[name]["error"]
    assert results["active"]["verified"] is True, results["active"]["error"]
    assert not any(results["active"][flag] for flag in ("expired", "revoked", "suspended"))
    assert results["revoked"]["verified"] is False
    assert results["revoked"]["revoked"] is True and results["revoked"]["suspended"] is False
    assert results["suspended"]["verified"] is False
    assert results["suspended"]["suspended"] is True and results["suspended"]["revoked"] is False
    assert results["suspended"]["status"] == ["suspended"]
    assert results["expired"]["verified"] is False
    assert results["expired"]["expired"] is True
    assert "validUntil 2021-03-01" in results["expired"]["error"]
    assert not results["expired"]["revoked"] and not results["expired"]["suspended"]

    # Reinstating sets the entry back to 0x0 in the published list: it verifies again. A revoked
    # credential cannot be reinstated.
    issuing_services.reinstate(suspended, actor=quality_officer, reason="Appeal upheld.")
    with pytest.raises(issuing_services.StatusChangeError):
        issuing_services.reinstate(revoked, actor=quality_officer, reason="Mistake?")
    again = _run(tmp_path, organisation, {"suspended": suspended, "revoked": revoked})
    assert again["suspended"]["verified"] is True, again["suspended"]["error"]
    assert again["suspended"]["status"] == ["valid"]
    assert again["revoked"]["revoked"] is True and again["revoked"]["verified"] is False
