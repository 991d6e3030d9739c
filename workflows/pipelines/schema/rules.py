"""The cross-step rules one setting alone cannot express: order, references, thresholds.

They also check each condition's step, measure and value. They read raw data, so one wrong part
does not hide the others.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from assessments.scoresheets.rubric import Rubric
from workflows.pipelines.schema.conditions import Comparison
from workflows.pipelines.schema.errors import PipelineError, format_value, join_values
from workflows.pipelines.schema.kinds import (
    ASSESSMENT_KINDS,
    MEASURES,
    SCORED_KINDS,
    DecidedBy,
    MeasureType,
    Operator,
    StepKind,
    step_measures,
)
from workflows.pipelines.schema.limits import MAX_CONDITION_DEPTH


def _raw_str(raw: Any, name: str) -> str | None:
    if isinstance(raw, Mapping):
        value = raw.get(name)
        if isinstance(value, str):
            return value
    return None


_INVALID = object()  # a setting that is present but wrong; its own error is reported elsewhere


def _ok(value: Any) -> bool:
    return value is not None and value is not _INVALID


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass
class _Facts:
    """What the cross-step rules need from one step, read from raw data that may be partly wrong."""

    kind: str | None
    assessors: Any = 1
    rubric: Any = None
    pass_scores: dict[str, float] = field(default_factory=dict)
    moderation_divergence: Any = None
    decided_by: Any = DecidedBy.DECISION_MAKER
    panel_size: Any = None


def _facts(raw: Any) -> _Facts:
    kind = _raw_str(raw, "kind")
    if not isinstance(raw, Mapping):
        return _Facts(kind=None)

    def sub(model: type[BaseModel], name: str) -> Any:
        if raw.get(name) is None:
            return None
        try:
            return model.model_validate(raw[name])
        except ValidationError:
            return _INVALID

    def value(name: str, default: Any, valid: Callable[[Any], bool]) -> Any:
        if raw.get(name) is None:
            return default
        return raw[name] if valid(raw[name]) else _INVALID

    return _Facts(
        kind=kind,
        assessors=value("assessors", 1, lambda v: type(v) is int and 1 <= v <= 3),
        rubric=sub(Rubric, "rubric"),
        pass_scores={
            name: score
            for name, score in (raw.get("pass_rule") or {}).items()
            if name in ("outcome_min_score", "min_score_mean") and _is_number(score)
        }
        if isinstance(raw.get("pass_rule"), Mapping)
        else {},
        moderation_divergence=value(
            "moderation_divergence", None, lambda v: _is_number(v) and v > 0
        ),
        decided_by=value("decided_by", DecidedBy.DECISION_MAKER, lambda v: v in set(DecidedBy)),
        panel_size=value("panel_size", None, lambda v: type(v) is int and 2 <= v <= 5),
    )


def _bounds_of(facts: _Facts, measure: str) -> tuple[float, float] | None:
    if measure == "score_percent":
        return (0, 100)
    if measure == "outcomes_passed_ratio":
        return (0, 1)
    rubric = facts.rubric
    if measure in ("score_mean", "divergence") and _ok(rubric) and rubric.max > rubric.min:
        return (rubric.min, rubric.max) if measure == "score_mean" else (0, rubric.range)
    return None


def measure_bounds(step: Any, measure: str) -> tuple[float, float] | None:
    """The lowest and highest value a numeric measure of ``step`` can take (``None``: unbounded)."""
    if measure not in step_measures(step.kind):
        return None
    return _bounds_of(_facts(step.model_dump(mode="json", exclude_none=True)), measure)


def rule_errors(raw_steps: list[Any]) -> list[PipelineError]:  # noqa: C901
    """The rules one setting alone cannot express: order, references, thresholds."""
    errors: list[PipelineError] = []

    def add(path, message):
        errors.append(PipelineError(path=path, message=message))

    count = len(raw_steps)
    if count == 0:
        add(
            "steps",
            _(
                "The pipeline has no steps: add at least one assessment step (evidence_review, "
                "test, interview or observation) and a decision at the end."
            ),
        )
        return errors
    ids = [_raw_str(raw, "id") for raw in raw_steps]
    facts = [_facts(raw) for raw in raw_steps]
    kinds = [fact.kind for fact in facts]

    first_index: dict[str, int] = {}
    for index, step_id in enumerate(ids):
        if step_id is None:
            continue
        if step_id in first_index:
            add(
                f"steps[{index}].id",
                _(
                    "The id '%(id)s' is already used by steps[%(first)d]: give every step its "
                    "own id."
                )
                % {"id": step_id, "first": first_index[step_id]},
            )
        else:
            first_index[step_id] = index

    decisions = [index for index, kind in enumerate(kinds) if kind == StepKind.DECISION]
    if not decisions:
        add("steps", _("The pipeline has no decision: add a step of kind decision at the end."))
    else:
        last = decisions[-1]
        for index in decisions[:-1]:
            add(
                f"steps[{index}].kind",
                _(
                    "A pipeline has exactly one decision and steps[%(last)d] is one already: "
                    "remove this step or change its kind."
                )
                % {"last": last},
            )
        if last != count - 1:
            add(
                f"steps[{last}].kind",
                _(
                    "The decision must be the last step: move it after '%(after)s', or remove the "
                    "steps that follow it."
                )
                % {"after": ids[-1] or f"steps[{count - 1}]"},
            )
        before = kinds[:last]
        if None not in before and not any(kind in ASSESSMENT_KINDS for kind in before):
            add(
                "steps",
                _(
                    "Nothing assesses the candidate before the decision: add an evidence_review, "
                    "test, interview or observation step before it."
                ),
            )

    for index, raw in enumerate(raw_steps):
        path = f"steps[{index}]"
        errors.extend(_setting_errors(facts[index], path))
        when = raw.get("when") if isinstance(raw, Mapping) else None
        if when is None:
            continue
        if kinds[index] == StepKind.DECISION:
            add(f"{path}.when", _("The decision always runs: remove its condition."))
        else:
            _condition_errors(when, f"{path}.when", index, ids, facts, 1, add)
    return errors


def _setting_errors(facts: _Facts, path: str) -> list[PipelineError]:
    errors = []

    def add(suffix, message):
        errors.append(PipelineError(path=f"{path}.{suffix}", message=message))

    if facts.kind in SCORED_KINDS:
        rubric = facts.rubric
        divergence = facts.moderation_divergence
        if _ok(divergence) and facts.assessors == 1:
            add(
                "moderation_divergence",
                _(
                    "Moderation compares two or more assessors: set assessors to 2 or 3, or "
                    "remove moderation_divergence."
                ),
            )
            divergence = None
        if _ok(rubric):
            scale = {"min": rubric.min, "max": rubric.max}
            if rubric.max <= rubric.min:
                add(
                    "rubric.max",
                    _(
                        "The rubric's max (%(max)s) must be greater than its min (%(min)s): "
                        "raise max or lower min."
                    )
                    % scale,
                )
                return errors
            for name, score in facts.pass_scores.items():
                if not rubric.min <= score <= rubric.max:
                    add(
                        f"pass_rule.{name}",
                        _(
                            "A pass score of %(value)s can never be reached on a rubric from "
                            "%(min)s to %(max)s: set it between %(min)s and %(max)s."
                        )
                        % {"value": format_value(score), **scale},
                    )
            if _ok(divergence) and divergence > rubric.range:
                add(
                    "moderation_divergence",
                    _(
                        "A divergence of %(value)s can never happen on a rubric from %(min)s to "
                        "%(max)s: use a number greater than 0 and at most %(range)s."
                    )
                    % {"value": format_value(divergence), "range": rubric.range, **scale},
                )
    if facts.kind == StepKind.DECISION:
        if facts.decided_by == DecidedBy.PANEL and facts.panel_size is None:
            add(
                "panel_size",
                _("A panel decision needs panel_size: the number of members, from 2 to 5."),
            )
        if facts.decided_by == DecidedBy.DECISION_MAKER and _ok(facts.panel_size):
            add(
                "panel_size",
                _("panel_size applies only to a panel: remove it, or set decided_by to panel."),
            )
    return errors


_IMPOSSIBLE = {
    Operator.LT: lambda value, low, high: value <= low,
    Operator.LE: lambda value, low, high: value < low,
    Operator.GT: lambda value, low, high: value >= high,
    Operator.GE: lambda value, low, high: value > high,
}


def _condition_errors(condition, path, index, ids, facts, depth, add):  # noqa: C901
    """Check a raw condition piece by piece, so one bad part does not hide the others."""
    if isinstance(condition, Mapping) and ("all_of" in condition or "any_of" in condition):
        if depth > MAX_CONDITION_DEPTH:
            add(
                path,
                _(
                    "Conditions nest at most %(max)d levels of all_of and any_of: simplify this "
                    "condition."
                )
                % {"max": MAX_CONDITION_DEPTH},
            )
            return
        name = "all_of" if "all_of" in condition else "any_of"
        items = condition[name]
        if isinstance(items, list):
            for position, item in enumerate(items):
                _condition_errors(
                    item, f"{path}.{name}[{position}]", index, ids, facts, depth + 1, add
                )
        return
    try:
        comparison = Comparison.model_validate(condition)
    except ValidationError:
        return  # its shape is reported with the structural errors

    earlier = [step_id for step_id in ids[:index] if step_id]
    here = join_values(earlier) if earlier else _("none: the first step cannot have a condition")
    target = comparison.step
    params = {"step": target, "earlier": here}
    if target == ids[index]:
        add(
            f"{path}.step",
            _(
                "A step's condition cannot use its own result: refer to a step that comes earlier "
                "(here: %(earlier)s)."
            )
            % params,
        )
        return
    if target not in earlier:
        if target in ids[index + 1 :]:
            message = _(
                "Step '%(step)s' is referenced before it runs: a condition may only use steps "
                "that come earlier (here: %(earlier)s)."
            )
        else:
            message = _(
                "There is no step '%(step)s': a condition may only use steps that come earlier "
                "(here: %(earlier)s)."
            )
        add(f"{path}.step", message % params)
        return

    ref = facts[max(position for position in range(index) if ids[position] == target)]
    if ref.kind not in MEASURES:
        return  # the referenced step's kind is wrong; that is reported on its own
    measures = MEASURES[ref.kind]
    measure = comparison.measure
    mtype = measures.get(measure)
    if mtype is None:
        add(
            f"{path}.measure",
            _("Step '%(step)s' (%(kind)s) does not produce '%(measure)s': use one of %(allowed)s.")
            % {
                "step": target,
                "kind": ref.kind,
                "measure": measure,
                "allowed": join_values(measures),
            },
        )
        return
    value = comparison.value
    mparams = {"measure": measure, "step": target}
    if mtype == MeasureType.BOOLEAN:
        if comparison.operator not in (Operator.EQ, Operator.NE):
            add(
                f"{path}.operator",
                _("'%(measure)s' is true or false: compare it with eq or ne.") % mparams,
            )
        if not isinstance(value, bool):
            add(
                f"{path}.value",
                _("'%(measure)s' is true or false: set the value to true or false.") % mparams,
            )
        return

    if measure == "divergence" and ref.assessors == 1:
        add(
            f"{path}.measure",
            _(
                "Step '%(step)s' has a single assessor, so it has no divergence: give it 2 or 3 "
                "assessors, or compare another measure."
            )
            % mparams,
        )
        return
    bounds = _bounds_of(ref, measure)
    if not _is_number(value):
        low, high = bounds or (None, None)
        if bounds:
            message = _(
                "'%(measure)s' is a number: set the value to a number from %(low)s to %(high)s."
            )
        else:
            message = _("'%(measure)s' is a number: set the value to a number.")
        add(
            f"{path}.value",
            message % {**mparams, "low": format_value(low), "high": format_value(high)},
        )
        return
    if bounds is None:
        return
    low, high = bounds
    rparams = {
        **mparams,
        "low": format_value(low),
        "high": format_value(high),
        "value": format_value(value),
    }
    if not low <= value <= high:
        add(
            f"{path}.value",
            _(
                "%(value)s is outside the range of '%(measure)s' of step '%(step)s' (%(low)s to "
                "%(high)s): choose a value within it."
            )
            % rparams,
        )
        return
    impossible = _IMPOSSIBLE.get(comparison.operator)
    if impossible and impossible(value, low, high):
        add(
            f"{path}.value",
            _(
                "This comparison can never hold: '%(measure)s' of step '%(step)s' runs from "
                "%(low)s to %(high)s. Change the operator or the value."
            )
            % rparams,
        )
