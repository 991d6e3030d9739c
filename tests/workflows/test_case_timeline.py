"""The steps ahead in words: a step with a condition not yet decided is "only if needed", and what
the candidate reads they need to do follows the state of the step (never contradicting what the
page offers)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import TestSitting
from evidence.models import Application
from tests.factories.cases import pass_portfolio
from tests.factories.online_tests import catalogue_banks
from tests.factories.people import reserve_staff
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.appeal_helpers import as_user
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from tests.workflows.meetings_setup import pass_identity, seed, start
from workflows.cases import applications
from workflows.cases import services as case_services
from workflows.cases.applications import case_timeline, next_action
from workflows.meetings import services as appointments
from workflows.models import Appointment, IdentityDocument, Pipeline
from workflows.pipelines import services as pipelines
from workflows.work.services import take

pytestmark = pytest.mark.django_db

# A clarifying interview only when the portfolio is weak, after a test that always runs.
CONDITIONAL = """
key: conditional-test
title: {en: Conditional test}
steps:
  - id: portfolio
    kind: evidence_review
    title: {en: Portfolio review}
    assessors: 1
    rubric: {min: 0, max: 4}
    pass_rule: {outcome_min_score: 2}
  - id: quiz
    kind: test
    title: {en: Knowledge test}
    question_bank: none-yet
    questions: 5
    pass_mark_percent: 50
  - id: interview
    kind: interview
    title: {en: Clarifying interview}
    assessors: 1
    rubric: {min: 0, max: 4}
    pass_rule: {outcome_min_score: 2}
    when: {step: portfolio, measure: score_mean, operator: lt, value: 3}
  - id: decision
    kind: decision
    decided_by: decision_maker
    partial_recognition: true
