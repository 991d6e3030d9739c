"""Pipelines as data: the schema, its validation, and the pure functions the engine reads.

A pipeline is a mapping ``{key, title, steps}``; ``steps`` is an ordered list of steps, each of
a known ``kind`` with its own settings, an optional ``when`` condition on earlier steps' results
and an optional ``deadline``. Nothing in a pipeline is ever evaluated as code: conditions are
structured data (step, measure, operator, value; ``all_of`` / ``any_of``) read by ``evaluate_when``.

The package is framework-free apart from Django's gettext: messages are in the active language.
Import it as ``from workflows.pipelines import schema`` and use ``schema.X``. Its modules:

- ``limits``: sizes and the slug pattern; ``kinds``: step kinds, the other enums, ``MEASURES``.
- ``parts``, ``conditions``, ``models``: the pydantic models, from texts and deadlines to the plan.
- ``errors``: ``PipelineError``; ``messages``: pydantic errors as located, translated messages.
- ``rules``: the cross-step rules; ``validation``: ``validate_pipeline``, ``load_trusted``.
- ``text``: parsing and dumping YAML and JSON; ``engine``: the pure functions the engine reads.

Validation
----------
``check_text(text, fmt=None) -> (PipelinePlan | None, list[PipelineError])``
    Parse YAML or JSON (syntax errors carry line numbers) and validate; errors get a ``line``
    when the source can be located.
``parse_text(text, fmt=None) -> (data | None, list[PipelineError])``
    Parse only. YAML is read with a safe loader that also refuses aliases and duplicate keys.
``validate_pipeline(data) -> (PipelinePlan | None, list[PipelineError])``
    Validate parsed data. Every ``PipelineError`` has a ``path`` such as ``steps[2].when.step``
    and a ``message`` that says what to do. The plan is returned only when there are no errors.
``to_data(plan) -> dict`` / ``dump_yaml(data)`` / ``dump_json(data)``
    The normalised form (defaults filled in, keys in a fixed order) stored and exported.

API for the engine
------------------
``PipelinePlan`` (an immutable pydantic model):
    ``.key``, ``.title`` (``LocalizedText``; ``.title.text()`` in the active language),
    ``.steps`` (in order), ``.step(step_id)``, ``.index_of(step_id)``, ``.decision`` (the last).
Every step has ``.id``, ``.kind`` (a ``StepKind`` value), ``.title`` (``LocalizedText | None``),
``.when`` (``Condition | None``), ``.deadline`` (``Deadline | None``: ``.days``,
``.escalate_to``) and typed settings per kind:

- ``IdentityCheckStep``: ``method`` (``IdentityMethod``).
- ``EvidenceReviewStep``: ``assessors`` (1-3), ``blind``, ``rubric`` (``Rubric``: ``min``, ``max``),
  ``pass_rule`` (``PassRule``), ``moderation_divergence`` (``float | None``),
  ``evidence_requests`` (rounds of "more evidence please" allowed).
- ``TestStep``: ``question_bank``, ``questions``, ``time_limit_minutes`` (``None``: untimed),
  ``pass_mark_percent``, ``attempts``, ``supervised``.
- ``InterviewStep`` and ``ObservationStep``: ``assessors``, ``rubric``, ``pass_rule``.
- ``DecisionStep``: ``decided_by`` (``DecidedBy``), ``panel_size`` (only for a panel),
  ``partial_recognition``.

``PassRule``: an outcome passes when its score (the mean of the assessors' scores) is at least
``outcome_min_score``; the step passes when at least ``min_outcomes_passed_ratio`` of the outcomes
pass and, if set, the mean over all outcomes is at least ``min_score_mean``. Moderation is called in
when the largest difference between two assessors' scores on one outcome is at least
``moderation_divergence``.

A condition is a ``Comparison`` (``.step``, ``.measure``, ``.operator``, ``.value``), an ``AllOf``
(``.all_of``) or an ``AnyOf`` (``.any_of``). The measures each kind produces are in ``MEASURES``
(``step_measures(kind)``):

- identity_check: ``verified`` (bool)
- evidence_review: ``score_mean``, ``outcomes_passed_ratio`` (0-1), ``passed`` (bool),
  ``divergence``
- test: ``score_percent`` (0-100), ``passed`` (bool)
- interview, observation: ``score_mean``, ``passed`` (bool)

``evaluate_when(condition, results) -> bool``
    ``results`` maps step id to ``{measure: value}``. ``None`` holds. A comparison whose step or
    measure is missing from ``results`` (the step was skipped) is false, whatever the operator.
``next_step(plan, cursor_index, results) -> Step | None``
    The first step after ``cursor_index`` (the index of the step just finished; ``None`` or -1
    before the first step) whose ``when`` holds; ``None`` after the decision. The decision never has
    a condition, so a case always reaches it.
``next_step_index(plan, cursor_index, results) -> int | None``
    The same, as an index into ``plan.steps``.
``supervision_mode(plan, ran_steps=None) -> Supervision``
    The EU "supervision and identity verification" element: an identity check in person gives
    ``SUPERVISED_ONSITE_WITH_ID``; by video, electronic ID or document ``SUPERVISED_ONLINE_WITH_ID``
    (an identity officer verifies the person remotely); with no identity check, a supervised test,
    an interview or an observation gives ``SUPERVISED_NO_ID``, otherwise ``UNSUPERVISED_NO_ID``.
    Pass ``ran_steps`` (ids of the steps a case actually ran) to account for skipped steps.
``describe_condition(condition) -> str``
    A short human-readable form for pages.
"""

