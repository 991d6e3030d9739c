import threading

import pytest
from django.db import connection
from django.test import Client

from evidence.models import Application
from evidence.witnesses import services as witness_services
from rpl.accounts.roles import Role
from tests.factories import make_user
from tests.factories.evidence import add_file
from tests.factories.people import PERSONAS
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.appeal_helpers import GROUNDS, decided_case, people
from tests.workflows.engine_helpers import open_tasks, score_sheet, take, take_and_complete
from workflows.appeals import services as appeals
from workflows.cases import applications
from workflows.cases import services as case_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def spec(assessor, assessor2, identity_officer, decision_maker):
    staff = [assessor, assessor2, identity_officer, decision_maker]
    return assessed_catalogue(staff)["python-basics"]


@pytest.fixture
def case(spec, candidate):
    return case_services.start_case(candidate=candidate, specification=spec)


def _urls(case):
    task = open_tasks(case)[0]
    return task, f"/work/{case.pk}/{task.pk}/"


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_inbox_only_to_people_who_work_on_cases(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    allowed = persona in {"assessor", "identity_officer", "decision_maker"}
    assert client.get("/work/").status_code == (200 if allowed else 403)


def test_it_sends_anonymous_visitors_from_the_inbox_to_log_in(client, db):
    assert client.get("/work/").url == "/accounts/login/?next=/work/"


def test_it_lists_the_task_for_the_pool_and_not_for_others(
    client, case, assessor, identity_officer
):
    task, _ = _urls(case)
    client.force_login(assessor)
    assert [t.pk for t in client.get("/work/").context["claimable_tasks"]] == [task.pk]
    client.force_login(identity_officer)
    assert client.get("/work/").context["claimable_tasks"] == []


def test_it_lets_one_assessor_take_a_task_and_refuses_the_next(client, case, assessor, assessor2):
    task, url = _urls(case)
    client.force_login(assessor)
    response = client.post(url + "take/")
    assert response.url == url
    assert client.get(url).status_code == 200
    other = Client()
    other.force_login(assessor2)
    response = other.post(url + "take/", follow=True)
    assert "Someone else has already taken this task." in response.content.decode()
    assert other.get(url).status_code == 403
    task.refresh_from_db()
    assert task.owner == assessor


def test_it_takes_a_task_clicked_twice_once(client, case, assessor):
    from rpl.audit.models import AuditEvent

    task, url = _urls(case)
    client.force_login(assessor)
    assert client.post(url + "take/").url == url
    response = client.post(url + "take/", follow=True)
    assert "already taken" not in response.content.decode()
    assert AuditEvent.objects.filter(action="case.task_taken").count() == 1
    task.refresh_from_db()
    assert task.owner == assessor


@pytest.mark.parametrize("persona", ["candidate", "quality_officer", "outsider", "administrator"])
def test_it_refuses_the_task_page_to_other_personas(client, request, case, assessor, persona):
    task, url = _urls(case)
    client.force_login(assessor)
    client.post(url + "take/")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 403
    assert client.post(url + "take/").status_code == 403


def test_it_keeps_what_was_typed_and_explains_errors(client, case, assessor):
    task, url = _urls(case)
    client.force_login(assessor)
    take(client, url)
    outcome = case.specification.outcomes.order_by("position").first()
    response = client.post(url, {f"comment_{outcome.pk}": "Strong evidence from work."})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Give this learning outcome a score." in body
    assert "Strong evidence from work." in body
    task.refresh_from_db()
    assert task.status == "ASSIGNED"


def test_it_records_a_score_sheet_and_moves_the_case_on(client, case, assessor):
    task, url = _urls(case)
    client.force_login(assessor)
    take(client, url)
    response = client.post(url, score_sheet(case))
    assert response.url == "/work/"
    case.refresh_from_db()
    assert case.results["portfolio"]["score_mean"] == 3
    assert [t.flow_task.name for t in open_tasks(case)] == ["test"]


def test_it_lets_the_owner_give_a_task_back(client, case, assessor, assessor2):
    task, url = _urls(case)
    client.force_login(assessor)
    client.post(url + "take/")
    other = Client()
    other.force_login(assessor2)
    assert other.post(url + "release/").status_code == 403
    client.post(url + "release/")
    task.refresh_from_db()
    assert task.owner is None and task.status == "NEW"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks")
@pytest.mark.django_db(transaction=True)
def test_it_gives_a_task_to_exactly_one_of_two_simultaneous_takers(case, assessor, assessor2):
    task, url = _urls(case)
    barrier = threading.Barrier(2)
    codes = []

    def take(user):
        client = Client()
        client.force_login(user)
        barrier.wait()
        codes.append(client.post(url + "take/").url)
        connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in (assessor, assessor2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    task.refresh_from_db()
    assert task.owner in {assessor, assessor2}
    assert sorted(codes) == sorted([url, "/work/"])


def test_it_shows_each_task_s_deadline_and_flags_the_overdue(client, case, assessor):
    from datetime import timedelta

    task, _ = _urls(case)
    client.force_login(assessor)
    (listed,) = client.get("/work/").context["claimable_tasks"]
    assert listed.due == task.created + timedelta(days=14)  # the portfolio step's deadline
    assert not listed.overdue
    task.created -= timedelta(days=15)
    task.save(update_fields=["created"])
    page = client.get("/work/").content.decode()
    assert "overdue" in page


def test_it_explains_a_partial_recognition_that_ticks_none_or_all(
    client, case, assessor, decision_maker
):
    outcomes = [str(o.pk) for o in case.specification.outcomes.order_by("position")]
    take_and_complete(open_tasks(case)[0], assessor, {"scores": dict.fromkeys(outcomes, 4)})
    take_and_complete(open_tasks(case)[0], assessor, {"score_percent": 60.0})
    (decision,) = open_tasks(case)
    url = take(_login(client, decision_maker), f"/work/{case.pk}/{decision.pk}/")
    none = client.post(url, {"outcome": "partial", "reasons": "Some shown."})
    assert "Tick at least one outcome for partial recognition." in none.content.decode()
    every = client.post(
        url, {"outcome": "partial", "recognised_outcomes": outcomes, "reasons": "All shown."}
    )
    assert "Every outcome is ticked: choose full recognition instead." in every.content.decode()
    response = client.post(
        url, {"outcome": "partial", "recognised_outcomes": outcomes[:2], "reasons": "Two shown."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.outcome, case.recognised_outcomes) == ("partial", sorted(outcomes[:2], key=int))


def _login(client, user):
    client.force_login(user)
    return client


# Before the declaration: who the case involves ---------------------------------------------------


TESTIMONY = {
    "full_name": "Wanda Witness",
    "position": "Head of IT, Acme",
    "relationship": "I supervised her from 2019 to 2023.",
    "confirmation": "yes",
    "statement": "She wrote and maintained the scripts.",
}


@pytest.fixture
def submitted_case(spec, candidate):
    """A python-basics case from a submitted application with a witness's testimony."""
    application = Application.objects.create(candidate=candidate, specification=spec)
    add_file(application, "report.pdf")
    for _ in range(2):  # the same witness twice is named once
        _request, token = witness_services.invite_witness(
            application,
            actor=candidate,
            witness_name="Wanda Witness",
            witness_email="wanda@example.org",
            relationship="my supervisor",
            claim="Alice automated our reports.",
        )
        witness_services.record_testimony(token, **TESTIMONY)
    return applications.submit_application(application, candidate).application.case


def test_it_names_the_candidate_and_the_witnesses_before_the_declaration(
    client, submitted_case, assessor
):
    task = open_tasks(submitted_case)[0]
    url = f"/work/{submitted_case.pk}/{task.pk}/"
    client.force_login(assessor)
    client.post(url + "take/")
    page = client.get(url).content.decode()
    assert "Declare any conflict of interest" in page
    assert "Alice Candidate" in page and "alice@example.org" in page
    assert page.count("Wanda Witness, Head of IT, Acme") == 1
    assert "She wrote and maintained the scripts." not in page
    assert "report.pdf" not in page


def test_it_names_the_candidate_before_the_declaration_on_an_appeal(
    client, candidate, assessor, decision_maker, identity_officer
):
    who = people(candidate, assessor, decision_maker, identity_officer)
    decided = decided_case(who, outcome="none")
    appeal = appeals.submit_appeal(decided, candidate=candidate, grounds=GROUNDS)
    (review,) = open_tasks(appeal, "review")
    url = f"/work/appeals/{appeal.pk}/{review.pk}/"
    client.force_login(who.reviewer)
    client.post(url + "take/")
    page = client.get(url).content.decode()
    assert "Declare any conflict of interest" in page
    assert "Alice Candidate" in page and "alice@example.org" in page
    assert "None named in the portfolio" in page


# A task the visitor does not hold: read-only -----------------------------------------------------


def test_it_says_someone_else_has_taken_the_task_and_shows_nothing_of_the_case(
    client, submitted_case, assessor, assessor2
):
    task = open_tasks(submitted_case)[0]
    url = take(_login(Client(), assessor), f"/work/{submitted_case.pk}/{task.pk}/")
    response = _login(client, assessor2).get(url)
    page = response.content.decode()
    assert response.status_code == 403
    assert "Someone else has taken this task." in page
    assert submitted_case.specification.title in page and "Portfolio review" in page
    assert 'href="/work/"' in page
    assert "Alice Candidate" not in page and "report.pdf" not in page
    assert "Take</button>" not in page


def test_it_says_who_did_the_task_and_shows_the_doer_what_they_recorded(
    client, case, assessor, assessor2
):
    task, url = _urls(case)
    take(_login(client, assessor), url)
    sheet = score_sheet(case) | {
        f"comment_{o.pk}": "Convincing project report" for o in case.specification.outcomes.all()
    }
    assert client.post(url, sheet).status_code == 302
    mine = client.get(url)
    assert mine.status_code == 200
    assert "You did this task on" in mine.content.decode()
    assert "Convincing project report" in mine.content.decode()
    theirs = _login(Client(), assessor2).get(url)
    assert theirs.status_code == 403
    assert "This task was done by Ada Assessor on" in theirs.content.decode()
    assert "Convincing project report" not in theirs.content.decode()


def test_it_offers_an_open_task_to_take_to_those_who_may(client, case, assessor):
    task, url = _urls(case)
    response = _login(client, assessor).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "This task is waiting for someone to take it." in page
    assert f'action="{url}take/"' in page


def test_it_says_why_an_open_task_is_not_for_the_visitor(client, case, identity_officer):
    _task, url = _urls(case)
    response = _login(client, identity_officer).get(url)
    assert response.status_code == 403
    assert "You cannot take it: This task needs the role: Assessor." in response.content.decode()
    assert "take/" not in response.content.decode()


def test_it_says_the_task_was_cancelled(client, submitted_case, candidate, assessor):
    task = open_tasks(submitted_case)[0]
    url = take(_login(client, assessor), f"/work/{submitted_case.pk}/{task.pk}/")
    applications.withdraw_application(submitted_case.application, candidate)
    response = client.get(url)
    assert response.status_code == 200
    assert "This task was cancelled." in response.content.decode()


def test_it_refuses_the_read_only_page_to_staff_who_may_not_read_the_case(client, case):
    _task, url = _urls(case)
    stranger = make_user(Role.ASSESSOR, email="stranger@example.org")
    response = _login(client, stranger).get(url)
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()


def test_it_sends_anonymous_visitors_from_a_task_to_log_in(client, case):
    _task, url = _urls(case)
    assert client.get(url).url == f"/accounts/login/?next={url}"


def test_it_shows_an_appeal_task_read_only_to_others_and_its_record_to_the_reviewer(
    candidate, assessor, decision_maker, identity_officer, django_capture_on_commit_callbacks
):
    who = people(candidate, assessor, decision_maker, identity_officer)
    decided = decided_case(who, outcome="none")
    appeal = appeals.submit_appeal(decided, candidate=candidate, grounds=GROUNDS)
    (review,) = open_tasks(appeal, "review")
    url = f"/work/appeals/{appeal.pk}/{review.pk}/"
    reviewer = _login(Client(), who.reviewer)
    offered = reviewer.get(url)
    assert offered.status_code == 200 and f'action="{url}take/"' in offered.content.decode()
    take(reviewer, url)
    judge = _login(Client(), who.judge)
    assert "Someone else has taken this task." in judge.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(url, {"recommendation": "uphold", "reasons": "The marking was fair."})
    mine = reviewer.get(url)
    assert mine.status_code == 200
    assert "Uphold the decision" in mine.content.decode()
    assert "The marking was fair." in mine.content.decode()
    theirs = judge.get(url)
    assert theirs.status_code == 403
    assert "This task was done by Rita Reviewer on" in theirs.content.decode()
    assert "The marking was fair." not in theirs.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_a_done_task_read_only_to_staff_who_work_on_cases_only(
    client, request, case, assessor, persona
):
    task, url = _urls(case)
    take_and_complete(
        task, assessor, {"scores": {str(o.pk): 3 for o in case.specification.outcomes.all()}}
    )
    response = _login(client, request.getfixturevalue(persona)).get(url)
    page = response.content.decode()
    if persona == "assessor":
        assert response.status_code == 200 and "You did this task on" in page
    elif persona in {"identity_officer", "decision_maker"}:
        assert response.status_code == 403 and "This task was done by Ada Assessor" in page
    else:
        assert response.status_code == 403 and "Access denied" in page
