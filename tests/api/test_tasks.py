"""The work list through the API: each worker does there exactly what the work pages let them,
under the same separation of duties, and nobody else gets in."""

import pytest
from guardian.shortcuts import assign_perm
from viewflow.workflow.status import STATUS

from api.models import Scope
from rpl.accounts.roles import Role
from tests.api.clients import token_client
from tests.factories import make_user
from tests.factories.evidence import PDF
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.models import StepResult

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/tasks/"
RULES = ("valid", "authentic", "current", "sufficient")


@pytest.fixture
def case(submitted):
    return submitted.case


@pytest.fixture
def portfolio_task(case):
    (task,) = open_tasks(case)
    assert task.flow_task.name == "assess_1"
    return task


def _scores(case, value="3"):
    """A score sheet as JSON: a score per outcome, every rule of evidence met."""
    sheet = {}
    for outcome in case.specification.outcomes.all():
        sheet[f"score_{outcome.pk}"] = value
        sheet |= {f"{rule}_{outcome.pk}": True for rule in RULES}
    return sheet


def test_it_lists_the_work_each_worker_may_take(
    case,
    portfolio_task,
    assessor,
    assessor2,
    identity_officer,
    candidate,
    quality_officer,
    administrator,
    anonymous,
):
    found = token_client(assessor).get(TASKS).json()
    assert found["count"] == 1
    (row,) = found["results"]
    assert row["id"] == portfolio_task.pk and row["case"] == case.pk
    assert (row["node"], row["state"]) == ("assess_1", "claimable")
    assert row["step"]["kind"] == "evidence_review"
    assert row["specification"]["slug"] == "python-basics"
    # Not in the pool, or the wrong role: nothing to take.
    assert token_client(assessor2).get(TASKS).json()["count"] == 0
    assert token_client(identity_officer).get(TASKS).json()["count"] == 0
    for outsider in (candidate, quality_officer, administrator):
        assert token_client(outsider).get(TASKS).status_code == 403
    assert anonymous.get(TASKS).status_code == 401
    assert token_client(assessor2).get(f"{TASKS}{portfolio_task.pk}").status_code == 404


def test_it_needs_the_tasks_scopes(portfolio_task, assessor):
    reader = token_client(assessor, scopes=[Scope.CASES_READ])
    response = reader.get(TASKS)
    assert response.status_code == 403
    assert response.json()["type"].endswith("insufficient-scope")
    only_read = token_client(assessor, scopes=[Scope.TASKS_READ])
    assert only_read.get(TASKS).status_code == 200
    assert only_read.post(f"{TASKS}{portfolio_task.pk}/take").status_code == 403


