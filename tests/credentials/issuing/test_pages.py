"""Pages: the public verification page (and JSON-LD by content negotiation), the verify form, the
wallet with its downloads, the quality officers' pages, the DID documents and the context."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from credentials.issuing import documents as issuing
from credentials.issuing import keys
from credentials.issuing.models import IssuedCredential
from credentials.issuing.verification import MAX_INPUT_BYTES
from tests.factories.people import PERSONAS

pytestmark = pytest.mark.django_db


def _page(issued):
    return f"/credentials/{issued.public_id}/"


def test_it_shows_a_public_verification_page(client, issued):
    response = client.get(_page(issued))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Valid: the signature, the status and the dates all check out." in html
    assert "Alice Candidate" in html and "Data analysis" in html
    for outcome in ("Learning outcome 1", "Learning outcome 2", "Learning outcome 3"):
        assert outcome in html
    for element in ("Type of quality assurance", "Supervision and identity verification", "PL91"):
        assert element in html
    assert response["Vary"].startswith("Accept")


@pytest.mark.parametrize(
    "accept", ["application/ld+json", "application/vc+ld+json", "application/json;q=0.9"]
)
def test_it_serves_json_ld_by_content_negotiation(client, issued, accept):
    response = client.get(_page(issued), HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == accept.split(";")[0]
    assert "Accept" in response["Vary"]
    assert response.content.decode() == issued.document_json
    html = client.get(_page(issued), HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert html["Content-Type"].startswith("text/html")


def test_it_answers_404_for_unknown_credentials(client):
    assert client.get("/credentials/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert client.get("/credentials/not-a-uuid/").status_code == 404


def test_it_verifies_pasted_and_uploaded_credentials(client, issued):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pasted = client.post("/credentials/verify/", {"credential": issued.document_json})
    assert pasted.status_code == 200 and pasted.context["report"].valid
    assert "Valid: the signature" in pasted.content.decode()
    jwt = client.post("/credentials/verify/", {"credential": issued.jwt})
    assert jwt.context["report"].valid
    upload = SimpleUploadedFile("c.jsonld", issued.document_json.encode(), "application/ld+json")
    uploaded = client.post("/credentials/verify/", {"file": upload})
    assert uploaded.context["report"].valid
    tampered = json.loads(issued.document_json)
    tampered["name"] = "Forged"
    forged = client.post("/credentials/verify/", {"credential": json.dumps(tampered)})
    assert not forged.context["report"].valid
    assert "signature does not match" in forged.content.decode()


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "hello",
        "{not json",
        "[]",
        "{}",
        '{"@context": 5, "type": ["VerifiableCredential", "OpenBadgeCredential"]}',
        "a.b.c",
        "eyJhbGciOiJub25lIn0.eyJ9.",
        "[" * 5000 + "]" * 5000,
        '{"a":' * 3000 + "1" + "}" * 3000,
        "\x00\x01\x02",
    ],
)
def test_it_answers_junk_with_a_clear_error(client, junk):
    response = client.post("/credentials/verify/", {"credential": junk})
    assert response.status_code == 200
    report = response.context["report"]
    assert report is None or (not report.valid and report.reasons)


def test_it_refuses_oversized_input(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.json", b"{" + b" " * (MAX_INPUT_BYTES + 10) + b"}")
    response = client.post("/credentials/verify/", {"file": big})
    assert response.status_code == 200
    assert "larger than 256 KB" in response.content.decode()
    response = client.post("/credentials/verify/", {"credential": "x" * (MAX_INPUT_BYTES + 1)})
    assert response.status_code == 200 and response.context["form"].errors


def test_it_serves_issuer_did_documents_and_the_context(client, issued):
    did = keys.organisation_did(issued.organisation)
    assert did == f"did:web:rpl.example.edu:issuers:{issued.organisation.pk}"
    response = client.get(f"/issuers/{issued.organisation.pk}/did.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["id"] == did
    assert document["assertionMethod"] == [
        keys.verification_method(issued.key),
        keys.jwt_key_id(issued.key),
    ]
    assert "Cache-Control" in response
    assert client.get("/issuers/9999/did.json").status_code == 404
    context = client.get(urlsplit(issuing.extension_context_url()).path)
    assert context.status_code == 200
    assert json.loads(context.content) == issuing.extension_context()
    assert client.get("/credentials/contexts/other.jsonld").status_code == 404


def test_it_lists_only_the_learners_own_credentials(client, issued, candidate2, specification):
    from credentials.issuing import services as issuing_services

    other = issuing_services.issue_credential(learner=candidate2, specification=specification)
    client.force_login(issued.learner)
    response = client.get("/credentials/wallet/")
    html = response.content.decode()
    assert [row["credential"] for row in response.context["rows"]] == [issued]
    assert "Add to LinkedIn profile" in html
    link = response.context["rows"][0]["linkedin"]
    query = parse_qs(urlsplit(link).query)
    assert link.startswith("https://www.linkedin.com/profile/add?")
    assert query["name"] == ["Data analysis"]
    assert query["organizationName"] == [issued.organisation.name]
    assert query["issueYear"] == [str(issued.issued_at.year)]
    assert query["certUrl"] == [issuing.credential_url(issued.public_id)]
    assert query["certId"] == [str(issued.public_id)]
    assert query["expirationYear"] == [str(issued.valid_until.year)]
    for fmt, kind in (("jsonld", "application/ld+json"), ("jwt", "text/plain")):
        download = client.get(f"/credentials/{issued.public_id}/download/{fmt}")
        assert download.status_code == 200 and download["Content-Type"].startswith(kind)
        assert "attachment" in download["Content-Disposition"]
    assert client.get(f"/credentials/{other.public_id}/download/jsonld").status_code == 404
    assert client.get(f"/credentials/{issued.public_id}/download/exe").status_code == 404


def test_it_shows_expiry_and_stops_sharing_expired_credentials(client, issued):
    from datetime import timedelta

    from django.utils import timezone

    IssuedCredential.objects.filter(pk=issued.pk).update(
        valid_until=timezone.now() - timedelta(days=1)
    )
    client.force_login(issued.learner)
    response = client.get("/credentials/wallet/")
    html = response.content.decode()
    assert "Expired" in html
    assert "Add to LinkedIn profile" not in html


PAGES = {
    "verification": ("/credentials/{id}/", {"*"}),
    "verify form": ("/credentials/verify/", {"*"}),
    "did": ("/issuers/{org}/did.json", {"*"}),
    "wallet": ("/credentials/wallet/", {"candidate"}),
    "download": ("/credentials/{id}/download/jsonld", {"candidate"}),
    "issued list": ("/credentials/issued/", {"quality_officer"}),
    "change status": ("/credentials/{id}/status/", {"quality_officer"}),
}


@pytest.mark.parametrize("persona", [*PERSONAS, None])
@pytest.mark.parametrize("page", PAGES)
def test_it_lets_in_only_the_right_persona(client, request, issued, page, persona):
    template, allowed = PAGES[page]
    url = template.format(id=issued.public_id, org=issued.organisation.pk)
    if persona is not None:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(url)
    if "*" in allowed or persona in allowed:
        assert response.status_code == 200, (page, persona)
    elif persona is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403, (page, persona)


def test_it_lets_quality_officers_change_the_status(
    client, issued, quality_officer, candidate, django_capture_on_commit_callbacks, mailoutbox
):
    url = f"/credentials/{issued.public_id}/status/"
    client.force_login(candidate)
    assert client.post(url, {"action": "revoke", "reason": "x"}).status_code == 403
    client.force_login(quality_officer)
    missing = client.post(url, {"action": "suspend", "reason": ""})
    assert missing.status_code == 400
    bogus = client.post(url, {"action": "delete", "reason": "x"})
    assert bogus.status_code == 400
    not_suspended = client.post(url, {"action": "reinstate", "reason": "x"})
    assert not_suspended.status_code == 400
    assert "not possible" in not_suspended.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"action": "suspend", "reason": "Audit"})
    assert done.status_code == 302
    issued.refresh_from_db()
    assert issued.state == "suspended" and issued.state_reason == "Audit"
    assert len(mailoutbox) == 1
    assert client.get(url).status_code == 200
