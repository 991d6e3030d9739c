"""Credentials through the API: learners read and download their own; quality officers read all
and change their status, as on the issuing pages."""

import pytest

from api.models import Scope
from credentials.issuing.models import IssuedCredential
from rpl.audit.models import AuditEvent
from tests.api.clients import token_client

READS = [
    ("candidate", 200),
    ("candidate2", 404),
    ("quality_officer", 200),
    ("assessor", 403),
    ("identity_officer", 403),
    ("decision_maker", 403),
    ("administrator", 403),
    ("outsider", 403),
]


@pytest.mark.parametrize(("persona", "status"), READS)
def test_it_lets_each_persona_read_exactly_the_credentials_it_may(request, issued, persona, status):
    client = token_client(request.getfixturevalue(persona))
    detail = client.get(f"/api/v1/credentials/{issued.public_id}")
    listing = client.get("/api/v1/credentials/")
    assert detail.status_code == status
    if status == 200:
        assert detail.json()["state"] == "active"
        assert [c["id"] for c in listing.json()["results"]] == [str(issued.public_id)]
    elif status == 404:
        assert listing.json()["count"] == 0
    else:
        assert listing.status_code == 403


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("jsonld", "application/ld+json"), ("jwt", "application/jwt"), ("pdf", "application/pdf")],
)
def test_it_gives_the_learner_their_credential_in_each_form(candidate, issued, fmt, content_type):
    response = token_client(candidate).get(f"/api/v1/credentials/{issued.public_id}/{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    expected = {"jsonld": issued.document_json.encode(), "jwt": issued.jwt.encode()}
    if fmt == "pdf":
        assert response.content.startswith(b"%PDF")
    else:
        assert response.content == expected[fmt]


@pytest.mark.parametrize(("persona", "status"), [("candidate2", 404), ("quality_officer", 403)])
def test_it_keeps_downloads_for_the_learner(request, issued, persona, status):
    client = token_client(request.getfixturevalue(persona))
    assert client.get(f"/api/v1/credentials/{issued.public_id}/jsonld").status_code == status


def _change(client, credential, action, reason="An audit found the assessment irregular."):
    return client.post(
        f"/api/v1/credentials/{credential.public_id}/status",
        {"action": action, "reason": reason},
        content_type="application/json",
    )


def test_it_lets_a_quality_officer_suspend_reinstate_and_revoke(quality_officer, issued):
    client = token_client(quality_officer)
    assert _change(client, issued, "suspend").json()["state"] == "suspended"
    assert _change(client, issued, "reinstate").json()["state"] == "active"
    revoked = _change(client, issued, "revoke")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    issued.refresh_from_db()
    assert issued.state == IssuedCredential.State.REVOKED
    actions = AuditEvent.objects.filter(target_id=str(issued.pk)).values_list("action", flat=True)
    assert {"credential.suspended", "credential.reinstated", "credential.revoked"} <= set(actions)
    final = _change(client, issued, "reinstate")
    assert final.status_code == 409
    assert final["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "persona", ["candidate", "assessor", "decision_maker", "administrator", "outsider"]
)
def test_it_lets_only_quality_officers_change_a_status(request, issued, persona):
    response = _change(token_client(request.getfixturevalue(persona)), issued, "revoke")
    assert response.status_code in {403, 404}
    issued.refresh_from_db()
    assert issued.state == IssuedCredential.State.ACTIVE


def test_it_needs_the_manage_scope_to_change_a_status(quality_officer, issued):
    reader = token_client(quality_officer, scopes=[Scope.CREDENTIALS_READ])
    assert reader.get(f"/api/v1/credentials/{issued.public_id}").status_code == 200
    assert _change(reader, issued, "suspend").status_code == 403


def test_it_names_the_invalid_fields_of_a_status_change(quality_officer, issued):
    response = _change(token_client(quality_officer), issued, "destroy", reason="   ")
    assert response.status_code == 422
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert set(errors) == {"body.action", "body.reason"}
    assert errors["body.reason"] == "This field may not be empty."
