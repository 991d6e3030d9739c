import pytest
from django.core.management import call_command
from guardian.shortcuts import assign_perm
from viewflow.workflow.status import PROCESS

from rpl.audit.models import AuditEvent
from tests.factories.catalogue import PYTHON_BASICS, make_specification
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services
from workflows.models import Case
from workflows.pipelines import services
from workflows.work.duties import refusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(assessor, assessor2, identity_officer, decision_maker):
    return {
        "assessor": assessor,
        "assessor2": assessor2,
        "identity_officer": identity_officer,
        "decision_maker": decision_maker,
    }


@pytest.fixture
def demo(staff):
    return assessed_catalogue(list(staff.values()))


def sheet(case, score):
    return {"scores": {str(o.pk): score for o in case.specification.outcomes.all()}}


def test_it_runs_portfolio_then_test_then_decision(demo, candidate, staff):
    case = case_services.start_case(candidate=candidate, specification=demo["python-basics"])
    assert case.current_step.id == case.plan["steps"][0]["id"]
    assert [t.flow_task.name for t in open_tasks(case)] == ["assess_1"]

    take_and_complete(open_tasks(case)[0], staff["assessor"], sheet(case, 4))
    case.refresh_from_db()
    assert case.results["portfolio"]["passed"] is True
    assert [t.flow_task.name for t in open_tasks(case)] == ["test"]

    take_and_complete(open_tasks(case)[0], staff["assessor"], {"score_percent": 82.0})
    case.refresh_from_db()
    assert case.results["knowledge-test"] == {"score_percent": 82.0, "passed": True}

    decision = open_tasks(case, "decision")[0]
    assert refusal(staff["assessor"], decision) is not None
    assert "assessing this case" in refusal(_as_decider(staff["assessor"], case), decision)
    take_and_complete(
        decision,
        staff["decision_maker"],
        {"outcome": "full", "recognised_outcomes": [], "reasons": "Evidence and test sufficient."},
    )
    case.refresh_from_db()
    assert case.outcome == "full"
    assert case.status == PROCESS.DONE
    assert case.data["credential_due"] is True
    actions = list(
        AuditEvent.objects.filter(target_type="workflows.case", target_id=str(case.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions[0] == "case.started"
    assert actions.count("case.task_completed") == 3
    assert "case.recognised" in actions
    call_command("audit", "verify")


def _as_decider(user, case):
    """Give an assessor the decision maker's role and pool, to test separation of duties alone."""
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name="decision_maker"))
    assign_perm("credentials.decide", user, case.specification)
    return type(user).objects.get(pk=user.pk)


def test_it_asks_for_an_interview_only_when_the_portfolio_is_borderline(demo, candidate, staff):
    spec = demo["agile-project-management"]
    clear = case_services.start_case(candidate=candidate, specification=spec)
    borderline = case_services.start_case(candidate=candidate, specification=spec)
    for case, score in ((clear, 4), (borderline, 2)):
        take_and_complete(open_tasks(case)[0], staff["identity_officer"], {"verified": True})
        first, second = open_tasks(case)
        assert {first.flow_task.name, second.flow_task.name} == {"assess_1", "assess_2"}
        take_and_complete(first, staff["assessor"], sheet(case, score))
        assert "already assess this step" in refusal(staff["assessor"], second)
        take_and_complete(second, staff["assessor2"], sheet(case, score))
    assert [t.flow_task.name for t in open_tasks(clear)] == ["decision", "panel_2", "panel_3"]
    interview = borderline.plan["steps"][2]
    assert interview["kind"] == "interview"
    expected = ["assess_1", "assess_2", "assess_3"][: interview["assessors"]]
    assert [t.flow_task.name for t in open_tasks(borderline)] == expected
    borderline.refresh_from_db()
    assert borderline.current_step.kind == "interview"
    clear.refresh_from_db()
    assert "interview" not in clear.results


def test_it_calls_in_a_moderator_when_blind_markers_diverge(demo, candidate, staff, db):
    from rpl.accounts.roles import Role
    from tests.factories import make_user

    moderator = make_user(Role.ASSESSOR, email="mo@example.org")
    spec = demo["agile-project-management"]
    assign_perm("credentials.assess", moderator, spec)
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], staff["identity_officer"], {"verified": True})
    first, second = open_tasks(case)
    take_and_complete(first, staff["assessor"], sheet(case, 4))
    take_and_complete(second, staff["assessor2"], sheet(case, 1))
    case.refresh_from_db()
    assert case.data["moderation"] is True
    (moderation,) = open_tasks(case)
    assert moderation.flow_task.name == "moderate"
    assert "must not be one of the step's assessors" in refusal(staff["assessor"], moderation)
    take_and_complete(moderation, moderator, sheet(case, 3))
    case.refresh_from_db()
    assert case.results["portfolio"]["score_mean"] == 3
    assert case.results["portfolio"]["divergence"] == 3
    assert "moderation" not in case.data


def test_it_refuses_people_outside_the_pool_and_the_candidate(demo, candidate, staff, assessor):
    case = case_services.start_case(candidate=candidate, specification=demo["python-basics"])
    (task,) = open_tasks(case)
    from rpl.accounts.roles import Role
    from tests.factories import make_user

    stranger = make_user(Role.ASSESSOR, email="stranger@example.org")
    assert "not in the pool" in refusal(stranger, task)
    assert "needs the role" in refusal(staff["identity_officer"], task)
    own = case_services.start_case(candidate=assessor, specification=demo["python-basics"])
    assert "their own case" in refusal(assessor, open_tasks(own)[0])
    assert refusal(assessor, task) is None


