from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from rpl.accounts.roles import Role
from tests.factories import make_user
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services
from workflows.notifications import announce_task, send_deadline_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(
    candidate,
    assessor,
    assessor2,
    identity_officer,
    decision_maker,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.SITE_URL = "https://rpl.example.org"
    staff = [assessor, assessor2, identity_officer, decision_maker]
    spec = assessed_catalogue(staff)["python-basics"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return case_services.start_case(candidate=candidate, specification=spec)


def _to(address):
    return [m for m in mail.outbox if address in m.to]


def test_it_tells_the_pool_of_a_new_task_with_a_link(case, assessor, assessor2, identity_officer):
    messages = [m for m in mail.outbox if "A task waits for you" in m.subject]
    # One message each: nobody sees who else was told.
    assert sorted(m.to for m in messages) == sorted([[assessor.email], [assessor2.email]])
    assert all("https://rpl.example.org/work/" in m.body for m in messages)


def test_it_tells_the_decision_pool_but_not_an_assessor_of_the_case(
    case, assessor, decision_maker, django_capture_on_commit_callbacks
):
    from guardian.shortcuts import assign_perm

    decision_maker.groups.add(*assessor.groups.all())
    assign_perm("credentials.assess", decision_maker, case.specification)
    scores = {"scores": {str(o.pk): 4 for o in case.specification.outcomes.all()}}
    with django_capture_on_commit_callbacks(execute=True):
        take_and_complete(open_tasks(case)[0], decision_maker, scores)
        take_and_complete(open_tasks(case)[0], assessor, {"score_percent": 90.0})
    assert not [m for m in mail.outbox if "Decision" in m.subject]

    other = make_user(Role.DECISION_MAKER, email="dora@example.org")
    assign_perm("credentials.decide", other, case.specification)
    (decision,) = open_tasks(case)
    with django_capture_on_commit_callbacks(execute=True):
        announce_task(decision)
    (message,) = [m for m in mail.outbox if "Decision" in m.subject]
    assert message.to == [other.email]


def test_it_reminds_once_before_the_deadline(
    case, assessor, assessor2, django_capture_on_commit_callbacks
):
    (task,) = open_tasks(case)  # the portfolio step: 14 days
    mail.outbox.clear()
    assert send_deadline_reminders(now=task.created + timedelta(days=11)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert send_deadline_reminders(now=task.created + timedelta(days=12, minutes=1)) == 1
    assert sorted(m.to for m in mail.outbox) == sorted([[assessor.email], [assessor2.email]])
    assert all("Reminder" in m.subject for m in mail.outbox)
    assert send_deadline_reminders(now=task.created + timedelta(days=13)) == 0


def test_it_reminds_the_holder_only_once_the_task_is_taken(
    case, assessor, django_capture_on_commit_callbacks
):
    (task,) = open_tasks(case)
    task.owner = assessor
    task.status = "ASSIGNED"
    task.save()
    task.created = timezone.now() - timedelta(days=13)
    task.save(update_fields=["created"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("workflow_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [m.to for m in mail.outbox] == [[assessor.email]]


def test_it_tells_the_pool_only_after_the_step_commits(
    candidate,
    assessor,
    assessor2,
    identity_officer,
    decision_maker,
    django_capture_on_commit_callbacks,
):
    spec = assessed_catalogue([assessor, assessor2, identity_officer, decision_maker])[
        "python-basics"
    ]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case_services.start_case(candidate=candidate, specification=spec)
    assert mail.outbox == []  # nothing is composed inside the step's transaction
    with django_capture_on_commit_callbacks(execute=True):  # the worker's own e-mails
        for callback in callbacks:
            callback()
    assert sorted(m.to for m in mail.outbox if "A task waits" in m.subject) == sorted(
        [[assessor.email], [assessor2.email]]
    )


def test_it_does_not_announce_a_task_taken_before_the_worker_ran(case, assessor):
    from workflows.jobs import announce_task as announce_job
    from workflows.work.services import take

    (task,) = open_tasks(case)
    assert take(task, assessor) is None
    mail.outbox.clear()
    assert announce_job(task.pk) is False
    assert mail.outbox == []
