"""The engine issues the credential when a case ends in full recognition; the demo holds some."""

import io

import pytest
from django.core.management import call_command

from credentials.catalogue.vocabularies import Supervision, concept
from credentials.issuing import verification
from credentials.issuing.models import IssuedCredential, IssuerKey
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(assessor, assessor2, identity_officer, decision_maker):
    return assessed_catalogue([assessor, assessor2, identity_officer, decision_maker])


def test_it_issues_one_credential_when_a_case_ends_in_full_recognition(
    demo, candidate, assessor, decision_maker, django_capture_on_commit_callbacks, mailoutbox
):
    spec = demo["python-basics"]
    assert IssuerKey.objects.filter(organisation=spec.awarding_body).count() == 1
    case = case_services.start_case(candidate=candidate, specification=spec)
    scores = {"scores": {str(o.pk): 4 for o in spec.outcomes.all()}}
    take_and_complete(open_tasks(case)[0], assessor, scores)
    take_and_complete(open_tasks(case)[0], assessor, {"score_percent": 90.0})
    with django_capture_on_commit_callbacks(execute=True):
        take_and_complete(
            open_tasks(case, "decision")[0],
            decision_maker,
            {"outcome": "full", "recognised_outcomes": [], "reasons": "All shown."},
        )
    case.refresh_from_db()
    credential = IssuedCredential.objects.get(case=case)
    assert case.data["credential"] == str(credential.public_id)
    assert credential.learner == candidate and credential.specification == spec
    assert credential.recognised_outcomes == [str(o.pk) for o in spec.outcomes.all()]
    assert verification.verify_document(credential.document).valid
    subject = credential.document["credentialSubject"]
    assert subject["supervisionAndIdentityVerification"] == (
        concept(Supervision, credential.supervision).iri
    )
    assert any("issued" in mail.subject for mail in mailoutbox)
    # Exactly once: issuing again for the same case returns the same credential.
    again = case_services.credential_for(case, actor=decision_maker)
    assert again.pk == credential.pk
    assert IssuedCredential.objects.filter(case=case).count() == 1


def test_it_records_a_failed_issue_without_losing_the_decision(
    demo, candidate, assessor, decision_maker, monkeypatch
):
    from credentials.issuing import documents as issuing

    def broken(*args, **kwargs):
        raise RuntimeError("signing service down")

    monkeypatch.setattr(issuing, "build_credential", broken)
    spec = demo["python-basics"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(
        open_tasks(case)[0], assessor, {"scores": {str(o.pk): 4 for o in spec.outcomes.all()}}
    )
    take_and_complete(open_tasks(case)[0], assessor, {"score_percent": 90.0})
    take_and_complete(
        open_tasks(case, "decision")[0],
        decision_maker,
        {"outcome": "full", "recognised_outcomes": [], "reasons": "All shown."},
    )
    case.refresh_from_db()
    assert case.outcome == "full"
    assert case.data["credential_due"] is True
    assert "signing service down" in case.data["credential_error"]
    assert not IssuedCredential.objects.exists()
    from rpl.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="case.credential_failed").exists()


def test_it_seeds_demo_credentials_once(db):
    call_command("seed_demo", stdout=io.StringIO())
    credentials = list(IssuedCredential.objects.all())
    assert len(credentials) == 3
    assert {c.specification.slug for c in credentials} == {
        "python-basics",
        "agile-project-management",
        "mig-mag-welding",
    }
    states = sorted(c.state for c in credentials)
    assert states == ["active", "revoked", "suspended"]
    assert {c.learner.email for c in credentials} == {"kandydat@demo.rpl.local"}
    call_command("seed_demo", stdout=io.StringIO())
    assert IssuedCredential.objects.count() == 3
