"""The candidate's to-do list and the state of each application, computed from the cases."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evidence.models import Application
from rpl.accounts.roles import Role
from tests.factories import make_user
from tests.factories.credentials import issue
from tests.workflows import candidate_stages as stages
from tests.workflows.engine_helpers import open_tasks
from tests.workflows.meetings_setup import seed
from workflows.appeals import services as appeals
from workflows.cases.applications import withdraw_application
from workflows.cases.todo import overview_of, state_of, todo_for
from workflows.meetings.services import slot_times
from workflows.work.services import take

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    stages.use_scratch_storage(settings, tmp_path)


@pytest.fixture
def specs(assessor, assessor2, decision_maker, identity_officer):
    """The catalogue, each specification open for applications (the agile one needs a panel)."""
    more = [make_user(Role.DECISION_MAKER, email=f"panel{n}@example.org") for n in (1, 2)]
    more += [make_user(Role.ASSESSOR, email=f"pool{n}@example.org") for n in (1, 2)]
    return stages.catalogue([assessor, assessor2, decision_maker, identity_officer, *more])


def kinds(candidate):
    return [item.kind for item in todo_for(candidate)]


def states(candidate):
    return {
        a.specification.slug: (a.state.code, a.state.label)
        for a in overview_of(candidate).applications
    }


def test_it_asks_a_new_candidate_to_choose_a_micro_credential(candidate, specs):
    [item] = todo_for(candidate)
    assert item.kind == "start"
    assert item.url == "/catalogue/"


def test_it_asks_to_finish_and_submit_a_draft(candidate, specs):
    application = stages.draft(candidate, specs["python-basics"])
    [item] = todo_for(candidate)
    assert item.kind == "submit"
    assert item.title == "Finish and submit your application"
    assert item.credential == "Python programming basics"
    assert item.url == f"/applications/{application.pk}/"
    assert states(candidate) == {"python-basics": ("draft", "Draft")}


def test_it_follows_the_case_from_submitted_to_in_review(candidate, specs, assessor):
    case = stages.submitted(candidate, specs["python-basics"])
    assert states(candidate) == {"python-basics": ("submitted", "Submitted")}
    assert kinds(candidate) == []

    take(open_tasks(case)[0], assessor)

    assert states(candidate) == {"python-basics": ("in_review", "In review")}


def test_it_quotes_what_the_assessors_ask_for(candidate, specs, assessor):
    case = stages.asked_for_more(stages.submitted(candidate, specs["python-basics"]), assessor)
    [item] = todo_for(candidate)
    assert item.kind == "evidence"
    assert item.quote == stages.REQUEST
    assert "submit round 2" in item.why
    assert item.url == f"/applications/{case.application_id}/evidence/"
    assert states(candidate) == {"python-basics": ("action_needed", "Action needed")}


def test_it_links_the_online_test_and_says_what_it_is(candidate, assessor, decision_maker):
    specs = stages.catalogue([assessor, decision_maker], banks=True)
    stages.at_online_test(stages.submitted(candidate, specs["python-basics"]), assessor)
    [item] = todo_for(candidate)
    assert item.kind == "test"
    assert item.title == "Take your test: Knowledge test"
    assert item.why == "A 30-minute online test, 20 questions, pass mark 70 %, 2 attempts."
    assert item.url.startswith("/tests/")
    assert item.due is None  # the pipeline gives its test no deadline
    assert states(candidate)["python-basics"][0] == "action_needed"


def test_it_asks_for_the_identity_document_the_check_needs(
    candidate, assessor, assessor2, identity_officer, decision_maker
):
    spec = seed([assessor, assessor2, identity_officer, decision_maker], method="document")
    case = stages.submitted(candidate, spec)
    [item] = todo_for(candidate)
    assert item.kind == "identity"
    assert item.url == f"/applications/{case.application_id}/identity-documents/"


def test_it_asks_to_choose_one_of_the_proposed_times(
    candidate, assessor, assessor2, identity_officer, decision_maker
):
    spec = seed([assessor, assessor2, identity_officer, decision_maker], method="video")
    case = stages.submitted(candidate, spec)
    appointment = stages.times_proposed(case, identity_officer, days=(3, 2))
    [item] = todo_for(candidate)
    assert item.kind == "meeting"
    assert item.title == "Choose a time for your identity check by video"
    assert item.why == "2 times are proposed: choose one, or ask for others."
    assert item.due == min(slot_times(appointment))
    assert item.url == f"/applications/{case.application_id}/meeting/"
    assert states(candidate)["python-basics"][0] == "action_needed"


def test_it_offers_the_decision_to_read_and_the_appeal_until_its_deadline(
    candidate, specs, assessor, decision_maker
):
    case = stages.decided(
        stages.submitted(candidate, specs["python-basics"]), assessor, decision_maker
    )
    [item] = todo_for(candidate)
    assert item.kind == "decision"
    assert item.why.startswith("Partial recognition. The reasons are on your case page.")
    assert item.url == f"/applications/{case.application_id}/case/"
    assert item.second_url == f"/applications/{case.application_id}/case/appeal/"
    assert item.due == appeals.appeal_deadline(case)
    assert item.when.startswith("Appeal by ")
    assert states(candidate) == {"python-basics": ("partly_recognised", "Partly recognised")}

    appeals.submit_appeal(case, candidate=candidate, grounds=stages.REASONS)

    assert kinds(candidate) == []
    assert states(candidate) == {"python-basics": ("appeal_in_progress", "Appeal in progress")}


def test_it_lets_an_old_decision_go_once_the_appeal_time_is_over(
    candidate, specs, assessor, decision_maker
):
    case = stages.decided(
        stages.submitted(candidate, specs["python-basics"]), assessor, decision_maker
    )
    case.finished = timezone.now() - timedelta(days=40)
    case.save(update_fields=["finished"])
    assert kinds(candidate) == []
    assert states(candidate)["python-basics"] == ("partly_recognised", "Partly recognised")


def test_it_says_the_credential_is_ready_and_shelves_it(candidate, specs, assessor, decision_maker):
    stages.decided(
        stages.submitted(candidate, specs["python-basics"]), assessor, decision_maker, "full"
    )
    overview = overview_of(candidate)
    assert [item.kind for item in overview.todo] == ["credential"]
    (credential,) = overview.credentials
    assert overview.todo[0].url == f"/credentials/{credential.public_id}/ready/"
    assert credential.specification.slug == "python-basics"
    assert states(candidate) == {"python-basics": ("recognised", "Recognised")}


def test_it_shows_the_state_that_follows_the_case_on_the_applications_page(
    client, candidate, specs, assessor, decision_maker
):
    stages.decided(
        stages.submitted(candidate, specs["python-basics"]), assessor, decision_maker, "full"
    )
    client.force_login(candidate)

    page = client.get("/applications/").content.decode()

    assert "Recognised" in page
    assert "Submitted" not in page


def test_it_tells_a_holder_without_applications_more_than_that(candidate, specs):
    issue(candidate, specs["agile-project-management"])
    overview = overview_of(candidate)
    assert [item.kind for item in overview.todo] == ["credential", "start"]
    assert len(overview.credentials) == 1


def test_it_shows_a_withdrawn_application_as_withdrawn(candidate, specs):
    case = stages.submitted(candidate, specs["python-basics"])
    withdraw_application(case.application, candidate, "Changed my mind")
    assert states(candidate) == {"python-basics": ("withdrawn", "Withdrawn")}
    assert kinds(candidate) == ["start"]


def test_it_works_out_one_state_from_the_application_and_its_case_alone(candidate, specs):
    application = stages.draft(candidate, specs["python-basics"])
    assert state_of(application, None) == ("draft", "Draft")
    application.status = Application.Status.SUBMITTED
    assert state_of(application, None).code == "submitted"


def test_it_reads_in_as_many_queries_for_many_applications_as_for_one(
    candidate, candidate2, specs, assessor
):
    for person in (candidate, candidate2):
        stages.asked_for_more(stages.submitted(person, specs["python-basics"]), assessor)
    with CaptureQueriesContext(connection) as one:
        overview_of(candidate)

    for slug in ("agile-project-management", "mig-mag-welding"):
        stages.submitted(candidate2, specs[slug])
    with CaptureQueriesContext(connection) as three:
        overview = overview_of(candidate2)

    assert len(overview.applications) == 3
    assert len(three) == len(one) <= 10
