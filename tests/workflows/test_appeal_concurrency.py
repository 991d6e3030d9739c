"""Simultaneous decisions on one case, and on one appeal: exactly one succeeds and nothing half
done is left (one result, one outcome, at most one credential). Needs PostgreSQL's row locks."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from credentials.issuing.models import IssuedCredential
from rpl.audit.models import AuditEvent
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.appeal_helpers import GROUNDS, as_user, decided_case, people, task_url
from tests.workflows.engine_helpers import open_tasks, take, take_and_complete
from workflows.appeals import services as appeals
from workflows.cases import services as case_services
from workflows.models import Appeal, Case, StepResult

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
    pytest.mark.django_db(transaction=True),
]

FULL = {"outcome": "full", "reasons": "Everything is shown."}
NONE = {"outcome": "none", "reasons": "Nothing is shown."}
OVERTURN = {"outcome": "overturned", "new_outcome": "full", "reasons": "The report shows it."}
UPHOLD = {"outcome": "upheld", "reasons": "The decision stands."}


@pytest.fixture
def who(candidate, assessor, decision_maker, identity_officer):
    return people(candidate, assessor, decision_maker, identity_officer)


def _at_once(*jobs):
    """Run each job (a function returning a status code) in its own thread, released together."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    codes, errors = {}, []

    def run(index, job):
        try:
            barrier.wait()
            codes[index] = job()
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return [codes[index] for index in range(len(jobs))]


def _case_at_decision(who):
    """A case whose decision task is open (the helper's case, before its decision)."""

    spec = assessed_catalogue([who.assessor, who.decision_maker, who.judge])["python-basics"]
    case = case_services.start_case(candidate=who.candidate, specification=spec)
    take_and_complete(
        open_tasks(case)[0], who.assessor, {"scores": {str(o.pk): 4 for o in spec.outcomes.all()}}
    )
    take_and_complete(open_tasks(case)[0], who.assessor, {"score_percent": 90.0})
    (task,) = open_tasks(case, "decision")
    return case, task


def _decision_url(task):
    return f"/work/{task.process_id}/{task.pk}/"


def _assert_one_decision(case, outcome):
    case = Case.objects.get(pk=case.pk)
    assert case.status == "DONE" and case.outcome == outcome
    assert StepResult.objects.filter(case=case, role="decision_maker").count() == 1
    completed = AuditEvent.objects.filter(
        target_type="workflows.case", target_id=str(case.pk), action="case.task_completed"
    )
    assert [e.changes["task"] for e in completed].count("decision") == 1
    assert IssuedCredential.objects.filter(case=case).count() == (1 if outcome == "full" else 0)
    assert open_tasks(case) == []
    call_command("audit", "verify")


def test_two_decision_makers_deciding_one_case_at_once_give_one_decision(who):
    case, task = _case_at_decision(who)
    url = _decision_url(task)

    def decide(user, data):
        def job():
            client = as_user(user)
            take(client, url)
            return client.post(url, data).status_code

        return job

    codes = _at_once(decide(who.decision_maker, FULL), decide(who.judge, NONE))
    assert sorted(codes) == [302, 403]
    _assert_one_decision(case, "full" if codes[0] == 302 else "none")


def test_a_decision_sent_twice_at_once_is_recorded_once(who):
    case, task = _case_at_decision(who)
    url = _decision_url(task)
    take(as_user(who.decision_maker), url)

    def post(data):
        return lambda: as_user(who.decision_maker).post(url, data).status_code

    codes = _at_once(post(FULL), post(NONE))
    assert sorted(codes) == [302, 403]
    _assert_one_decision(case, "full" if codes[0] == 302 else "none")


def _appeal_at_decision(who):
    case = decided_case(who, outcome="none")
    appeal = appeals.submit_appeal(case, candidate=who.candidate, grounds=GROUNDS)
    (review,) = open_tasks(appeal, "review")
    client = as_user(who.reviewer)
    client.post(task_url(review) + "take/")
    client.post(task_url(review) + "declare/", {"declaration": "none"})
    client.post(task_url(review), {"recommendation": "overturn", "reasons": "It is shown."})
    (task,) = open_tasks(appeal, "decide")
    return case, appeal, task


def _assert_one_appeal_decision(case, appeal, result):
    appeal = Appeal.objects.get(pk=appeal.pk)
    case = Case.objects.get(pk=case.pk)
    assert appeal.status == "DONE" and appeal.outcome == result
    assert case.outcome == ("full" if result == "overturned" else "none")
    decided = AuditEvent.objects.filter(
        target_type="workflows.appeal", target_id=str(appeal.pk), action="appeal.decided"
    )
    assert decided.count() == 1
    assert IssuedCredential.objects.filter(case=case).count() == (result == "overturned")
    assert open_tasks(appeal) == []
    call_command("audit", "verify")


def test_two_decision_makers_deciding_one_appeal_at_once_give_one_outcome(who):
    case, appeal, task = _appeal_at_decision(who)
    url = task_url(task)

    def decide(user, data):
        def job():
            client = as_user(user)
            client.post(url + "take/")
            client.post(url + "declare/", {"declaration": "none"})
            return client.post(url, data).status_code

        return job

    codes = _at_once(decide(who.judge, OVERTURN), decide(who.judge2, UPHOLD))
    assert sorted(codes) == [302, 403]
    _assert_one_appeal_decision(case, appeal, "overturned" if codes[0] == 302 else "upheld")


def test_an_appeal_decision_sent_twice_at_once_is_recorded_once(who):
    case, appeal, task = _appeal_at_decision(who)
    url = task_url(task)
    as_user(who.judge).post(url + "take/")
    as_user(who.judge).post(url + "declare/", {"declaration": "none"})

    def post(data):
        return lambda: as_user(who.judge).post(url, data).status_code

    codes = _at_once(post(OVERTURN), post(UPHOLD))
    assert sorted(codes) == [302, 403]
    _assert_one_appeal_decision(case, appeal, "overturned" if codes[0] == 302 else "upheld")


def test_two_appeals_sent_at_once_make_one(who):
    case = decided_case(who, outcome="none")
    url = f"/applications/{case.application_id}/case/appeal/"

    def post():
        return as_user(who.candidate).post(url, {"grounds": GROUNDS}).status_code

    assert sorted(_at_once(post, post)) == [302, 403]
    assert Appeal.objects.filter(appealed_case=case).count() == 1
