"""A decision issues exactly one credential, also under retries and concurrent requests (issue 6,
item 9): ``workflows.cases.services.credential_for`` locks the case, links a credential only while
the case has none, and returns the credential already issued when it loses the race."""

import threading

import pytest
from django.db import connection

from credentials.issuing import documents as issuing
from credentials.issuing import services as issuing_services
from credentials.issuing.models import IssuedCredential, StatusList
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services
from workflows.models import Case


@pytest.fixture
def decided_case(candidate, assessor, assessor2, identity_officer, decision_maker, monkeypatch):
    """A case decided with full recognition whose credential is still due: issuing failed when
    the decision was taken (so staff retry it)."""
    staff = [assessor, assessor2, identity_officer, decision_maker]
    spec = assessed_catalogue(staff)["python-basics"]
    with monkeypatch.context() as patch:

        def broken(*args, **kwargs):
            raise RuntimeError("signing service down")

        patch.setattr(issuing, "build_credential", broken)
        case = case_services.start_case(candidate=candidate, specification=spec)
        scores = {"scores": {str(o.pk): 4 for o in spec.outcomes.all()}}
        take_and_complete(open_tasks(case)[0], assessor, scores)
        take_and_complete(open_tasks(case)[0], assessor, {"score_percent": 90.0})
        take_and_complete(
            open_tasks(case, "decision")[0],
            decision_maker,
            {"outcome": "full", "recognised_outcomes": [], "reasons": "All shown."},
        )
    case.refresh_from_db()
    assert case.outcome == "full" and case.data["credential_due"] is True
    assert "signing service down" in case.data["credential_error"]
    assert not IssuedCredential.objects.exists()
    return case


def _issue(case, actor):
    return case_services.credential_for(Case.objects.get(pk=case.pk), actor=actor)


def _assert_one_entry_per_credential(credential):
    """Failed and losing attempts gave their status-list entries back (rolled back)."""
    issued = IssuedCredential.objects.filter(organisation=credential.organisation).count()
    lists = StatusList.objects.filter(organisation=credential.organisation)
    assert sum(lists.values_list("used", flat=True)) == issued


@pytest.mark.django_db
def test_a_retry_after_a_failed_issue_issues_exactly_one(decided_case, decision_maker):
    first = _issue(decided_case, decision_maker)
    again = _issue(decided_case, decision_maker)
    assert again.pk == first.pk
    assert IssuedCredential.objects.filter(case=decided_case).count() == 1
    _assert_one_entry_per_credential(first)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers with real row locks (PostgreSQL); SQLite serialises writes",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lists_exist", [False, True], ids=["first-issue", "lists-exist"])
def test_two_simultaneous_requests_issue_exactly_one(
    decided_case, decision_maker, monkeypatch, lists_exist
):
    if lists_exist:  # the usual case: the requests queue on the status-list row lock
        issuing_services.issue_credential(
            learner=decided_case.candidate, specification=decided_case.specification
        )
    # Both requests start together; the first to lock the case issues, the other waits for its
    # commit and returns the same credential. In "first-issue" the status lists do not exist yet
    # (the failed attempt rolled them back).
    barrier = threading.Barrier(2, timeout=30)
    results, errors = [], []

    def request():
        try:
            barrier.wait()
            results.append(_issue(decided_case, decision_maker))
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == 2
    credential = IssuedCredential.objects.get(case=decided_case)
    assert {result.pk for result in results} == {credential.pk}
    assert {result.public_id for result in results} == {credential.public_id}
    _assert_one_entry_per_credential(credential)
