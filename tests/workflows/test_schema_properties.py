"""Property-based: generated valid pipelines pass; each generated mistake is refused at its path."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workflows import strategies
from workflows.pipelines import schema

FAST = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@FAST
@given(strategies.valid_pipelines())
def test_it_accepts_every_generated_valid_pipeline(data):
    plan, errors = schema.validate_pipeline(data)
    assert errors == [], errors
    assert [step.id for step in plan.steps] == [step["id"] for step in data["steps"]]
    assert plan.decision is plan.steps[-1]


@FAST
@given(strategies.valid_pipelines())
def test_it_round_trips_the_normalised_form_through_yaml_and_json(data):
    plan, _ = schema.validate_pipeline(data)
    normalised = schema.to_data(plan)
    for text in (schema.dump_yaml(normalised), schema.dump_json(normalised)):
        again, errors = schema.check_text(text)
        assert errors == []
        assert again == plan
        assert schema.to_data(again) == normalised


@pytest.mark.parametrize("mutation", strategies.MUTATIONS, ids=lambda m: m.__name__)
@settings(FAST, max_examples=15)
@given(data=st.data())
def test_it_refuses_every_generated_mistake_at_its_path(mutation, data):
    pipeline = data.draw(strategies.valid_pipelines())
    path = mutation(data.draw, pipeline)
    plan, errors = schema.validate_pipeline(pipeline)
    assert plan is None
    paths = [error.path for error in errors]
    assert path in paths, errors
    for error in errors:
        assert error.message and "Input should" not in error.message


def _results_for(draw, plan):
    """Random results for some steps; skipped steps simply have none."""
    results = {}
    for step in plan.steps[:-1]:
        if not draw(st.booleans()):
            continue
        values = {}
        for measure, kind in schema.step_measures(step.kind).items():
            if kind == schema.MeasureType.BOOLEAN:
                values[measure] = draw(st.booleans())
            else:
                low, high = schema.measure_bounds(step, measure) or (0, 10)
                values[measure] = draw(st.floats(low, high, allow_nan=False))
        results[step.id] = values
    return results


@FAST
@given(strategies.valid_pipelines(), st.data())
def test_it_always_reaches_the_decision_moving_forward(data, draw):
    plan, _ = schema.validate_pipeline(data)
    results = _results_for(draw.draw, plan)
    visited = []
    cursor = None
    while (step := schema.next_step(plan, cursor, results)) is not None:
        index = plan.index_of(step.id)
        assert cursor is None or index > cursor
        assert schema.evaluate_when(step.when, results)
        visited.append(index)
        cursor = index
    assert visited[-1] == len(plan.steps) - 1
    skipped = set(range(len(plan.steps))) - set(visited)
    assert all(not schema.evaluate_when(plan.steps[i].when, results) for i in skipped)
