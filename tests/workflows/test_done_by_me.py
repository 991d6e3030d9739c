"""Done by me (issue 14, item 5.3): each person's finished case and appeal tasks, newest first,
paginated and read-only, linked from the work list; only for people who work on tasks."""

import pytest
from django.test import Client

from tests.factories.cases import decide_python_case
from tests.factories.people import PERSONAS
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.appeal_helpers import GROUNDS, decided_case, people
from tests.workflows.engine_helpers import open_tasks, take, take_and_complete
from workflows.appeals import services as appeals
from workflows.cases import services as case_services
from workflows.work import views as work_views

pytestmark = pytest.mark.django_db

URL = "/work/done/"


def _as(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def decided(candidate, assessor, assessor2, identity_officer, decision_maker):
    spec = assessed_catalogue([assessor, assessor2, identity_officer, decision_maker])[
        "python-basics"
    ]
    return decide_python_case(spec, candidate, assessor, decision_maker)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_in_only_people_who_work_on_tasks(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    allowed = persona in {"assessor", "identity_officer", "decision_maker"}
    assert client.get(URL).status_code == (200 if allowed else 403)


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    assert client.get(URL).url == f"/accounts/login/?next={URL}"


def test_it_is_linked_from_the_work_list(assessor):
    assert f'href="{URL}"' in _as(assessor).get("/work/").content.decode()


def test_it_lists_the_user_s_finished_tasks_newest_first_in_words(decided, assessor):
    page = _as(assessor).get(URL)
    rows = page.context["rows"]
    # The assessor did the portfolio review, then the test result; the decision was not theirs.
    assert [row.task.flow_task.name for row in rows] == ["test", "assess_1"]
    assert [row.step_title for row in rows] == ["Knowledge test", "Portfolio review"]
    body = page.content.decode()
    assert decided.specification.title in body
    assert f"<td>{decided.pk}</td>" in body
    assert f'href="/work/{decided.pk}/{rows[1].task.pk}/"' in body
    assert "2 tasks done" in body


def test_it_leaves_out_open_tasks_and_other_people_s(
    candidate, assessor, assessor2, identity_officer, decision_maker
):
    spec = assessed_catalogue([assessor, assessor2, identity_officer, decision_maker])[
        "python-basics"
    ]
    case = case_services.start_case(candidate=candidate, specification=spec)
    scores = {"scores": {str(o.pk): 4 for o in spec.outcomes.all()}}
    take_and_complete(open_tasks(case)[0], assessor2, scores)
    assert list(_as(assessor).get(URL).context["rows"]) == []
    assert "You have not done any task yet." in _as(assessor).get(URL).content.decode()
    assert len(_as(assessor2).get(URL).context["rows"]) == 1


def test_it_lists_appeal_tasks_as_appeals(
    candidate, assessor, decision_maker, identity_officer, django_capture_on_commit_callbacks
):
    who = people(candidate, assessor, decision_maker, identity_officer)
    case = decided_case(who, outcome="none")
    appeal = appeals.submit_appeal(case, candidate=who.candidate, grounds=GROUNDS)
    (review,) = open_tasks(appeal, "review")
    url = take(_as(who.reviewer), f"/work/appeals/{appeal.pk}/{review.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        done = _as(who.reviewer).post(url, {"recommendation": "uphold", "reasons": "Fair."})
    assert done.status_code == 302
    (row,) = _as(who.reviewer).get(URL).context["rows"]
    assert row.is_appeal and row.case == case and row.step_title == "Appeal"
    body = _as(who.reviewer).get(URL).content.decode()
    assert f'href="/work/appeals/{appeal.pk}/{review.pk}/"' in body
    assert "Appeal review" in body


def test_it_pages_the_list(decided, assessor, monkeypatch):
    monkeypatch.setattr(work_views, "DONE_PER_PAGE", 1)
    client = _as(assessor)
    first = client.get(URL)
    second = client.get(URL, {"page": 2})
    assert [row.task.flow_task.name for row in first.context["rows"]] == ["test"]
    assert [row.task.flow_task.name for row in second.context["rows"]] == ["assess_1"]
    assert "Page 1 of 2" in first.content.decode()
    assert client.get(URL, {"page": "nonsense"}).status_code == 200
