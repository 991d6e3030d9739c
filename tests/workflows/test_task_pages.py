import threading

import pytest
from django.db import connection
from django.test import Client

from tests.factories.people import PERSONAS
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, score_sheet, take
from workflows.cases import services as case_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(candidate, assessor, assessor2, identity_officer, decision_maker):
    staff = [assessor, assessor2, identity_officer, decision_maker]
    spec = assessed_catalogue(staff)["python-basics"]
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
    from tests.workflows.engine_helpers import take_and_complete

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