def test_it_takes_declares_and_records_a_score_sheet(case, portfolio_task, assessor):
    client = token_client(assessor)
    url = f"{TASKS}{portfolio_task.pk}"
    taken = client.post(f"{url}/take")
    assert taken.status_code == 200
    assert (taken.json()["state"], taken.json()["declared"], taken.json()["fields"]) == (
        "assigned",
        False,
        [],
    )
    scores = _scores(case)
    early = client.post(f"{url}/result", {"data": scores}, content_type="application/json")
    assert early.status_code == 409
    assert early.json()["type"].endswith("declaration-needed")

    assert client.get(url).json()["portfolio"] is None
    declared = client.post(f"{url}/declaration", {"conflict": False}, "application/json")
    assert declared.status_code == 204
    detail = client.get(url).json()
    (item,) = detail["portfolio"]["items"]
    assert (item["file_name"], item["kind"]) == ("cv.pdf", "file")
    download = client.get(item["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    fields = {f["name"]: f for f in detail["fields"]}
    first = case.specification.outcomes.order_by("position").first()
    score = fields[f"score_{first.pk}"]
    assert score["type"] == "choice"
    assert [c["value"] for c in score["choices"]] == ["0", "1", "2", "3", "4"]
    assert fields[f"valid_{first.pk}"]["type"] == "boolean"

    missing = client.post(f"{url}/result", {"data": {}}, content_type="application/json")
    assert missing.status_code == 422
    assert f"body.data.score_{first.pk}" in {e["field"] for e in missing.json()["errors"]}
    assert not StepResult.objects.filter(case=case).exists()

    recorded = client.post(f"{url}/result", {"data": scores}, content_type="application/json")
    assert recorded.status_code == 200, recorded.json()
    assert recorded.json() == {"task": portfolio_task.pk, "case": case.pk, "status": "DONE"}
    result = StepResult.objects.get(case=case)
    assert result.actor == assessor and set(result.data["scores"].values()) == {3}
    assert [t.flow_task.name for t in open_tasks(case)] == ["test"]


def test_it_gives_back_a_task_on_a_declared_conflict(portfolio_task, assessor):
    client = token_client(assessor)
    url = f"{TASKS}{portfolio_task.pk}"
    client.post(f"{url}/take")
    unexplained = client.post(f"{url}/declaration", {"conflict": True}, "application/json")
    assert unexplained.status_code == 422
    assert unexplained.json()["errors"][0]["field"] == "body.reason"
    conflict = {"conflict": True, "reason": "The candidate is my sister."}
    assert client.post(f"{url}/declaration", conflict, "application/json").status_code == 204
    portfolio_task.refresh_from_db()
    assert portfolio_task.owner_id is None and portfolio_task.status == STATUS.NEW
    # Declared once for the case: the task is no longer theirs to take.
    assert client.get(TASKS).json()["count"] == 0


def test_it_keeps_a_task_to_its_holder(case, portfolio_task, assessor):
    other = make_user(Role.ASSESSOR, email="other@example.org")
    assign_perm("credentials.assess", other, case.specification)
    token_client(assessor).post(f"{TASKS}{portfolio_task.pk}/take")
    intruder = token_client(other)
    url = f"{TASKS}{portfolio_task.pk}"
    assert intruder.get(url).status_code == 404
    (item,) = case.application.items.all()
    assert intruder.get(f"{url}/evidence/{item.pk}").status_code == 404
    # The holder too, before the declaration.
    assert token_client(assessor).get(f"{url}/evidence/{item.pk}").status_code == 404
    assert intruder.post(f"{url}/take").status_code == 409
    declared = intruder.post(f"{url}/declaration", {"conflict": False}, "application/json")
    assert declared.status_code == 403
    written = intruder.post(f"{url}/result", {"data": _scores(case)}, "application/json")
    assert written.status_code == 403
    assert intruder.post(f"{url}/release").status_code == 403
    assert token_client(assessor).post(f"{url}/release").status_code == 204
    portfolio_task.refresh_from_db()
    assert portfolio_task.owner_id is None


def test_it_refuses_the_decision_to_an_assessor_of_the_case(case, portfolio_task, assessor):
    take_and_complete(portfolio_task, assessor, {"scores": _raw(case)})
    take_and_complete(open_tasks(case)[0], assessor, {"score_percent": 90.0})
    (decision,) = open_tasks(case)
    both = assessor
    both.groups.add(*make_user(Role.DECISION_MAKER, email="dm@example.org").groups.all())
    assign_perm("credentials.decide", both, case.specification)
    client = token_client(both)
    assert [t["node"] for t in client.get(TASKS).json()["results"]] == []
    refused = client.post(f"{TASKS}{decision.pk}/take")
    assert refused.status_code == 409
    assert "may not decide it" in refused.json()["detail"]
    decision.refresh_from_db()
    assert decision.owner_id is None


def test_it_records_a_decision_for_the_decision_maker(
    case, portfolio_task, assessor, decision_maker
):
    take_and_complete(portfolio_task, assessor, {"scores": _raw(case)})
    take_and_complete(open_tasks(case)[0], assessor, {"score_percent": 90.0})
    (decision,) = open_tasks(case)
    client = token_client(decision_maker)
    url = f"{TASKS}{decision.pk}"
    client.post(f"{url}/take")
    client.post(f"{url}/declaration", {"conflict": False}, "application/json")
    detail = client.get(url).json()
    sheet, test = detail["results"]
    assert sheet["role"] == "assessor" and {s["score"] for s in sheet["scores"]} == {3}
    assert test["facts"] == [{"label": "Result", "value": "90.0 %"}]
    fields = {f["name"]: f for f in detail["fields"]}
    assert {c["value"] for c in fields["outcome"]["choices"]} >= {"full", "none"}
    partial = {"outcome": "partial", "recognised_outcomes": [], "reasons": "Some."}
    refused = client.post(f"{url}/result", {"data": partial}, "application/json")
    assert refused.status_code == 422
    full = {"outcome": "full", "reasons": "Everything is shown."}
    assert client.post(f"{url}/result", {"data": full}, "application/json").status_code == 200
    case.refresh_from_db()
    assert case.outcome == "full"
    again = client.post(f"{url}/result", {"data": full}, "application/json")
    assert again.status_code == 409
    assert again.json()["type"].endswith("#problem-done")


def _raw(case):
    return {str(o.pk): 3 for o in case.specification.outcomes.all()}


def test_it_keeps_blind_marking_blind(spec, candidate, assessor, identity_officer):
    from credentials.catalogue.models import Specification
    from workflows.cases import services as case_services

    agile = Specification.objects.get(slug="agile-project-management")
    co_marker = make_user(Role.ASSESSOR, email="blind@example.org")
    assign_perm("credentials.assess", co_marker, agile)
    case = case_services.start_case(candidate=candidate, specification=agile)
    take_and_complete(open_tasks(case)[0], identity_officer, {"verified": True})
    first, second = open_tasks(case)
    outcomes = [str(o.pk) for o in agile.outcomes.all()]
    sheet = {"scores": dict.fromkeys(outcomes, 4), "comments": {outcomes[0]: "Secret remark"}}
    take_and_complete(first, assessor, sheet)

    client = token_client(co_marker)
    url = f"{TASKS}{second.pk}"
    assert client.post(f"{url}/take").status_code == 200
    client.post(f"{url}/declaration", {"conflict": False}, "application/json")
    response = client.get(url)
    assert [r["role"] for r in response.json()["results"]] == ["identity_officer"]
    assert "Secret remark" not in response.content.decode()
