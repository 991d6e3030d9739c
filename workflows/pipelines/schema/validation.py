"""Validating parsed data into a plan, and loading stored plans."""

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from pydantic import ValidationError

from workflows.pipelines.schema.errors import PipelineError, found_text
from workflows.pipelines.schema.limits import MAX_NESTING, MAX_STEPS, SKIP_RULES
from workflows.pipelines.schema.messages import from_validation_error
from workflows.pipelines.schema.models import PipelinePlan
from workflows.pipelines.schema.rules import rule_errors


def _nesting_exceeds(data: Any, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, Mapping):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list | tuple):
            stack.extend((value, depth + 1) for value in node)
    return False


def too_deep_error() -> PipelineError:
    return PipelineError(
        path="",
        message=_(
            "The text nests lists and mappings more than %(max)d levels deep: a pipeline never "
            "needs that many. Simplify the conditions."
        )
        % {"max": MAX_NESTING},
    )


def step_sort_key(error: PipelineError) -> int:
    match = re.match(r"steps\[(\d+)\]", error.path)
    return int(match.group(1)) if match else -1


def validate_pipeline(data: Any) -> tuple[PipelinePlan | None, list[PipelineError]]:
    """Validate parsed data; return the plan, or ``None`` and every error with its path."""
    if not isinstance(data, Mapping):
        return None, [
            PipelineError(
                path="",
                message=_("A pipeline is a mapping with key, title and steps (found %(found)s).")
                % {"found": found_text(data)},
            )
        ]
    if _nesting_exceeds(data, MAX_NESTING):
        return None, [too_deep_error()]
    errors: list[PipelineError] = []
    plan = None
    try:
        plan = PipelinePlan.model_validate(data, context={SKIP_RULES: True})
    except ValidationError as exc:
        errors.extend(from_validation_error(exc))

    raw_steps = data.get("steps")
    if isinstance(raw_steps, list) and len(raw_steps) <= MAX_STEPS:
        errors.extend(rule_errors(raw_steps))

    unique = list(dict.fromkeys(errors))
    unique.sort(key=step_sort_key)
    if unique:
        return None, unique
    return plan, []


def load_trusted(data: Mapping) -> PipelinePlan:
    """Build a plan from a stored definition that passed validation when it was saved.

    Structure is still checked; the cross-step rules are not re-applied, so a rule added later
    never makes a frozen version unreadable.
    """
    return PipelinePlan.model_validate(data, context={SKIP_RULES: True})
