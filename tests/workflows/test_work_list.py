"""The work list filters and sorts (issue 14, item 5): by micro-credential, kind of step, overdue
only and the candidate or case number; by waiting time or by deadline. Filters apply before the
list's limit; a bad value is reported on its field and otherwise ignored."""

from datetime import timedelta

import pytest
from django.test import Client

from tests.factories.pipelines import assessed_catalogue
from tests.workflows.appeal_helpers import GROUNDS, as_user, decided_case, people
from tests.workflows.engine_helpers import open_tasks, take, take_and_complete
from workflows.appeals import services as appeals
from workflows.cases import selectors
from workflows.cases import services as case_services
from workflows.cases.selectors import TaskFilters

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(assessor, assessor2, identity_officer, decision_maker):
    return assessed_catalogue([assessor, assessor2, identity_officer, decision_maker])


def _start(catalogue, slug, candidate):
    return case_services.start_case(candidate=candidate, specification=catalogue[slug])


def _age(task, days):
    """Make ``task`` wait ``days`` longer."""
    task.created -= timedelta(days=days)
    task.save(update_fields=["created"])


def _listed(client, key, **params):
    return [task.pk for task in client.get("/work/", params).context[key]]


@pytest.fixture
def identity_checks(catalogue, candidate, candidate2):
    """A welding check (no deadline) waiting longer than an agile one (due in 10 days)."""
    welding = open_tasks(_start(catalogue, "mig-mag-welding", candidate))[0]
    agile = open_tasks(_start(catalogue, "agile-project-management", candidate2))[0]
    _age(welding, 2)
    _age(agile, 1)
    return welding, agile


@pytest.fixture
def portfolio_and_test(catalogue, candidate, candidate2, assessor2):
    """Two python-basics cases: Alice's waits for its portfolio review, Bob's (older) for its
    test result."""
    portfolio = open_tasks(_start(catalogue, "python-basics", candidate))[0]
    bob = _start(catalogue, "python-basics", candidate2)
    scores = {"scores": {str(o.pk): 4 for o in bob.specification.outcomes.all()}}
    take_and_complete(open_tasks(bob)[0], assessor2, scores)
    (test,) = open_tasks(bob, "test")
    _age(test, 1)
    return portfolio, test


def _as(user):
    client = Client()
    client.force_login(user)
    return client


def test_it_offers_the_filters_with_labels_and_the_micro_credentials_that_appear(
    identity_checks, catalogue, identity_officer
):
    page = _as(identity_officer).get("/work/")
    body = page.content.decode()
    for field in ("specification", "kind", "q", "order", "overdue"):
        assert f'for="id_{field}"' in body
    offered = [label for value, label in page.context["form"].fields["specification"].choices]
    assert offered == [
        "Every micro-credential",
        catalogue["agile-project-management"].title,
        catalogue["mig-mag-welding"].title,
    ]
    kinds = [label for value, label in page.context["form"].fields["kind"].choices]
    assert kinds[1:] == [
        "Identity check",
        "Evidence review",
        "Test",
        "Interview",
        "Observation",
        "Decision",
    ]


def test_it_filters_by_micro_credential(identity_checks, catalogue, identity_officer):
    welding, agile = identity_checks
    client = _as(identity_officer)
    agile_pk = catalogue["agile-project-management"].pk
    assert _listed(client, "claimable_tasks") == [welding.pk, agile.pk]
    assert _listed(client, "claimable_tasks", specification=agile_pk) == [agile.pk]


def test_it_sorts_by_waiting_time_or_by_deadline(identity_checks, identity_officer):
    welding, agile = identity_checks
    client = _as(identity_officer)
    assert _listed(client, "claimable_tasks", order="waiting") == [welding.pk, agile.pk]
    # The agile check is due in ten days; the welding check has no deadline, so it comes last.
    assert _listed(client, "claimable_tasks", order="deadline") == [agile.pk, welding.pk]


def test_it_shows_only_the_overdue_when_asked(identity_checks, identity_officer):
    welding, agile = identity_checks
    client = _as(identity_officer)
    assert _listed(client, "claimable_tasks", overdue="on") == []
    _age(agile, 10)
    assert _listed(client, "claimable_tasks", overdue="on") == [agile.pk]
    _age(welding, 400)  # without a deadline a task is never overdue
    assert _listed(client, "claimable_tasks", overdue="on") == [agile.pk]


