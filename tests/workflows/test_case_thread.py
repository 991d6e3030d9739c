"""The thread on the case page: everything the candidate was told, newest first, each entry with
its time and its sender by role, never by name."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evidence.models import Application
from rpl.accounts.roles import Role
from tests.factories import make_user
from tests.factories.evidence import ApplicationFactory, add_file
from tests.factories.people import reserve_staff
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.appeal_helpers import as_user, task_url
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from tests.workflows.meetings_setup import pass_identity, seed, start
from workflows.appeals import services as appeals
from workflows.cases import applications
from workflows.cases import services as case_services
from workflows.cases.thread import thread_of
from workflows.meetings import services as appointments
from workflows.models import Appointment
from workflows.work.services import take

pytestmark = pytest.mark.django_db

REQUEST = "Add the source code of one report script and say which outcome it shows."
COMMENT = "The report script shows clean, tested code."
REASONS = "The evidence shows the first outcome only; the test did not cover the rest."


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.SITE_URL = "http://testserver"
    settings.EVIDENCE_STORAGE_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store"), "base_url": None},
        },
    }


@pytest.fixture
def panel(db):
    """Two more decision makers: with ``decision_maker``, a panel of three."""
    return [
        make_user(Role.DECISION_MAKER, email="pam@example.org", full_name="Pam Panelist"),
        make_user(Role.DECISION_MAKER, email="pat@example.org", full_name="Pat Panelist"),
    ]


@pytest.fixture
def staff(assessor, assessor2, identity_officer, decision_maker, panel):
    return [assessor, assessor2, identity_officer, decision_maker, *panel, *reserve_staff()]


@pytest.fixture
def catalogue(staff):
    return assessed_catalogue(staff)


def _staff_named(text, people) -> list[str]:
    return [p.email for p in people if p.get_full_name() in text or p.email in text]


def _page(candidate, case) -> str:
    response = as_user(candidate).get(reverse("case_timeline", args=[case.application_id]))
    assert response.status_code == 200
    return response.content.decode()


def _submitted_case(candidate, spec):
    application = ApplicationFactory(candidate=candidate, specification=spec)
    add_file(application)
    applications.submit_application(application, candidate)
    application.refresh_from_db()
    return application.case


def _decided_python_case(candidate, spec, assessor, decision_maker):
    """A python-basics case (submitted without files: the thread does not need them) with a
    commented score sheet and a test result, waiting for its decision."""
    application = Application.objects.create(
        candidate=candidate, specification=spec, status=Application.Status.SUBMITTED
    )
    case = case_services.start_case(candidate=candidate, specification=spec)
    case.application = application
    case.save(update_fields=["application"])
    outcomes = list(spec.outcomes.order_by("position"))
    sheet = {
        "scores": {str(o.pk): 3 for o in outcomes},
        "comments": {str(outcomes[0].pk): COMMENT, str(outcomes[1].pk): "   "},
    }
    take_and_complete(open_tasks(case)[0], assessor, sheet)
    take_and_complete(open_tasks(case)[0], assessor, {"score_percent": 60.0})
    case.refresh_from_db()
    return case, outcomes


def test_it_shows_an_evidence_request_in_the_assessors_words(
    candidate, catalogue, assessor, staff, django_capture_on_commit_callbacks
):
    case = _submitted_case(candidate, catalogue["python-basics"])
    with django_capture_on_commit_callbacks(execute=True):
        take_and_complete(open_tasks(case)[0], assessor, {"more_evidence": REQUEST})
    thread = thread_of(case)
    assert [m.kind for m in thread] == ["evidence_request", "submitted"]  # newest first
    request = thread[0]
    assert request.text == REQUEST
    assert request.sender == "Assessor"
    assert request.step == "Portfolio review"
    assert "round 2" in request.title
    assert thread[0].at >= thread[1].at
    email = next(m for m in mail.outbox if m.to == [candidate.email] and REQUEST in m.body)
    assert email.subject == "More evidence is needed for your application"
    page = _page(candidate, case)
    assert page.count(REQUEST) == 2  # in "what you need to do next" and in the thread
    assert "Messages about your case" in page and "From: Assessor" in page
    assert _staff_named(page, staff) == []


def test_it_shows_a_request_only_once_the_co_marker_has_marked_too(
    candidate, catalogue, assessor, assessor2, identity_officer
):
    spec = catalogue["agile-project-management"]
    application = Application.objects.create(
        candidate=candidate, specification=spec, status=Application.Status.SUBMITTED
    )
    case = case_services.start_case(candidate=candidate, specification=spec)
    case.application = application
    case.save(update_fields=["application"])
    take_and_complete(open_tasks(case)[0], identity_officer, {"verified": True})
    first, second = open_tasks(case)
    take_and_complete(first, assessor, {"more_evidence": REQUEST})
    assert [m.kind for m in thread_of(case)] == []  # not sent yet: the co-marker is marking
    take_and_complete(second, assessor2, {"scores": {str(o.pk): 3 for o in spec.outcomes.all()}})
    case.refresh_from_db()
    (request,) = thread_of(case)
    assert (request.kind, request.text, request.sender) == ("evidence_request", REQUEST, "Assessor")


def test_it_shows_the_interview_times_proposed_and_the_candidates_answers(
    candidate, assessor, assessor2, identity_officer, decision_maker, staff
):
    case = pass_identity(
        start(candidate, seed([assessor, assessor2, identity_officer, decision_maker])),
        identity_officer,
    )
    take(open_tasks(case, "assess_1")[0], assessor)
    step = case.current_step
    soon = timezone.now().replace(second=0, microsecond=0) + timedelta(days=3)
    appointments.propose(
        case, step, actor=assessor, slots=[soon], duration_minutes=45, place="Room 12"
    )
    appointment = Appointment.objects.get(case=case)
    appointments.ask_other_times(appointment, actor=candidate, note="Afternoons suit me.")
    later = soon + timedelta(days=1, hours=6)
    appointments.propose(
        case, step, actor=assessor, slots=[later], duration_minutes=60, place="Room 14"
    )
    appointments.choose(Appointment.objects.get(case=case), actor=candidate, index=0)

    thread = thread_of(case)
    assert [m.kind for m in thread] == [
        "meeting_confirmed",
        "meeting_proposed",
        "meeting_new_times",
        "meeting_proposed",
    ]
    confirmed, second, asked, first = thread
    assert dict(first.details)["Times to choose from"] == appointments.when(soon)
    assert dict(first.details)["Place or meeting link"] == "Room 12"
    assert dict(first.details)["Length"] == "45 minutes"
    assert first.sender == "Assessor" and first.title == "Times proposed for the interview"
    assert asked.text == "Afternoons suit me." and asked.from_candidate
    assert dict(second.details)["Place or meeting link"] == "Room 14"
    assert confirmed.text == f"The time is agreed: {appointments.when(later)}."
    assert confirmed.from_candidate and not second.from_candidate
    page = _page(candidate, case)
    assert "Afternoons suit me." in page and "Times proposed for the interview" in page
    assert _staff_named(page, staff) == []


def test_it_shows_the_decision_with_its_reasons_and_the_comments_only_after_it(
    candidate, catalogue, assessor, decision_maker, staff, django_capture_on_commit_callbacks
):
    case, outcomes = _decided_python_case(
        candidate, catalogue["python-basics"], assessor, decision_maker
    )
    assert [m.kind for m in thread_of(case)] == []  # scores and comments are not told yet
    assert COMMENT not in _page(candidate, case)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        take_and_complete(
            open_tasks(case, "decision")[0],
            decision_maker,
            {
                "outcome": "partial",
                "recognised_outcomes": [str(outcomes[0].pk)],
                "reasons": REASONS,
            },
        )
    case.refresh_from_db()
    decision, feedback = thread_of(case)
    assert decision.kind == "decision" and decision.title == "Decision: Partial recognition"
    assert decision.text == REASONS and decision.sender == "Decision maker"
    assert dict(decision.details)["Recognised learning outcomes"] == (f"1. {outcomes[0].statement}")
    assert feedback.kind == "feedback" and feedback.sender == "Assessors"
    assert feedback.details == ((f"1. {outcomes[0].statement}", f"Portfolio review: {COMMENT}"),)
    (email,) = [m for m in mail.outbox if m.to == [candidate.email]]
    assert REASONS in email.body
    assert f"http://testserver/applications/{case.application_id}/case/" in email.body
    page = _page(candidate, case)
    assert COMMENT in page and REASONS in page
    assert _staff_named(page, staff) == []


def test_it_shows_every_panel_members_reasons_as_the_decision_e_mail_does(
    candidate, catalogue, assessor, assessor2, identity_officer, decision_maker, panel, staff
):
    spec = catalogue["agile-project-management"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], identity_officer, {"verified": True})
    scores = {"scores": {str(o.pk): 4 for o in spec.outcomes.all()}}
    for task, person in zip(open_tasks(case), (assessor, assessor2), strict=True):
        take_and_complete(task, person, scores)
    members = [decision_maker, *panel]
    for n, (seat, member) in enumerate(zip(open_tasks(case), members, strict=True), start=1):
        take_and_complete(
            seat, member, {"outcome": "full", "reasons": f"Member {n} saw every outcome."}
        )
    case.refresh_from_db()
    (decision,) = [m for m in thread_of(case) if m.kind == "decision"]
    assert decision.sender == "Decision panel"
    assert decision.text == case_services.decision_of(case).reasons
    for n in (1, 2, 3):
        assert f"Panel member {n}: Member {n} saw every outcome." in decision.text
    assert not any(member.get_full_name() in decision.text for member in members)


def test_it_shows_no_panel_vote_before_the_panel_has_decided(
    candidate, catalogue, assessor, assessor2, identity_officer, decision_maker
):
    spec = catalogue["agile-project-management"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], identity_officer, {"verified": True})
    scores = {"scores": {str(o.pk): 4 for o in spec.outcomes.all()}}
    for task, person in zip(open_tasks(case), (assessor, assessor2), strict=True):
        take_and_complete(task, person, scores)
    take_and_complete(
        open_tasks(case, "decision")[0], decision_maker, {"outcome": "none", "reasons": "Early."}
    )
    case.refresh_from_db()
    assert thread_of(case) == []


def test_it_shows_the_appeal_and_its_outcome(
    candidate, catalogue, assessor, decision_maker, staff, django_capture_on_commit_callbacks
):
    case, outcomes = _decided_python_case(
        candidate, catalogue["python-basics"], assessor, decision_maker
    )
    take_and_complete(
        open_tasks(case, "decision")[0],
        decision_maker,
        {"outcome": "none", "recognised_outcomes": [], "reasons": REASONS},
    )
    case.refresh_from_db()
    grounds = "My project report shows outcomes 2 and 3 in daily work; please read page 4."
    appeal = appeals.submit_appeal(case, candidate=candidate, grounds=grounds)
    reviewer, judge = reserve_staff()[0], reserve_staff()[2]
    (task,) = open_tasks(appeal, "review")
    client = as_user(reviewer)
    client.post(task_url(task) + "take/")
    client.post(task_url(task) + "declare/", {"declaration": "none"})
    client.post(task_url(task), {"recommendation": "overturn", "reasons": "Page 4 shows it."})
    (task,) = open_tasks(appeal, "decide")
    client = as_user(judge)
    client.post(task_url(task) + "take/")
    client.post(task_url(task) + "declare/", {"declaration": "none"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            task_url(task),
            {
                "outcome": "overturned",
                "new_outcome": "partial",
                "recognised_outcomes": [str(outcomes[0].pk), str(outcomes[1].pk)],
                "reasons": "The report on page 4 shows the second outcome.",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    kinds = [m.kind for m in thread_of(case)]
    assert kinds == ["appeal_outcome", "appeal", "decision", "feedback"]
    outcome, appealed, decision, _feedback = thread_of(case)
    assert decision.title == "Decision: No recognition"  # the decision as it was made
    assert appealed.text == grounds and appealed.from_candidate
    assert outcome.title == "The outcome of your appeal: Decision overturned"
    assert outcome.text == "The report on page 4 shows the second outcome."
    assert outcome.sender == "Decision maker"
    details = dict(outcome.details)
    assert details["New decision"] == "Partial recognition"
    assert details["Recognised learning outcomes"].splitlines() == [
        f"1. {outcomes[0].statement}",
        f"2. {outcomes[1].statement}",
    ]
    page = _page(candidate, case)
    assert "The report on page 4 shows the second outcome." in page and grounds in page
    assert _staff_named(page, [*staff, reviewer, judge]) == []
    assert "Page 4 shows it." not in page  # the reviewer's recommendation is internal


def test_it_reads_the_thread_in_the_same_number_of_queries_however_long(
    candidate, assessor, assessor2, identity_officer, decision_maker
):
    case = pass_identity(
        start(candidate, seed([assessor, assessor2, identity_officer, decision_maker])),
        identity_officer,
    )
    take(open_tasks(case, "assess_1")[0], assessor)
    step = case.current_step
    soon = timezone.now() + timedelta(days=3)

    def propose(place):
        appointments.propose(
            case, step, actor=assessor, slots=[soon], duration_minutes=30, place=place
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            thread = thread_of(case)
        return len(queries), len(thread)

    propose("Room 1")
    few, short = count()
    for n in range(2, 6):
        appointment = Appointment.objects.get(case=case)
        appointments.ask_other_times(appointment, actor=candidate, note=f"Not {n}.")
        propose(f"Room {n}")
    many, long = count()
    assert long > short + 6
    assert many == few <= 5
