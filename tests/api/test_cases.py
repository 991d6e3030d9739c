"""Cases through the API: who reads which case, and the candidate's writes (create, upload,
submit), with the same refusals as the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.models import Scope
from evidence.models import Application, EvidenceItem
from rpl.audit.models import AuditEvent
from tests.api.clients import ApiClient, token_client
from tests.factories.evidence import PDF

PROBLEM = "application/problem+json"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300


def _upload(client, application, name="report.pdf", content=PDF):
    return client.post(
        f"/api/v1/cases/{application.pk}/evidence",
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )


# Reading ---------------------------------------------------------------------------------------

READS = [
    ("candidate", 200),
    ("candidate2", 404),
    ("assessor", 200),
    ("assessor2", 404),
    ("identity_officer", 200),
    ("decision_maker", 200),
    ("quality_officer", 200),
    ("administrator", 200),
    ("outsider", 403),
]


@pytest.mark.parametrize(("persona", "status"), READS)
def test_it_lets_each_persona_read_exactly_the_cases_it_may(request, submitted, persona, status):
    client = token_client(request.getfixturevalue(persona))
    detail = client.get(f"/api/v1/cases/{submitted.pk}")
    timeline = client.get(f"/api/v1/cases/{submitted.pk}/timeline")
    listing = client.get("/api/v1/cases/")
    assert detail.status_code == timeline.status_code == status
    if status == 200:
        assert detail.json()["process"]["status"] == "NEW"
        assert [s["state"] for s in timeline.json()["steps"]][0] == "current"
        assert [case["id"] for case in listing.json()["results"]] == [submitted.pk]
    elif status == 404:
        assert detail["Content-Type"] == PROBLEM
        assert listing.json()["count"] == 0
    else:
        assert listing.status_code == 403 and listing["Content-Type"] == PROBLEM


def test_it_asks_anonymous_callers_to_authenticate(anonymous, submitted):
    response = anonymous.get(f"/api/v1/cases/{submitted.pk}")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("persona", ["assessor", "quality_officer"])
def test_it_shows_staff_no_draft_application(request, application, persona):
    client = token_client(request.getfixturevalue(persona))
    assert client.get(f"/api/v1/cases/{application.pk}").status_code == 404


def test_it_filters_and_paginates_the_cases(candidate, submitted, spec):
    client = token_client(candidate)
    assert client.get("/api/v1/cases/?status=draft").json()["count"] == 0
    assert client.get("/api/v1/cases/?status=submitted").json()["count"] == 1
    assert client.get("/api/v1/cases/?specification=mig-mag-welding").json()["count"] == 0
    page = client.get("/api/v1/cases/?limit=1&offset=1").json()
    assert page["count"] == 1 and page["results"] == [] and page["next"] is None
    assert "offset=0" in page["previous"]


def test_it_names_the_invalid_filter_in_a_problem(candidate, spec):
    response = token_client(candidate).get("/api/v1/cases/?status=lost&limit=0")
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"query.status", "query.limit"}


def test_it_shows_the_candidate_only_their_own_evidence(candidate, candidate2, assessor, submitted):
    own = token_client(candidate).get(f"/api/v1/cases/{submitted.pk}/evidence")
    assert own.status_code == 200
    assert [item["file_name"] for item in own.json()["results"]] == ["cv.pdf"]
    assert own.json()["results"][0]["submitted"] is True
    other = token_client(candidate2).get(f"/api/v1/cases/{submitted.pk}/evidence")
    assert other.status_code == 404
    staff = token_client(assessor).get(f"/api/v1/cases/{submitted.pk}/evidence")
    assert staff.status_code == 403


# Writing ---------------------------------------------------------------------------------------


def test_it_starts_a_case_once_for_the_candidate(candidate, spec):
    client = token_client(candidate)
    first = client.post(
        "/api/v1/cases/", {"specification": spec.slug}, content_type="application/json"
    )
    again = client.post(
        "/api/v1/cases/", {"specification": spec.slug}, content_type="application/json"
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "draft" and first.json()["process"] is None
    assert Application.objects.filter(candidate=candidate).count() == 1
    assert AuditEvent.objects.filter(action="application.started").count() == 1


def test_it_refuses_an_unknown_specification(candidate, spec):
    response = token_client(candidate).post(
        "/api/v1/cases/", {"specification": "no-such-thing"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("#problem-unknown-specification")


STAFF_AND_OUTSIDER = [
    "assessor",
    "identity_officer",
    "decision_maker",
    "quality_officer",
    "administrator",
    "outsider",
]


@pytest.mark.parametrize("persona", STAFF_AND_OUTSIDER)
def test_it_lets_only_candidates_start_cases(request, spec, persona):
    response = token_client(request.getfixturevalue(persona)).post(
        "/api/v1/cases/", {"specification": spec.slug}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_it_stores_an_uploaded_file_as_evidence(candidate, application):
    response = _upload(token_client(candidate), application, name="../../etc/cv.pdf")
    assert response.status_code == 201
    item = EvidenceItem.objects.get(pk=response.json()["id"])
    assert item.display_name == "cv.pdf"
    assert item.content_type == "application/pdf"
    assert response.json()["sha256"] == item.sha256
    assert AuditEvent.objects.filter(action="evidence.file_uploaded").exists()


def test_it_refuses_a_program_disguised_as_a_pdf(candidate, application):
    response = _upload(token_client(candidate), application, name="cv.pdf", content=ELF)
    assert response.status_code == 415
    assert response["Content-Type"] == PROBLEM
    assert "program" in response.json()["detail"]
    assert not EvidenceItem.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(candidate, application):
    big = PDF + b"0" * (1024 * 1024)
    response = _upload(token_client(candidate), application, content=big)
    assert response.status_code == 413
    assert response.json()["type"].endswith("#problem-upload-too-large")


def test_it_names_the_missing_file_part(candidate, application):
    response = token_client(candidate).post(f"/api/v1/cases/{application.pk}/evidence", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


def test_it_refuses_uploads_to_another_candidates_case(candidate2, application):
    assert _upload(token_client(candidate2), application).status_code == 404
    assert not EvidenceItem.objects.exists()


def test_it_submits_a_case_and_starts_the_engine(candidate, application):
    client = token_client(candidate)
    assert client.post(f"/api/v1/cases/{application.pk}/submit").status_code == 409
    _upload(client, application)
    response = client.post(f"/api/v1/cases/{application.pk}/submit")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["process"]["status"] == "NEW"
    late = _upload(client, application)
    assert late.status_code == 409
    assert late.json()["type"].endswith("#problem-conflict")


def test_it_lets_scopes_narrow_but_never_widen(candidate, assessor, application, spec):
    reader = token_client(candidate, scopes=[Scope.CASES_READ])
    assert reader.get(f"/api/v1/cases/{application.pk}").status_code == 200
    refused = _upload(reader, application)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("#problem-insufficient-scope")
    wrong_scope = token_client(candidate, scopes=[Scope.CREDENTIALS_READ])
    assert wrong_scope.get("/api/v1/cases/").status_code == 403
    # Every scope, but the assessor's roles still decide.
    assert _upload(token_client(assessor), application).status_code == 403


# The browser's session -------------------------------------------------------------------------


def test_it_accepts_the_session_and_demands_csrf_for_changes(candidate, spec):
    browser = ApiClient()
    browser.handler.enforce_csrf_checks = True
    browser.force_login(candidate)
    assert browser.get("/api/v1/cases/").status_code == 200
    body = {"specification": spec.slug}
    refused = browser.post("/api/v1/cases/", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("#problem-csrf")
    browser.get("/api/tokens/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/cases/", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201


def test_it_refuses_an_empty_file_as_a_bad_request(application, candidate):
    response = _upload(token_client(candidate), application, name="empty.pdf", content=b"")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("#problem-upload-empty")
    assert not EvidenceItem.objects.filter(application=application).exists()


def test_it_answers_a_multipart_body_without_a_boundary_with_a_bad_request(application, candidate):
    response = token_client(candidate).post(
        f"/api/v1/cases/{application.pk}/evidence",
        data=b"--x\r\nContent-Disposition: form-data; name=file\r\n\r\nabc\r\n--x--\r\n",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("#problem-malformed")