"""


@pytest.fixture
def staff(assessor, assessor2, identity_officer, decision_maker):
    return [assessor, assessor2, identity_officer, decision_maker, *reserve_staff()]


@pytest.fixture
def catalogue(staff):
    return assessed_catalogue(staff)


def _with_application(case):
    application = Application.objects.create(
        candidate=case.candidate,
        specification=case.specification,
        status=Application.Status.SUBMITTED,
    )
    case.application = application
    case.save(update_fields=["application"])
    return case


@pytest.fixture
def conditional_case(catalogue, candidate):
    spec = catalogue["python-basics"]
    pipelines.import_text(actor=None, text=CONDITIONAL, fmt="yaml")
    pipelines.publish(actor=None, key="conditional-test")
    case_services.assign_pipeline(
        actor=None, specification=spec, pipeline=Pipeline.objects.get(key="conditional-test")
    )
    return _with_application(case_services.start_case(candidate=candidate, specification=spec))


def _step(case, title):
    return next(step for step in case_timeline(case) if step.title == title)


def _page(case) -> str:
    response = as_user(case.candidate).get(reverse("case_timeline", args=[case.application_id]))
    assert response.status_code == 200
    return response.content.decode()


def _score_portfolio(case, assessor, score):
    sheet = {"scores": {str(o.pk): score for o in case.specification.outcomes.all()}}
    take_and_complete(open_tasks(case)[0], assessor, sheet)
    case.refresh_from_db()


# Only if needed ----------------------------------------------------------------------------------


def test_it_marks_a_step_whose_condition_is_not_decided_yet_only_if_needed(conditional_case):
    interview = _step(conditional_case, "Clarifying interview")
    assert (interview.state, interview.conditional) == ("upcoming", True)
    assert str(interview.state_label) == "Only if needed"
    assert interview.condition == (
        "Whether it takes place depends on the result of “Portfolio review”."
    )
    test, decision = _step(conditional_case, "Knowledge test"), _step(conditional_case, "Decision")
    assert str(test.state_label) == str(decision.state_label) == "Still to come"
    assert not test.conditional and not decision.conditional
    page = _page(conditional_case)
    assert "Only if needed" in page and "depends on the result of “Portfolio review”" in page


def test_it_says_not_needed_once_the_condition_is_decided_false(conditional_case, assessor):
    _score_portfolio(conditional_case, assessor, 4)
    interview = _step(conditional_case, "Clarifying interview")
    assert (interview.state, interview.conditional) == ("skipped", False)
    assert str(interview.state_label) == "Not needed"
    assert _step(conditional_case, "Knowledge test").state == "current"


def test_it_says_still_to_come_once_the_condition_is_decided_true(conditional_case, assessor):
    _score_portfolio(conditional_case, assessor, 2)
    interview = _step(conditional_case, "Clarifying interview")
    assert (interview.state, interview.conditional, interview.condition) == ("upcoming", False, "")
    assert str(interview.state_label) == "Still to come"


def test_it_marks_the_demo_agile_interview_only_if_needed(catalogue, candidate):
    case = _with_application(
        case_services.start_case(
            candidate=candidate, specification=catalogue["agile-project-management"]
        )
    )
    interview = _step(case, "Clarifying interview")
    assert interview.conditional
    assert "Clarifying interview — still to come" not in _page(case).lower()


# What you need to do next ----------------------------------------------------------------------


@pytest.fixture
def interview_case(candidate, assessor, assessor2, identity_officer, decision_maker):
    specification = seed([assessor, assessor2, identity_officer, decision_maker])
    return pass_identity(_start(candidate, specification), identity_officer)


def _start(candidate, specification):
    """A case started from an application, submitted (``start`` leaves it a draft)."""
    case = start(candidate, specification)
    Application.objects.filter(pk=case.application_id).update(status=Application.Status.SUBMITTED)
    return case


def _next(case):
    case.refresh_from_db()
    application = Application.objects.get(pk=case.application_id)
    return next_action(application, case)


def test_it_follows_the_interview_from_no_times_to_the_meeting_held(interview_case, assessor):
    case, candidate = interview_case, interview_case.candidate
    assert _next(case) == "We will e-mail you to arrange the interview."

    take(open_tasks(case, "assess_1")[0], assessor)
    soon = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
    appointments.propose(
        case, case.current_step, actor=assessor, slots=[soon], duration_minutes=30, place="Room 7"
    )
    assert _next(case) == "Times are proposed: choose one below, or ask for other times."
    page = _page(case)
    assert "Which time suits you?" in page  # the choice offered is the one the words point to
    assert "We will e-mail you to arrange the interview." not in page

    appointment = Appointment.objects.get(case=case)
    appointments.ask_other_times(appointment, actor=candidate, note="Mornings, please.")
    assert _next(case) == (
        "You asked for other times. The assessor will propose new ones; we will e-mail you."
    )

    appointments.propose(
        case, case.current_step, actor=assessor, slots=[soon], duration_minutes=30, place="Room 7"
    )
    appointments.choose(Appointment.objects.get(case=case), actor=candidate, index=0)
    agreed = _next(case)
    assert agreed == (
        f"Be there on {appointments.when(soon)} (Room 7). The details and a calendar file are "
        "below."
    )
    assert agreed in _page(case) and "Add to my calendar (.ics)" in _page(case)

    Appointment.objects.filter(case=case).update(starts_at=timezone.now() - timedelta(hours=1))
    assert _next(case) == (
        "The meeting has taken place. Nothing for you to do now: the result goes to the next step."
    )


def test_it_asks_for_identity_documents_until_they_are_given(
    candidate, assessor, assessor2, identity_officer, decision_maker
):
    case = _start(candidate, seed([assessor, assessor2, identity_officer, decision_maker]))
    assert _next(case) == (
        "Give photos or scans of your identity document below: an identity officer checks them."
    )
    assert "Send to the identity officer" in _page(case)
    IdentityDocument.objects.create(
        case=case, display_name="id.png", content_type="image/png", size=10, sha256="0" * 64
    )
    assert _next(case).startswith("You have given what the identity officer needs.")


def test_it_says_the_video_call_times_will_come_before_they_are_proposed(
    candidate, assessor, assessor2, identity_officer, decision_maker
):
    case = _start(
        candidate, seed([assessor, assessor2, identity_officer, decision_maker], method="video")
    )
    assert _next(case) == (
        "An identity officer will propose times for the video call; we will e-mail you. Have "
        "your identity document ready for it."
    )


def test_it_points_to_the_assessors_words_while_more_evidence_is_asked_for(
    catalogue, candidate, assessor
):
    case = _with_application(
        case_services.start_case(candidate=candidate, specification=catalogue["python-basics"])
    )
    take_and_complete(open_tasks(case)[0], assessor, {"more_evidence": "Add a photo."})
    case.refresh_from_db()
    (current,) = [step for step in case_timeline(case) if step.state == "current"]
    assert current.todo.startswith("The assessors ask for more evidence: read what they ask")
    assert current.action_url == reverse("evidence:evidence", args=[case.application_id])
    assert _next(case) == "The assessors ask for more evidence: add it and submit round 2."
    page = _page(case)
    assert "What the assessors wrote on" in page and "Add a photo." in page


def test_it_says_the_online_test_is_finished_once_it_is_over(
    candidate, assessor, assessor2, identity_officer, decision_maker, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    catalogue = assessed_catalogue([assessor, assessor2, identity_officer, decision_maker])
    catalogue_banks(catalogue)
    case = case_services.start_case(candidate=candidate, specification=catalogue["python-basics"])
    case = _with_application(pass_portfolio(case, assessor))
    assert _next(case).startswith("Take the online test")
    TestSitting.objects.filter(case=case).update(over_at=timezone.now())
    assert _next(case) == (
        "You have finished the test. Nothing for you to do now: its result goes to the next step."
    )


def test_it_keeps_what_the_api_and_the_home_page_read(conditional_case):
    steps = applications.case_timeline(conditional_case)
    assert {step.state for step in steps} <= {"done", "current", "upcoming", "skipped"}
    assert all(isinstance(step.todo, str) for step in steps)
