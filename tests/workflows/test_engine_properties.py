"""Every valid pipeline runs through the one flow to a decision, whatever the results."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from viewflow.workflow.status import PROCESS

from rpl.accounts.roles import Role
from tests.factories import make_user
from tests.factories.catalogue import PYTHON_BASICS, make_specification
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from tests.workflows.strategies import valid_pipelines
from workflows.cases import services as case_services
from workflows.demo.engine import POOL_PERMISSION
from workflows.models import Pipeline
from workflows.pipelines import schema, services
from workflows.work.duties import DECISION_NODES

_keys = itertools.count(1)


@pytest.fixture
def world(db):
    from guardian.shortcuts import assign_perm

    spec = make_specification(outcomes=5, **PYTHON_BASICS)
    people = {
        "assessors": [make_user(Role.ASSESSOR) for _ in range(4)],
        "identity": make_user(Role.IDENTITY_OFFICER),
        "deciders": [make_user(Role.DECISION_MAKER) for _ in range(5)],
        "candidate": make_user(Role.CANDIDATE),
    }
    for user in [*people["assessors"], people["identity"], *people["deciders"]]:
        assign_perm(POOL_PERMISSION[user.roles[0]], user, spec)
    return spec, people


def _script(data, case, task, people):
    """A result for the task, drawn by hypothesis, and someone allowed to record it."""
    step = case.current_step
    node = task.flow_task.name
    outcomes = [str(o.pk) for o in case.specification.outcomes.all()]
    if node == "identity_check":
        return people["identity"], {"verified": data.draw(st.booleans())}
    if node == "test":
        return people["assessors"][0], {
            "score_percent": data.draw(st.floats(0, 100, allow_nan=False))
        }
    if node in DECISION_NODES:
        seat = 0 if node == "decision" else int(node.removeprefix("panel_")) - 1
        choices = ["full", "none"] + (["partial"] if step.partial_recognition else [])
        outcome = data.draw(st.sampled_from(choices))
        recognised = outcomes[:1] if outcome == "partial" else []
        return people["deciders"][seat], {
            "outcome": outcome,
            "recognised_outcomes": recognised,
            "reasons": "x",
        }
    index = {"assess_1": 0, "assess_2": 1, "assess_3": 2, "moderate": 3}[node]
    scores = st.integers(step.rubric.min, step.rubric.max)
    return people["assessors"][index], {"scores": {o: data.draw(scores) for o in outcomes}}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(definition=valid_pipelines(), data=st.data())
def test_it_drives_every_valid_pipeline_to_a_decision(world, definition, data):
    spec, people = world
    definition = {**definition, "key": f"generated-{next(_keys)}"}
    services.save_draft(actor=None, definition=definition, source="")
    services.publish(actor=None, key=definition["key"])
    case_services.assign_pipeline(
        actor=None, specification=spec, pipeline=Pipeline.objects.get(key=definition["key"])
    )
    case = case_services.start_case(candidate=people["candidate"], specification=spec)

    for _ in range(40):
        tasks = open_tasks(case)
        if not tasks:
            break
        case.refresh_from_db()
        user, result = _script(data, case, tasks[0], people)
        take_and_complete(tasks[0], user, result)
    case.refresh_from_db()

    assert case.status == PROCESS.DONE
    plan = case.plan_model
    assert case.outcome in {"full", "partial", "none"}
    assert plan.decision.id in case.results
    for index, step in enumerate(plan.steps):
        earlier = {k: v for k, v in case.results.items() if plan.index_of(k) < index}
        assert (step.id in case.results) == schema.evaluate_when(step.when, earlier), step.id
    assert case.data.get("credential_due", False) == (case.outcome == "full")