def test_it_keeps_a_case_on_the_version_it_started_with(demo, candidate, staff, administrator):
    spec = demo["python-basics"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    v1 = case.pipeline_version
    from workflows.pipelines.selectors import export_text, published_version

    changed = export_text(v1).replace("pass_mark_percent: 70", "pass_mark_percent: 90")
    assert changed != export_text(v1)
    services.import_text(actor=administrator, text=changed, fmt="yaml")
    v2 = services.publish(actor=administrator, key="python-basics")
    assert published_version("python-basics").number == v1.number + 1 == v2.number

    later = case_services.start_case(candidate=candidate, specification=spec)
    assert later.pipeline_version == v2
    take_and_complete(open_tasks(case)[0], staff["assessor"], sheet(case, 4))
    take_and_complete(open_tasks(case)[0], staff["assessor"], {"score_percent": 80.0})
    case.refresh_from_db()
    assert case.pipeline_version == v1
    assert case.results["knowledge-test"]["passed"] is True  # 80 % passes v1's 70 %, not v2's 90 %


def test_it_refuses_to_start_without_a_published_pipeline(candidate, db):
    spec = make_specification(outcomes=5, **PYTHON_BASICS)
    with pytest.raises(case_services.CaseError, match="No assessment procedure"):
        case_services.start_case(candidate=candidate, specification=spec)
    assert not Case.objects.exists()


def test_it_escalates_a_missed_deadline_without_cancelling_the_task(
    demo, candidate, staff, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    case = case_services.start_case(
        candidate=candidate, specification=demo["agile-project-management"]
    )
    take_and_complete(open_tasks(case)[0], staff["identity_officer"], {"verified": True})
    timers = Task.objects.filter(process=case, flow_task_type="TIMER", status=STATUS.SCHEDULED)
    assert timers.count() == 2  # one per assessor task of the portfolio step (21 days)
    due = timers.first().scheduled
    assert timezone.now() + timedelta(days=20) < due < timezone.now() + timedelta(days=22)

    call_command("workflow_timers")
    assert not AuditEvent.objects.filter(action="case.deadline_missed").exists()

    timers.update(scheduled=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("workflow_timers")
    events = AuditEvent.objects.filter(action="case.deadline_missed", target_id=str(case.pk))
    assert events.count() == 2
    assert events.first().changes["escalated_to"] == "assessor_pool"
    told = {message.to[0] for message in mail.outbox if "Deadline missed" in message.subject}
    assert {staff["assessor"].email, staff["assessor2"].email} <= told
    assert len(open_tasks(case)) == 2  # the assessors can still do the work


def test_it_cancels_the_deadline_when_the_task_is_done(demo, candidate, staff):
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    case = case_services.start_case(
        candidate=candidate, specification=demo["agile-project-management"]
    )
    take_and_complete(open_tasks(case)[0], staff["identity_officer"], {"verified": True})
    first, _ = open_tasks(case)
    take_and_complete(first, staff["assessor"], sheet(case, 3))
    timers = Task.objects.filter(process=case, flow_task_type="TIMER")
    assert timers.get(previous=first).status == STATUS.CANCELED
    assert timers.filter(status=STATUS.SCHEDULED).count() == 1


def test_it_fires_deadlines_from_the_scheduled_job(demo, candidate, staff, settings):
    from datetime import timedelta

    from django.utils import timezone
    from viewflow.workflow.models import Task

    from workflows.jobs import fire_workflow_timers

    assert settings.CELERY_BEAT_SCHEDULE["fire-workflow-timers"]["schedule"] == 60.0
    case = case_services.start_case(
        candidate=candidate, specification=demo["agile-project-management"]
    )
    Task.objects.filter(process=case, flow_task_type="TIMER").update(
        scheduled=timezone.now() - timedelta(seconds=1)
    )
    assert fire_workflow_timers.delay().get() == 1
    assert AuditEvent.objects.filter(action="case.deadline_missed", target_id=str(case.pk)).exists()


def test_it_tells_the_candidate_the_decision_and_its_reasons(
    demo, candidate, staff, django_capture_on_commit_callbacks
):
    from django.core import mail

    case = case_services.start_case(candidate=candidate, specification=demo["python-basics"])
    take_and_complete(open_tasks(case)[0], staff["assessor"], sheet(case, 1))
    take_and_complete(open_tasks(case)[0], staff["assessor"], {"score_percent": 30.0})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        take_and_complete(
            open_tasks(case, "decision")[0],
            staff["decision_maker"],
            {"outcome": "none", "recognised_outcomes": [], "reasons": "The test was not passed."},
        )
    (message,) = mail.outbox
    assert message.to == [candidate.email]
    assert "No recognition" in message.body
    assert "The test was not passed." in message.body


def test_it_tells_the_decision_in_the_candidate_s_language_not_the_decider_s(
    demo, candidate, staff, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django.utils import translation

    candidate.language = "pl"
    candidate.save(update_fields=["language"])
    spec = demo["python-basics"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], staff["assessor"], sheet(case, 1))
    take_and_complete(open_tasks(case)[0], staff["assessor"], {"score_percent": 30.0})
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        take_and_complete(
            open_tasks(case, "decision")[0],
            staff["decision_maker"],
            {"outcome": "none", "recognised_outcomes": [], "reasons": "Test nie został zdany."},
        )
    (message,) = mail.outbox
    assert message.subject == f"Decyzja w sprawie Twojego wniosku o „{spec.title_pl}”"
    assert "Brak uznania" in message.body
    assert "Test nie został zdany." in message.body
