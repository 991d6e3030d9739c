"""A decision issues exactly one credential, also under retries and concurrent requests (issue 6,
item 9): ``IssuedCredential.case`` is unique and ``issue_credential`` returns the credential
already issued when it loses the race."""

import threading

import pytest
from django.db import connection

from credentials import issuing, issuing_services, keys
from credentials.demo import seed_specifications
from credentials.models import Specification
from credentials.models_issuing import IssuedCredential, StatusList
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows import case_services
from workflows.demo import seed_engine


@pytest.fixture
def decided_case(candidate, assessor, assessor2, identity_officer, decision_maker, monkeypatch):
    """A case decided with full recognition whose credential is still due: issuing failed when
    the decision was taken (so staff retry it)."""
    seed_specifications()
    seed_engine([assessor, assessor2, identity_officer, decision_maker])
    spec = Specification.objects.get(slug="python-basics")
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
    return issuing_services.issue_credential(
        learner=case.candidate, specification=case.specification, case=case, actor=actor
    )


def _assert_one_entry_per_credential(credential):
    """Failed and losing attempts gave their status-list entries back (rolled back)."""
    issued = IssuedCredential.objects.filter(organisation=credential.organisation).count()
    for purpose in StatusList.Purpose.values:
        lists = StatusList.objects.filter(organisation=credential.organisation, purpose=purpose)
        assert sum(lists.values_list("used", flat=True)) == issued, purpose


@pytest.mark.django_db
def test_a_retry_after_a_failed_issue_issues_exactly_one(decided_case, decision_maker):
    first = _issue(decided_case, decision_maker)
    again = _issue(decided_case, decision_maker)
    assert again.pk == first.pk
    assert IssuedCredential.objects.filter(case=decided_case).count() == 1
    _assert_one_entry_per_credential(first)


@pytest.mark.django_db(transaction=True)
def test_it_returns_the_credential_a_concurrent_request_issued_after_its_check(
    decided_case, decision_maker, monkeypatch
):
    """The other request commits between this one's "already issued?" check and its insert:
    the unique constraint refuses the second row and the credential already issued is returned."""
    original = keys.ensure_key
    other = {}

    def competing_request_first(organisation, actor=None):
        if not other:  # once: the competing request runs to its commit, in its own connection

            def run():
                try:
                    other["credential"] = _issue(decided_case, decision_maker)
                finally:
                    connection.close()

            other["started"] = True
            thread = threading.Thread(target=run)
            thread.start()
            thread.join(timeout=60)
        return original(organisation, actor=actor)

    monkeypatch.setattr(keys, "ensure_key", competing_request_first)
    mine = _issue(decided_case, decision_maker)
    assert "credential" in other, "the competing request did not issue"
    assert mine.pk == other["credential"].pk
    assert IssuedCredential.objects.filter(case=decided_case).count() == 1
    _assert_one_entry_per_credential(mine)


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
    # Both requests pass the "already issued?" check before either inserts: they meet at a second
    # barrier inside the issuing (the first key look-up of each), after the check and before any
    # row is locked or written. In "first-issue" the status lists do not exist yet (the failed
    # attempt rolled them back), so the requests also race to create them.
    barrier = threading.Barrier(2, timeout=30)
    inside = threading.Barrier(2, timeout=30)
    met = threading.local()
    original = keys.ensure_key

    def meet(organisation, actor=None):
        if not getattr(met, "done", False):
            met.done = True
            inside.wait()
        return original(organisation, actor=actor)

    monkeypatch.setattr(keys, "ensure_key", meet)
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
