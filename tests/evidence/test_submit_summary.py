"""Submitting is deliberate: a summary of what is about to be frozen, with its gaps, and a
declaration without which nothing is submitted and nothing is lost."""

import pytest
from django.urls import reverse

from evidence.models import EvidenceItem, Snapshot
from evidence.portfolio import services
from rpl.audit.models import AuditEvent
from tests.factories.evidence import PDF, add_file
from tests.factories.people import PERSONAS
from workflows.models import Case

pytestmark = pytest.mark.django_db

DECLARATION = (
    "I declare that this work and evidence are my own and true, and that I have not changed "
    "what others wrote about me."
)


def _url(application):
    return reverse("application_submit", args=[application.pk])


@pytest.fixture
def outcomes(application):
    return list(application.specification.outcomes.order_by("position"))


@pytest.fixture
def prepared(application, candidate, outcomes):
    """A file for the first two outcomes and a link for none."""
    item = add_file(application, "cv.pdf", PDF)
    services.update_item(item, actor=candidate, outcomes=outcomes[:2], title="My CV")
    services.add_item(
        application, actor=candidate, kind="link", title="My blog", url="https://example.org/b"
    )
    return application


def test_it_summarises_the_outcomes_their_evidence_and_the_gaps(
    client, candidate, prepared, outcomes
):
    client.force_login(candidate)
    response = client.get(_url(prepared))
    assert response.status_code == 200
    text = response.content.decode()
    summary = response.context["summary"]
    assert [row.outcome for row in summary.covered] == outcomes[:2]
    assert [row.outcome for row in summary.missing] == outcomes[2:]
    assert [item.title for item in summary.unmapped] == ["My blog"]
    assert f"2 of {len(outcomes)} learning outcomes have evidence." in text
    assert f"{len(outcomes) - 2} learning outcomes have no evidence" in text
    assert "Evidence linked to no learning outcome" in text and "“My blog”" in text
    for outcome in outcomes:
        assert outcome.statement in text
    assert text.count("My CV") == 2  # under each of the two outcomes it supports
    assert text.count("No evidence is linked to this learning outcome.") == len(outcomes) - 2
    assert DECLARATION in text and "Submit now" in text


def test_it_warns_when_the_self_assessment_is_empty(client, candidate, prepared, outcomes):
    client.force_login(candidate)
    text = client.get(_url(prepared)).content.decode()
    assert "Your self-assessment is empty." in text
    services.save_self_assessment(
        prepared, actor=candidate, answers={outcomes[0].pk: (3, "At work since 2020.")}
    )
    text = client.get(_url(prepared)).content.decode()
    assert "Your self-assessment is empty." not in text
    assert f"{len(outcomes) - 1} learning outcomes have no self-assessment." in text
    assert "At work since 2020." in text


def test_it_refuses_to_submit_without_the_declaration_and_loses_nothing(
    client, candidate, prepared
):
    client.force_login(candidate)
    response = client.post(_url(prepared), {})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Tick the declaration to submit" in text and "Nothing you prepared is lost." in text
    prepared.refresh_from_db()
    assert prepared.status == "draft"
    assert not Snapshot.objects.exists() and not Case.objects.exists()
    assert EvidenceItem.objects.filter(application=prepared).count() == 2
    assert not AuditEvent.objects.filter(action="application.submitted").exists()


def test_it_submits_with_the_declaration_and_keeps_it_in_the_audit_trail(
    client, candidate, prepared
):
    client.force_login(candidate)
    response = client.post(_url(prepared), {"declaration": "on"})
    assert response.status_code == 302
    assert response.url == reverse("case_timeline", args=[prepared.pk])
    prepared.refresh_from_db()
    assert prepared.status == "submitted"
    assert Case.objects.filter(application=prepared).exists()
    declared = AuditEvent.objects.get(action="application.declared")
    assert declared.actor == candidate
    assert declared.changes["round"] == 1
    assert declared.changes["declaration"] == DECLARATION
    again = client.get(_url(prepared), follow=True)
    assert "can no longer change" in again.content.decode()


def test_it_offers_no_submission_without_evidence(client, candidate, application):
    client.force_login(candidate)
    page = client.get(_url(application)).content.decode()
    assert "Add at least one piece of evidence." in page
    assert 'name="declaration"' not in page
    refused = client.post(_url(application), {"declaration": "on"})
    assert refused.status_code == 400
    assert "Add at least one piece of evidence." in refused.content.decode()
    assert not Snapshot.objects.exists()


def test_it_reaches_the_summary_from_the_table_of_evidence(client, candidate, prepared):
    client.force_login(candidate)
    page = client.get(reverse("evidence:matrix", args=[prepared.pk])).content.decode()
    assert f'href="{_url(prepared)}"' in page and "Review and submit" in page
    assert f'action="{_url(prepared)}"' not in page  # no submitting straight from the table


def test_it_hides_the_summary_from_another_candidate(client, candidate2, prepared):
    client.force_login(candidate2)
    assert client.get(_url(prepared)).status_code == 404
    assert client.post(_url(prepared), {"declaration": "on"}).status_code == 404
    prepared.refresh_from_db()
    assert prepared.status == "draft"


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "candidate"])
def test_it_refuses_the_summary_to_staff(client, request, persona, prepared):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(prepared)).status_code == 403
    assert client.post(_url(prepared), {"declaration": "on"}).status_code == 403
    prepared.refresh_from_db()
    assert prepared.status == "draft"


def test_it_sends_anonymous_visitors_to_log_in(client, prepared):
    response = client.get(_url(prepared))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