from workflows.pipelines.schema.conditions import AllOf, AnyOf, Comparison, Condition
from workflows.pipelines.schema.engine import (
    condition_steps,
    describe_condition,
    evaluate_when,
    next_step,
    next_step_index,
    supervision_mode,
)
from workflows.pipelines.schema.errors import PipelineError, format_value
from workflows.pipelines.schema.kinds import (
    ASSESSMENT_KINDS,
    ESCALATION_LABELS,
    MEASURES,
    SCORED_KINDS,
    STEP_KIND_LABELS,
    DecidedBy,
    EscalateTo,
    IdentityMethod,
    MeasureType,
    Operator,
    StepKind,
    step_measures,
)
from workflows.pipelines.schema.limits import (
    MAX_CONDITION_DEPTH,
    MAX_CONDITION_ITEMS,
    MAX_NESTING,
    MAX_SOURCE_CHARS,
    MAX_STEPS,
    SLUG_PATTERN,
)
from workflows.pipelines.schema.models import (
    STEP_CLASSES,
    DecisionStep,
    EvidenceReviewStep,
    IdentityCheckStep,
    InterviewStep,
    ObservationStep,
    PipelinePlan,
    Step,
    TestStep,
    field_order,
)
from workflows.pipelines.schema.parts import Deadline, LocalizedText
from workflows.pipelines.schema.rules import measure_bounds
from workflows.pipelines.schema.text import (
    check_text,
    detect_format,
    dump_json,
    dump_yaml,
    parse_text,
    to_data,
)
from workflows.pipelines.schema.validation import load_trusted, validate_pipeline

__all__ = [
    "ASSESSMENT_KINDS",
    "ESCALATION_LABELS",
    "MAX_CONDITION_DEPTH",
    "MAX_CONDITION_ITEMS",
    "MAX_NESTING",
    "MAX_SOURCE_CHARS",
    "MAX_STEPS",
    "MEASURES",
    "SCORED_KINDS",
    "SLUG_PATTERN",
    "STEP_CLASSES",
    "STEP_KIND_LABELS",
    "AllOf",
    "AnyOf",
    "Comparison",
    "Condition",
    "Deadline",
    "DecidedBy",
    "DecisionStep",
    "EscalateTo",
    "EvidenceReviewStep",
    "IdentityCheckStep",
    "IdentityMethod",
    "InterviewStep",
    "LocalizedText",
    "MeasureType",
    "ObservationStep",
    "Operator",
    "PipelineError",
    "PipelinePlan",
    "Step",
    "StepKind",
    "TestStep",
    "check_text",
    "condition_steps",
    "describe_condition",
    "detect_format",
    "dump_json",
    "dump_yaml",
    "evaluate_when",
    "field_order",
    "format_value",
    "load_trusted",
    "measure_bounds",
    "next_step",
    "next_step_index",
    "parse_text",
    "step_measures",
    "supervision_mode",
    "to_data",
    "validate_pipeline",
]
