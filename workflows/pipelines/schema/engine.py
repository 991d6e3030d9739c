"""The pure functions the engine reads from a plan: conditions, the next step, supervision."""

import operator as op
from collections.abc import Callable, Collection, Mapping
from typing import Any

from django.utils.translation import gettext as _

from credentials.catalogue.vocabularies import Supervision
from workflows.pipelines.schema.conditions import AllOf, AnyOf, Comparison
from workflows.pipelines.schema.errors import format_value
from workflows.pipelines.schema.kinds import IdentityMethod, Operator
from workflows.pipelines.schema.models import (
    IdentityCheckStep,
    InterviewStep,
    ObservationStep,
    PipelinePlan,
    TestStep,
)

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    Operator.EQ: op.eq,
    Operator.NE: op.ne,
    Operator.LT: op.lt,
    Operator.LE: op.le,
    Operator.GT: op.gt,
    Operator.GE: op.ge,
}


def evaluate_when(condition: Any, results: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether ``condition`` holds for ``results`` ({step id: {measure: value}}); no code is run.

    ``None`` (no condition) holds. A comparison on a step or measure missing from ``results``
    (a skipped step) is false, whatever its operator; so is one whose types do not compare.
    """
    if condition is None:
        return True
    if isinstance(condition, AllOf):
        return all(evaluate_when(item, results) for item in condition.all_of)
    if isinstance(condition, AnyOf):
        return any(evaluate_when(item, results) for item in condition.any_of)
    if not isinstance(condition, Comparison):
        raise TypeError(f"Not a condition: {condition!r}")
    step_results = results.get(condition.step)
    if not isinstance(step_results, Mapping) or condition.measure not in step_results:
        return False
    actual = step_results[condition.measure]
    if actual is None:
        return False
    expected = condition.value
    if isinstance(expected, bool) != isinstance(actual, bool):
        return False
    try:
        return bool(_OPERATORS[condition.operator](actual, expected))
    except TypeError:
        return False


def next_step_index(
    plan: PipelinePlan, cursor_index: int | None, results: Mapping[str, Mapping[str, Any]]
) -> int | None:
    """The index of the next step after ``cursor_index`` whose ``when`` holds, or ``None``."""
    start = 0 if cursor_index is None else cursor_index + 1
    for index in range(max(start, 0), len(plan.steps)):
        if evaluate_when(plan.steps[index].when, results):
            return index
    return None


def next_step(
    plan: PipelinePlan, cursor_index: int | None, results: Mapping[str, Mapping[str, Any]]
):
    """The next step to run after ``cursor_index`` (``None``/-1: before the first), or ``None``."""
    index = next_step_index(plan, cursor_index, results)
    return None if index is None else plan.steps[index]


def supervision_mode(plan: PipelinePlan, ran_steps: Collection[str] | None = None) -> Supervision:
    """The EU "supervision and identity verification" value for a plan (or the steps a case ran)."""
    steps = [step for step in plan.steps if ran_steps is None or step.id in ran_steps]
    methods = {step.method for step in steps if isinstance(step, IdentityCheckStep)}
    if IdentityMethod.IN_PERSON in methods:
        return Supervision.SUPERVISED_ONSITE_WITH_ID
    if methods:
        return Supervision.SUPERVISED_ONLINE_WITH_ID
    supervised = any(
        isinstance(step, InterviewStep | ObservationStep)
        or (isinstance(step, TestStep) and step.supervised)
        for step in steps
    )
    return Supervision.SUPERVISED_NO_ID if supervised else Supervision.UNSUPERVISED_NO_ID


_SYMBOLS = {
    Operator.EQ: "=",
    Operator.NE: "≠",
    Operator.LT: "<",
    Operator.LE: "≤",
    Operator.GT: ">",
    Operator.GE: "≥",
}


def describe_condition(condition: Any) -> str:
    """A short readable form, e.g. ``portfolio.score_mean ≥ 2 and portfolio.score_mean < 3``."""
    if condition is None:
        return ""
    if isinstance(condition, Comparison):
        return (
            f"{condition.step}.{condition.measure} {_SYMBOLS[condition.operator]} "
            f"{format_value(condition.value)}"
        )
    if isinstance(condition, AllOf):
        parts = [_grouped(item) for item in condition.all_of]
        return (" " + _("and") + " ").join(parts)
    parts = [_grouped(item) for item in condition.any_of]
    return (" " + _("or") + " ").join(parts)


def _grouped(condition: Any) -> str:
    text = describe_condition(condition)
    return f"({text})" if isinstance(condition, AllOf | AnyOf) else text


def condition_steps(condition: Any) -> set[str]:
    """The step ids a condition reads."""
    if condition is None:
        return set()
    if isinstance(condition, Comparison):
        return {condition.step}
    items = condition.all_of if isinstance(condition, AllOf) else condition.any_of
    return set().union(*(condition_steps(item) for item in items))
