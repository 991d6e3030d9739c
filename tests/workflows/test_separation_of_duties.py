"""Separation of duties and blind marking, held against direct requests to the work pages."""

import pytest
from django.test import Client
from guardian.shortcuts import assign_perm

from rpl.accounts.roles import Role
from tests.factories import make_user
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, score_sheet, take, take_and_complete
from workflows.cases import services as case_services
from workflows.models import StepResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def agile(candidate, assessor, assessor2, identity_officer, decision_maker):
    staff = [assessor, assessor2, identity_officer, decision_maker]
    spec = assessed_catalogue(staff)["agile-project-management"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], identity_officer, {"verified": True})
    return case


def _as(user):
    client = Client()
    client.force_login(user)
    return client


def _url(task):
    return f"/work/{task.process_id}/{task.pk}/"


def test_it_hides_a_blind_co_marker_s_sheet_until_one_s_own_is_in(agile, assessor, assessor2):
    first, second = open_tasks(agile)
    one, two = _as(assessor), _as(assessor2)
    take(one, _url(first))
    take(two, _url(second))
    sheet = score_sheet(agile, score=4)
    sheet |= {
        f"comment_{o.pk}": "Secret remark of the first marker"
        for o in agile.specification.outcomes.all()
    }
    assert one.post(_url(first), sheet).status_code == 302

    page = two.get(_url(second)).content.decode()
    assert "Secret remark of the first marker" not in page
    assert StepResult.objects.filter(case=agile, role="assessor").count() == 1
    # The first marker cannot open the second's task to read or write it.
    assert one.get(_url(second)).status_code == 403
    assert one.post(_url(second), score_sheet(agile, score=1)).status_code == 403
    assert StepResult.objects.filter(case=agile, role="assessor").count() == 1


def test_it_refuses_one_assessor_both_marks_of_a_step(agile, assessor):
    first, second = open_tasks(agile)
    client = _as(assessor)
    take(client, _url(first))
    refused = client.post(_url(second) + "take/", follow=True).content.decode()
    assert "another assessor must take this task" in refused
    second.refresh_from_db()
    assert second.owner_id is None


def test_it_refuses_the_decision_to_an_assessor_of_the_case(agile, assessor):
    both = make_user(Role.ASSESSOR, email="both@example.org")
    both.groups.add(*make_user(Role.DECISION_MAKER, email="dm2@example.org").groups.all())
    assign_perm("credentials.assess", both, agile.specification)
    assign_perm("credentials.decide", both, agile.specification)
    first, second = open_tasks(agile)
    scores = {"scores": {str(o.pk): 4 for o in agile.specification.outcomes.all()}}
    take_and_complete(first, assessor, scores)
    take_and_complete(second, both, scores)
    seats = open_tasks(agile)
    assert [seat.flow_task.name for seat in seats] == ["decision", "panel_2", "panel_3"]
    client = _as(both)
    assert client.get("/work/").context["claimable_tasks"] == []
    for seat in seats:
        refused = client.post(_url(seat) + "take/", follow=True).content.decode()
        assert "You took part in assessing this case, so you may not decide it." in refused
        assert client.post(_url(seat), {"outcome": "full", "reasons": "x"}).status_code == 403
        seat.refresh_from_db()
        assert seat.owner_id is None and seat.status == "NEW"


def test_it_refuses_one_decision_maker_two_seats_of_a_panel(agile, assessor, assessor2):
    decider = make_user(Role.DECISION_MAKER, email="panel@example.org")
    assign_perm("credentials.decide", decider, agile.specification)
    scores = {"scores": {str(o.pk): 4 for o in agile.specification.outcomes.all()}}
    first, second = open_tasks(agile)
    take_and_complete(first, assessor, scores)
    take_and_complete(second, assessor2, scores)
    seat_1, seat_2, _seat_3 = open_tasks(agile)
    client = _as(decider)
    take(client, _url(seat_1))
    assert [t.pk for t in client.get("/work/").context["claimable_tasks"]] == []
    refused = client.post(_url(seat_2) + "take/", follow=True).content.decode()
    assert "another member must take this seat." in refused
    assert client.post(_url(seat_2), {"outcome": "full", "reasons": "x"}).status_code == 403
    seat_2.refresh_from_db()
    assert seat_2.owner_id is None and seat_2.status == "NEW"


def test_it_refuses_a_candidate_any_task_of_their_own_case(candidate, assessor):
    spec = assessed_catalogue([assessor])["python-basics"]
    candidate.groups.add(*assessor.groups.all())
    assign_perm("credentials.assess", candidate, spec)
    case = case_services.start_case(candidate=candidate, specification=spec)
    (task,) = open_tasks(case)
    refused = _as(candidate).post(_url(task) + "take/", follow=True).content.decode()
    assert "Nobody may assess or decide their own case." in refused
    task.refresh_from_db()
    assert task.owner_id is None


def test_it_hides_a_panel_member_s_vote_from_the_other_members(
    agile, assessor, assessor2, decision_maker
):
    second_member = make_user(Role.DECISION_MAKER, email="member2@example.org")
    assign_perm("credentials.decide", second_member, agile.specification)
    outcomes = [str(o.pk) for o in agile.specification.outcomes.all()]
    scores = {
        "scores": dict.fromkeys(outcomes, 4),
        "comments": {outcomes[0]: "The sprint reviews are convincing"},
    }
    first, second = open_tasks(agile)
    take_and_complete(first, assessor, scores)
    take_and_complete(second, assessor2, scores)
    seat_1, seat_2, _seat_3 = open_tasks(agile)
    vote = {"outcome": "none", "recognised_outcomes": [], "reasons": "Secret vote of member one"}
    take_and_complete(seat_1, decision_maker, vote)

    client = _as(second_member)
    take(client, _url(seat_2))
    page = client.get(_url(seat_2))
    assert page.status_code == 200
    assert "Secret vote of member one" not in page.content.decode()
    # The assessors' sheets stay in view: the panel decides on them.
    assert "The sprint reviews are convincing" in page.content.decode()
    assert _as(decision_maker).get(_url(seat_2)).status_code == 403
