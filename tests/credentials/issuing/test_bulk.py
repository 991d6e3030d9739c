"""Bulk issuing from a CSV file: checking every row, the background job, duplicates, the pages."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from credentials.bulk import jobs as tasks
from credentials.bulk import rows as bulk
from credentials.bulk.models import BulkIssuedRow, BulkIssueJob
from credentials.catalogue.vocabularies import Status
from credentials.issuing.models import IssuedCredential
from rpl.accounts.models import User
from rpl.accounts.roles import Role
from rpl.audit.models import AuditEvent
from tests.factories.catalogue import make_specification
from tests.factories.people import PERSONAS

pytestmark = pytest.mark.django_db

HEADER = "email,full_name,specification,recognised_outcomes,assessed_on,grade"
ROWS = [
    "alice@example.org,Alice Candidate,data-analysis,all,2025-05-10,",
    "new.one@example.org,New One,data-analysis,1;3,2025-05-11,Pass",
    "New.Two@Example.org,New Two,data-analysis,,2025-05-12,",
]


def _csv(*rows, header=HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _upload(client, data: bytes, name="learners.csv", capture=None):
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    if capture is None:
        return client.post("/credentials/bulk/", {"file": file})
    with capture(execute=True):
        return client.post("/credentials/bulk/", {"file": file})


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_it_issues_one_credential_per_row_of_a_valid_file(
    admin_client, administrator, candidate, specification, django_capture_on_commit_callbacks
):
    response = _upload(admin_client, _csv(*ROWS), capture=django_capture_on_commit_callbacks)
    job = BulkIssueJob.objects.get()
    assert response.status_code == 302 and response.url == f"/credentials/bulk/{job.pk}/"
    assert job.status == "done" and job.file_name == "learners.csv"
    assert (job.total_rows, job.processed_rows, job.issued_count, job.duplicate_count) == (
        3,
        3,
        3,
        0,
    )
    assert job.errors == []
    credentials = IssuedCredential.objects.order_by("issued_at")
    assert [c.learner.email for c in credentials] == [
        "alice@example.org",
        "new.one@example.org",
        "new.two@example.org",
    ]
    assert credentials[0].learner == candidate
    new = User.objects.get(email="new.one@example.org")
    assert new.full_name == "New One" and new.roles == [Role.CANDIDATE]
    assert not new.has_usable_password()
    outcomes = {o.position: str(o.pk) for o in specification.outcomes.all()}
    assert credentials[1].recognised_outcomes == [outcomes[1], outcomes[3]]
    assert len(credentials[0].recognised_outcomes) == 3
    assert str(credentials[1].issued_at.date()) == "2025-05-11"
    assert '"value": "Pass"' in credentials[1].document_json
    assert BulkIssuedRow.objects.filter(job=job).count() == 3
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("credential.issued") == 3
    assert "bulk_issue.created" in actions and "bulk_issue.finished" in actions
    page = admin_client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "learners.csv" in html and "Done: 3 credentials issued, 0 duplicates skipped." in html


def test_it_skips_duplicates_when_the_same_file_is_uploaded_again(
    admin_client, candidate, specification, django_capture_on_commit_callbacks
):
    _upload(admin_client, _csv(*ROWS), capture=django_capture_on_commit_callbacks)
    # The same learners in other letter case, with another grade: still the same rows.
    again = _csv(*[row.replace("alice@", "ALICE@").replace("Pass", "Good") for row in ROWS])
    response = _upload(admin_client, again, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    second = BulkIssueJob.objects.order_by("-pk").first()
    assert second.status == "done"
    assert (second.processed_rows, second.issued_count, second.duplicate_count) == (3, 0, 3)
    assert IssuedCredential.objects.count() == 3
    html = admin_client.get(response.url).content.decode()
    assert "Done: 0 credentials issued, 3 duplicates skipped." in html
    # Another assessment date is another credential.
    _upload(
        admin_client,
        _csv(ROWS[0].replace("2025-05-10", "2025-06-01")),
        capture=django_capture_on_commit_callbacks,
    )
    assert IssuedCredential.objects.count() == 4


def test_it_issues_a_file_with_a_bom_and_semicolons(
    admin_client, specification, django_capture_on_commit_callbacks
):
    text = (
        "email;full_name;specification;recognised_outcomes;assessed_on;grade\r\n"
        'zofia@example.org;Zofia Żółć;data-analysis;"1;2";2025-04-01;5,0\r\n'
    )
    result = bulk.parse(b"\xef\xbb\xbf" + text.encode())
    assert result.ok, result.errors
    assert result.rows[0].full_name == "Zofia Żółć" and result.rows[0].outcomes == [1, 2]
    assert result.rows[0].grade == "5,0"
    response = _upload(
        admin_client, b"\xef\xbb\xbf" + text.encode(), capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    credential = IssuedCredential.objects.get()
    assert credential.learner.full_name == "Zofia Żółć"
    assert len(credential.recognised_outcomes) == 2


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (",Ann,data-analysis,all,2025-05-10,", "email", "Write the learner's e-mail address."),
        ("not-an-address,Ann,data-analysis,all,2025-05-10,", "email", "is not an e-mail address"),
        ("ann@example.org,,data-analysis,all,2025-05-10,", "full_name", "Write the learner's"),
        ("ann@example.org,Ann,,all,2025-05-10,", "specification", "Write the address (slug)"),
        (
            "ann@example.org,Ann,no-such-thing,all,2025-05-10,",
            "specification",
            "There is no micro-credential with the address “no-such-thing”",
        ),
        (
            "ann@example.org,Ann,draft-one,all,2025-05-10,",
            "specification",
            "The micro-credential “draft-one” is not published",
        ),
        (
            "ann@example.org,Ann,data-analysis,1;7,2025-05-10,",
            "recognised_outcomes",
            "has no learning outcome number 7; it has 3",
        ),
        (
            "ann@example.org,Ann,data-analysis,one,2025-05-10,",
            "recognised_outcomes",
            "is not a list of outcome numbers",
        ),
        ("ann@example.org,Ann,data-analysis,all,,", "assessed_on", "Write the date"),
        (
            "ann@example.org,Ann,data-analysis,all,10.05.2025,",
            "assessed_on",
            "“10.05.2025” is not a date. Write it as YYYY-MM-DD",
        ),
        ("ann@example.org,Ann,data-analysis,all,2999-01-01,", "assessed_on", "in the future"),
        (
            "ann@example.org,Ann,data-analysis,all,2025-05-10," + "A" * 101,
            "grade",
            "The grade is longer than 100 characters",
        ),
        ("ann@example.org,Ann,data-analysis,all,2025-05-10,,extra", "", "has 7 cells"),
    ],
)
def test_it_names_the_row_and_column_of_each_bad_row(specification, row, column, message):
    make_specification(specification.awarding_body, status=Status.DRAFT, slug="draft-one")
    result = bulk.parse(_csv(ROWS[0], row))
    assert not result.ok and result.rows == []
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    assert (error.row, error.column) == (3, column)
    assert message in error.message


def test_it_reports_a_repeated_row_and_bad_headers(specification):
    repeated = bulk.parse(_csv(ROWS[0], ROWS[0].replace("alice@", "Alice@")))
    assert [(e.row, e.column) for e in repeated.errors] == [(3, "email")]
    assert "repeats row 2" in repeated.errors[0].message
    header = bulk.parse(_csv(ROWS[0], header="email,name,specification,assessed_on"))
    assert {(e.row, e.column) for e in header.errors} == {(1, "name"), (1, "full_name")}
    assert "“name” is not a known column" in header.errors[0].message
    assert (
        bulk.parse(b"\xff\xfe" + "ż".encode("utf-16-le"))
        .errors[0]
        .message.startswith("The file is not in UTF-8")
    )
    assert "no rows" in bulk.parse(_csv()).errors[0].message
    assert "empty" in bulk.parse(b" \n").errors[0].message


def test_it_lists_every_error_and_issues_nothing_when_a_row_is_wrong(
    admin_client, specification, django_capture_on_commit_callbacks
):
    data = _csv(
        ROWS[0],
        "bad-address,,data-analysis,9,2025-13-01,",
        ROWS[1],
        "x@example.org,X,missing,all,2025-05-10,",
    )
    response = _upload(
        admin_client, data, name="spring.csv", capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was issued: the file “spring.csv” has 5 problems." in html
    errors = [(e["row"], e["column"]) for e in response.context["errors"]]
    assert errors == [
        (3, "email"),
        (3, "full_name"),
        (3, "recognised_outcomes"),
        (3, "assessed_on"),
        (5, "specification"),
    ]
    assert "<code>recognised_outcomes</code>" in html
    assert IssuedCredential.objects.count() == 0 and BulkIssueJob.objects.count() == 0


def test_it_refuses_an_oversized_file(admin_client, specification, monkeypatch):
    big = _csv(ROWS[0]) + b"#" * (bulk.MAX_BYTES + 1)
    response = _upload(admin_client, big)
    assert response.status_code == 400
    assert "The file is larger than 5 MB." in response.content.decode()
    assert "larger than 5 MB" in bulk.parse(big).errors[0].message
    monkeypatch.setattr(bulk, "MAX_ROWS", 2)
    too_many = bulk.parse(_csv(*ROWS))
    assert too_many.errors[0].message.startswith("The file has 3 rows; at most 2 are allowed.")
    assert BulkIssueJob.objects.count() == 0


def test_it_shows_the_progress_of_a_running_job(admin_client, administrator):
    job = BulkIssueJob.objects.create(
        created_by=administrator,
        file_name="big.csv",
        status=BulkIssueJob.Status.RUNNING,
        total_rows=5,
        processed_rows=2,
        issued_count=1,
        duplicate_count=1,
    )
    html = admin_client.get(f"/credentials/bulk/{job.pk}/").content.decode()
    assert '<progress id="bulk-progress-bar" max="5" value="2"' in html
    assert "2 of 5 rows processed." in html
    assert "js/bulk-progress.js" in html and "Refresh" in html
    assert "<script>" not in html
    response = admin_client.get(f"/credentials/bulk/{job.pk}/progress.json")
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "status": "running",
        "status_display": "Running",
        "finished": False,
        "total": 5,
        "processed": 2,
        "issued": 1,
        "duplicates": 1,
        "errors": 0,
        "percent": 40,
    }
    listing = admin_client.get("/credentials/bulk/").content.decode()
    assert "big.csv" in listing and "2 / 5" in listing


def test_it_records_a_job_that_fails_mid_way_and_can_start_it_again(
    admin_client, candidate, specification, django_capture_on_commit_callbacks, monkeypatch
):
    real = tasks.issue_credential
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["learner"].email)
        if len(calls) == 2:
            raise RuntimeError("the signing service is down")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "issue_credential", flaky)
    response = _upload(admin_client, _csv(*ROWS), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job = BulkIssueJob.objects.get()
    assert job.status == "failed" and job.finished_at is not None
    assert (job.processed_rows, job.issued_count) == (1, 1)
    assert len(job.errors) == 1 and job.errors[0]["row"] == 3
    assert "unexpected error (RuntimeError)" in job.errors[0]["message"]
    assert IssuedCredential.objects.count() == 1
    assert not User.objects.filter(email="new.one@example.org").exists()  # rolled back
    assert AuditEvent.objects.filter(action="bulk_issue.failed").count() == 1
    page = admin_client.get(f"/credentials/bulk/{job.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "The job stopped at an error." in html and "Start the job again" in html
    assert "unexpected error (RuntimeError)" in html

    monkeypatch.setattr(tasks, "issue_credential", real)
    with django_capture_on_commit_callbacks(execute=True):
        retried = admin_client.post(f"/credentials/bulk/{job.pk}/retry/")
    assert retried.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.errors == []
    assert (job.processed_rows, job.issued_count, job.duplicate_count) == (3, 2, 1)
    assert IssuedCredential.objects.count() == 3


def test_it_fails_a_row_whose_specification_was_retired_meanwhile(
    administrator, specification, django_capture_on_commit_callbacks
):
    from credentials.catalogue import services

    result = bulk.parse(_csv(ROWS[1]))
    job = BulkIssueJob.objects.create(
        created_by=administrator,
        file_name="late.csv",
        rows=[row.as_dict() for row in result.rows],
        total_rows=1,
    )
    services.retire_specification(specification, actor=None)
    assert tasks.run_bulk_issue.delay(job.pk).get()["status"] == "failed"
    job.refresh_from_db()
    assert "“data-analysis” is no longer published" in job.errors[0]["message"]
    assert IssuedCredential.objects.count() == 0
    # Running a finished or an unknown job does nothing.
    BulkIssueJob.objects.filter(pk=job.pk).update(status=BulkIssueJob.Status.DONE)
    assert tasks.run_bulk_issue(job.pk)["status"] == "done"
    assert tasks.run_bulk_issue(999999) == {}


@pytest.fixture
def some_job(administrator):
    return BulkIssueJob.objects.create(
        created_by=administrator, file_name="x.csv", status=BulkIssueJob.Status.FAILED
    )


def _pages(job):
    return [
        ("get", "/credentials/bulk/"),
        ("get", f"/credentials/bulk/{job.pk}/"),
        ("get", f"/credentials/bulk/{job.pk}/progress.json"),
        ("post", f"/credentials/bulk/{job.pk}/retry/"),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_administrators_in(client, request, persona, some_job, monkeypatch):
    monkeypatch.setattr(tasks.run_bulk_issue, "delay", lambda job_id: None)
    client.force_login(request.getfixturevalue(persona))
    for method, url in _pages(some_job):
        response = getattr(client, method)(url)
        if persona == "administrator":
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == 403, url


def test_it_sends_anonymous_visitors_to_the_login_page(client, some_job):
    for method, url in _pages(some_job):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url
    assert client.post("/credentials/bulk/", {}).status_code == 302
