"""The statement of recognised outcomes (issue 5, item 7): a page and a PDF for a partial
recognition, for the candidate and the staff who may see the case, in the active language."""

import pytest
from django.core import mail
from guardian.shortcuts import assign_perm

from rpl.accounts.roles import Role
from tests.factories import make_user
from tests.factories.people import PERSONAS
from tests.workflows.appeal_helpers import as_user, decided_case, people
from workflows.cases import recognition_statement as statement
from workflows.models import StepResult

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://rpl.example.org"


@pytest.fixture
def who(candidate, assessor, decision_maker, identity_officer):
    return people(candidate, assessor, decision_maker, identity_officer)


@pytest.fixture
def case(who, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return decided_case(who, outcome="partial", recognised=(1, 3))


def url(case, pdf=False):
    return f"/applications/{case.application_id}/case/statement" + (".pdf" if pdf else "/")


def test_it_lists_only_the_recognised_outcomes_with_the_awarding_body_and_date(case, who):
    first, second, third, *_ = case.specification.outcomes.order_by("position")
    response = as_user(who.candidate).get(url(case))
    body = response.content.decode()
    assert response.status_code == 200
    assert case.specification.title in body
    assert case.specification.awarding_body.name in body
    assert first.statement in body and third.statement in body
    assert second.statement not in body
    assert "2 of" in body
    decision = StepResult.objects.get(case=case, role=StepResult.Role.DECISION_MAKER)
    assert response.context["statement"].decided_at == decision.created_at


def test_it_speaks_the_active_language(case, who):
    first = case.specification.outcomes.order_by("position").first()
    assert first.statement_pl and first.statement_pl != first.statement_en
    client = as_user(who.candidate)
    client.cookies["django_language"] = "pl"
    body = client.get(url(case)).content.decode()
    assert first.statement_pl in body and first.statement_en not in body


def test_it_gives_the_statement_as_a_pdf(case, who):
    response = as_user(who.candidate).get(url(case, pdf=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "statement-of-recognised-outcomes" in response["Content-Disposition"]


def test_it_links_the_statement_from_the_timeline_and_the_decision_e_mail(case, who):
    body = as_user(who.candidate).get(f"/applications/{case.application_id}/case/").content
    assert url(case).encode() in body and url(case, pdf=True).encode() in body
    (told,) = [m for m in mail.outbox if m.subject.startswith("A decision on your application")]
    assert f"https://rpl.example.org{url(case)}" in told.body


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_statement_to_the_candidate_quality_and_the_pools_only(case, request, persona):
    user = request.getfixturevalue(persona)
    # The fixture's assessor and decision maker are in the specification's pools.
    allowed = persona in {"candidate", "quality_officer", "assessor", "decision_maker"}
    for address in (url(case), url(case, pdf=True)):
        assert as_user(user).get(address).status_code == (200 if allowed else 403)


def test_it_refuses_the_statement_to_another_candidate_and_staff_outside_the_pool(case, candidate2):
    stranger = make_user(Role.ASSESSOR, email="stranger@example.org")
    for user in (candidate2, stranger):
        assert as_user(user).get(url(case)).status_code == 403
    # A pool of another role does not count: an assessor reads through the assessors' pool.
    assign_perm("credentials.decide", stranger, case.specification)
    assert as_user(stranger).get(url(case)).status_code == 403
    assign_perm("credentials.assess", stranger, case.specification)
    assert as_user(stranger).get(url(case)).status_code == 200


def test_it_sends_anonymous_visitors_to_log_in(case, client):
    assert client.get(url(case)).url.startswith("/accounts/login/")


@pytest.mark.parametrize("outcome", ["none", "full"])
def test_it_has_no_statement_for_other_decisions(who, outcome):
    case = decided_case(who, outcome=outcome)
    assert statement.statement_of(case) is None
    assert as_user(who.candidate).get(url(case)).status_code == 404
