"""Public operations: catalogue, verification and status lists, with their rate limit."""

import json

from api.models import Scope
from credentials.catalogue.vocabularies import Status
from credentials.issuing import services as issuing_services
from tests.api.clients import token_client


def test_it_searches_the_published_catalogue(anonymous, spec):
    listing = anonymous.get("/api/v1/catalogue/").json()
    assert listing["count"] == 3
    assert {s["slug"] for s in listing["results"]} >= {"python-basics"}
    found = anonymous.get("/api/v1/catalogue/?q=python").json()
    assert [s["slug"] for s in found["results"]] == ["python-basics"]
    page = anonymous.get("/api/v1/catalogue/?limit=2").json()
    assert len(page["results"]) == 2 and "offset=2" in page["next"]


def test_it_shows_a_published_specification_and_hides_others(anonymous, spec):
    detail = anonymous.get(f"/api/v1/catalogue/{spec.slug}")
    assert detail.status_code == 200
    assert [o["position"] for o in detail.json()["outcomes"]] == list(
        range(1, spec.outcomes.count() + 1)
    )
    spec.status = Status.DRAFT
    spec.save()
    assert anonymous.get(f"/api/v1/catalogue/{spec.slug}").status_code == 404


def _verify(client, credential):
    body = {"credential": credential}
    return client.post("/api/v1/verify", body, content_type="application/json")


def test_it_verifies_a_posted_credential_in_both_forms(anonymous, issued, quality_officer):
    assert _verify(anonymous, issued.document).json()["valid"] is True
    assert _verify(anonymous, issued.jwt).json()["valid"] is True
    tampered = issued.document
    tampered["credentialSubject"]["id"] = "did:example:someone-else"
    report = _verify(anonymous, tampered).json()
    assert report["valid"] is False
    assert any(c["name"] == "signature" and not c["ok"] for c in report["checks"])
    issuing_services.revoke(issued, actor=quality_officer, reason="Fraud.")
    assert _verify(anonymous, issued.document).json()["revoked"] is True


def test_it_reports_rather_than_fails_on_garbage(anonymous, spec):
    report = _verify(anonymous, "not a credential").json()
    assert report["valid"] is False and report["checks"][0]["name"] == "format"


def test_it_refuses_an_oversized_credential(anonymous, spec):
    response = _verify(anonymous, {"padding": "x" * 300_000})
    assert response.status_code == 413


def test_it_serves_the_signed_status_lists(anonymous, issued):
    listing = anonymous.get("/api/v1/status-lists/?purpose=message").json()
    assert listing["count"] == 1
    ref = listing["results"][0]
    document = anonymous.get(f"/api/v1/status-lists/{ref['organisation']}/message/{ref['number']}")
    assert document.status_code == 200
    assert document.json()["id"] == ref["url"]
    assert "BitstringStatusListCredential" in document.json()["type"]
    assert anonymous.get(f"/api/v1/status-lists/{ref['organisation']}/other/1").status_code == 404


def test_it_limits_the_rate_of_public_calls(anonymous, settings, spec):
    settings.API_PUBLIC_RATE = "2/min"
    assert anonymous.get("/api/v1/catalogue/").status_code == 200
    assert anonymous.get("/api/v1/catalogue/").status_code == 200
    refused = anonymous.get("/api/v1/catalogue/")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert int(refused["Retry-After"]) > 0
    assert json.loads(refused.content)["type"].endswith("#problem-rate-limit")


def test_it_does_not_rate_limit_authenticated_operations(candidate, settings, spec):
    settings.API_PUBLIC_RATE = "1/min"
    client = token_client(candidate, scopes=[Scope.CASES_READ])
    assert all(client.get("/api/v1/cases/").status_code == 200 for _ in range(3))


def test_it_answers_unknown_addresses_and_methods_with_problems(anonymous, spec):
    missing = anonymous.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    wrong = anonymous.delete("/api/v1/catalogue/")
    assert wrong.status_code == 405
    assert wrong["Allow"] == "GET"
    assert wrong["Content-Type"] == "application/problem+json"


def test_it_publishes_its_openapi_document_and_reference(anonymous, spec):
    document = anonymous.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{case_id}/evidence" in document["paths"]
    assert "Problem" in document["components"]["schemas"]
    page = anonymous.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/api/v1/cases/{case_id}/submit" in page.content
    assert b"<script" not in page.content
