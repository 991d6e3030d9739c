"""The pure functions the engine reads: evaluate_when, next_step, supervision_mode."""

import pytest

from credentials.catalogue.vocabularies import Supervision
from tests.factories.pipelines import PIPELINE_FILES
from workflows.pipelines import schema


def demo(name):
    plan, errors = schema.check_text((PIPELINE_FILES / f"{name}.yaml").read_text(encoding="utf-8"))
    assert errors == []
    return plan


def comparison(step="portfolio", measure="score_mean", operator="lt", value=3):
    return schema.Comparison(step=step, measure=measure, operator=operator, value=value)


@pytest.mark.parametrize(
    ("operator", "actual", "expected"),
    [
        ("eq", 3, True),
        ("eq", 2.5, False),
        ("ne", 2.5, True),
        ("lt", 2.9, True),
        ("lt", 3, False),
        ("le", 3, True),
        ("gt", 3, False),
        ("gt", 3.5, True),
        ("ge", 3, True),
    ],
)
def test_it_compares_with_each_operator(operator, actual, expected):
    condition = comparison(operator=operator, value=3)
    assert schema.evaluate_when(condition, {"portfolio": {"score_mean": actual}}) is expected


@pytest.mark.parametrize("operator", list(schema.Operator))
def test_it_makes_a_comparison_on_a_skipped_step_false(operator):
    condition = comparison(operator=operator)
    assert schema.evaluate_when(condition, {}) is False
    assert schema.evaluate_when(condition, {"portfolio": {}}) is False
    assert schema.evaluate_when(condition, {"portfolio": {"score_mean": None}}) is False


def test_it_never_mixes_true_false_with_numbers():
    condition = comparison(measure="passed", operator="eq", value=True)
    assert schema.evaluate_when(condition, {"portfolio": {"passed": 1}}) is False
    assert schema.evaluate_when(condition, {"portfolio": {"passed": True}}) is True
    text = comparison(operator="lt", value=3)
    assert schema.evaluate_when(text, {"portfolio": {"score_mean": "2"}}) is False


def test_it_combines_all_of_and_any_of():
    low = comparison(operator="lt", value=3)
    high = comparison(operator="ge", value=2)
    verified = comparison(step="identity", measure="verified", operator="eq", value=True)
    borderline = schema.AllOf(all_of=[low, high])
    either = schema.AnyOf(any_of=[borderline, verified])
    assert schema.evaluate_when(borderline, {"portfolio": {"score_mean": 2.5}})
    assert not schema.evaluate_when(borderline, {"portfolio": {"score_mean": 3.5}})
    assert schema.evaluate_when(
        either, {"portfolio": {"score_mean": 3.5}, "identity": {"verified": True}}
    )
    assert not schema.evaluate_when(either, {"portfolio": {"score_mean": 3.5}})
    assert schema.evaluate_when(None, {})


def test_it_reads_no_code_from_a_condition():
    condition = comparison(value="__import__('os').system('false')", operator="eq")
    assert schema.evaluate_when(condition, {"portfolio": {"score_mean": 2}}) is False


def run(plan, results):
    order, cursor = [], None
    while (step := schema.next_step(plan, cursor, results)) is not None:
        order.append(step.id)
        cursor = plan.index_of(step.id)
    return order


def test_it_asks_for_an_interview_only_when_the_portfolio_is_borderline():
    plan = demo("agile-pm")
    assert run(plan, {"portfolio": {"score_mean": 2.4}}) == [
        "identity",
        "portfolio",
        "interview",
        "panel",
    ]
    assert run(plan, {"portfolio": {"score_mean": 3.2}}) == ["identity", "portfolio", "panel"]
    assert run(plan, {"portfolio": {"score_mean": 1.0}}) == ["identity", "portfolio", "panel"]


def test_it_skips_the_welding_steps_that_depend_on_a_failed_one():
    plan = demo("welding-mig-mag")
    everything = {"identity": {"verified": True}, "practical": {"passed": True}}
    assert run(plan, everything) == ["identity", "practical", "theory", "decision"]
    failed = {"identity": {"verified": True}, "practical": {"passed": False}}
    assert run(plan, failed) == ["identity", "practical", "decision"]
    assert run(plan, {"identity": {"verified": False}}) == ["identity", "decision"]


def test_it_moves_the_cursor_from_any_index():
    plan = demo("python-basics")
    assert schema.next_step(plan, None, {}).id == "portfolio"
    assert schema.next_step(plan, -1, {}).id == "portfolio"
    assert schema.next_step_index(plan, 0, {}) == 1
    assert schema.next_step(plan, 2, {}) is None
    assert plan.step("decision") is plan.decision
    with pytest.raises(KeyError):
        plan.index_of("nowhere")


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("python-basics", Supervision.UNSUPERVISED_NO_ID),
        ("agile-pm", Supervision.SUPERVISED_ONLINE_WITH_ID),
        ("welding-mig-mag", Supervision.SUPERVISED_ONSITE_WITH_ID),
    ],
)
def test_it_maps_the_identity_check_to_the_supervision_element(name, mode):
    assert schema.supervision_mode(demo(name)) == mode


def test_it_counts_only_the_steps_a_case_ran_for_supervision():
    plan = demo("welding-mig-mag")
    assert schema.supervision_mode(plan, ran_steps={"practical", "decision"}) == (
        Supervision.SUPERVISED_NO_ID
    )
    assert schema.supervision_mode(plan, ran_steps={"decision"}) == (Supervision.UNSUPERVISED_NO_ID)


@pytest.mark.parametrize(
    ("method", "mode"),
    [
        ("document", Supervision.SUPERVISED_ONLINE_WITH_ID),
        ("video", Supervision.SUPERVISED_ONLINE_WITH_ID),
        ("electronic_id", Supervision.SUPERVISED_ONLINE_WITH_ID),
        ("in_person", Supervision.SUPERVISED_ONSITE_WITH_ID),
    ],
)
def test_it_maps_each_identity_method(method, mode):
    data = schema.to_data(demo("agile-pm"))
    data["steps"][0]["method"] = method
    plan, _ = schema.validate_pipeline(data)
    assert schema.supervision_mode(plan) == mode


def test_it_describes_conditions_for_people():
    plan = demo("agile-pm")
    assert schema.describe_condition(plan.step("interview").when) == (
        "portfolio.score_mean ≥ 2 and portfolio.score_mean < 3"
    )
    assert schema.condition_steps(plan.step("interview").when) == {"portfolio"}


def test_it_gives_the_engine_typed_settings():
    plan = demo("agile-pm")
    portfolio = plan.step("portfolio")
    assert portfolio.kind == schema.StepKind.EVIDENCE_REVIEW
    assert (portfolio.assessors, portfolio.blind, portfolio.moderation_divergence) == (2, True, 1.5)
    assert portfolio.deadline.escalate_to == schema.EscalateTo.ASSESSOR_POOL
    assert plan.step("identity").method is schema.IdentityMethod.VIDEO
    assert plan.decision.panel_size == 3
    assert schema.measure_bounds(portfolio, "divergence") == (0, 4)
    assert plan.title.text("pl") == "Zwinne zarządzanie projektami"
    with pytest.raises(ValueError, match="frozen"):
        portfolio.assessors = 3