def test_it_filters_by_kind_of_step(portfolio_and_test, assessor):
    portfolio, test = portfolio_and_test
    client = _as(assessor)
    assert _listed(client, "claimable_tasks") == [test.pk, portfolio.pk]
    assert _listed(client, "claimable_tasks", kind="evidence_review") == [portfolio.pk]
    assert _listed(client, "claimable_tasks", kind="test") == [test.pk]
    assert _listed(client, "claimable_tasks", kind="decision") == []


def test_it_finds_the_candidate_by_name_or_the_case_by_number(portfolio_and_test, assessor):
    portfolio, test = portfolio_and_test
    client = _as(assessor)
    assert _listed(client, "claimable_tasks", q="bob cand") == [test.pk]
    assert _listed(client, "claimable_tasks", q="alice@example") == [portfolio.pk]
    assert _listed(client, "claimable_tasks", q=str(portfolio.process_id)) == [portfolio.pk]
    assert _listed(client, "claimable_tasks", q=f"#{test.process_id}") == [test.pk]
    assert _listed(client, "claimable_tasks", q="9" * 30) == []


def test_it_filters_the_tasks_assigned_to_the_user_too(portfolio_and_test, assessor):
    portfolio, test = portfolio_and_test
    client = _as(assessor)
    for task in (portfolio, test):
        take(client, f"/work/{task.process_id}/{task.pk}/")
    assert _listed(client, "assigned_tasks") == [test.pk, portfolio.pk]
    assert _listed(client, "assigned_tasks", kind="evidence_review") == [portfolio.pk]
    assert _listed(client, "assigned_tasks", order="deadline") == [portfolio.pk, test.pk]


def test_it_filters_before_the_limit(portfolio_and_test, assessor):
    portfolio, test = portfolio_and_test
    evidence_review = TaskFilters(kind="evidence_review")
    deadline_first = TaskFilters(order="deadline")
    assert [t.pk for t in selectors.claimable_tasks(assessor, limit=1)] == [test.pk]
    assert [
        t.pk for t in selectors.claimable_tasks(assessor, limit=1, filters=evidence_review)
    ] == [portfolio.pk]
    assert [t.pk for t in selectors.claimable_tasks(assessor, limit=1, filters=deadline_first)] == [
        portfolio.pk
    ]


def test_it_names_each_task_s_step_in_words(portfolio_and_test, assessor):
    body = _as(assessor).get("/work/").content.decode()
    assert "(Portfolio review)" in body and "(Knowledge test)" in body
    assert "(portfolio)" not in body


@pytest.mark.parametrize(
    ("params", "reported"),
    [
        (
            {"specification": "abc", "kind": "nope", "order": "sideways"},
            {"specification", "kind", "order"},
        ),
        ({"specification": "9" * 30, "q": "x" * 300}, {"specification", "q"}),
        ({"page": "-1", "sort": "id"}, set()),
    ],
)
def test_it_reports_bad_values_and_ignores_them(portfolio_and_test, assessor, params, reported):
    portfolio, test = portfolio_and_test
    response = _as(assessor).get("/work/", params)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == reported
    listed = [task.pk for task in response.context["claimable_tasks"]]
    assert listed == [test.pk, portfolio.pk]


def test_it_says_when_no_task_matches_the_filters(portfolio_and_test, assessor):
    body = _as(assessor).get("/work/", {"kind": "interview"}).content.decode()
    assert "No task matches these filters." in body
    assert "No appeal task matches these filters." in body


@pytest.fixture
def appeal_review(candidate, assessor, decision_maker, identity_officer):
    who = people(candidate, assessor, decision_maker, identity_officer)
    case = decided_case(who, outcome="none")
    appeal = appeals.submit_appeal(case, candidate=who.candidate, grounds=GROUNDS)
    (task,) = open_tasks(appeal, "review")
    return who, case, task


def test_it_filters_appeal_tasks_by_micro_credential_and_candidate(appeal_review):
    who, case, task = appeal_review
    client = as_user(who.reviewer)
    python = case.specification.pk
    assert _listed(client, "appeal_claimable_tasks", specification=python) == [task.pk]
    assert _listed(client, "appeal_claimable_tasks", q="Alice") == [task.pk]
    assert _listed(client, "appeal_claimable_tasks", q=str(case.pk)) == [task.pk]
    assert _listed(client, "appeal_claimable_tasks", q="Bob") == []
    # An appeal has no kind of step and no deadline.
    assert _listed(client, "appeal_claimable_tasks", kind="evidence_review") == []
    assert _listed(client, "appeal_claimable_tasks", overdue="on") == []
