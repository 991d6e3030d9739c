"""Pipelines as data: the schema, its validation, and the pure functions the engine reads.

A pipeline is a mapping ``{key, title, steps}``; ``steps`` is an ordered list of steps, each of
a known ``kind`` with its own settings, an optional ``when`` condition on earlier steps' results
and an optional ``deadline``. Nothing in a pipeline is ever evaluated as code: conditions are
structured data (step, measure, operator, value; ``all_of`` / ``any_of``) read by ``evaluate_when``.

This module is framework-free apart from Django's gettext: messages are in the active language.

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

import difflib
import json
import math
import operator as op
import re
import types
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from credentials.catalogue.vocabularies import Supervision

SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
MAX_STEPS = 30
MAX_CONDITION_DEPTH = 3
MAX_CONDITION_ITEMS = 10
MAX_SOURCE_CHARS = 100_000
MAX_NESTING = 32  # mappings and lists inside each other; a real pipeline needs about 12

# Passed as validation context to skip the cross-step rules: ``validate_pipeline`` reports them
# itself with paths, and ``load_plan`` trusts versions that were checked when they were saved.
SKIP_RULES = "skip_rules"


class StepKind(StrEnum):
    IDENTITY_CHECK = "identity_check"
    EVIDENCE_REVIEW = "evidence_review"
    TEST = "test"
    INTERVIEW = "interview"
    OBSERVATION = "observation"
    DECISION = "decision"


STEP_KIND_LABELS = {
    StepKind.IDENTITY_CHECK: gettext_lazy("Identity check"),
    StepKind.EVIDENCE_REVIEW: gettext_lazy("Evidence review"),
    StepKind.TEST: gettext_lazy("Test"),
    StepKind.INTERVIEW: gettext_lazy("Interview"),
    StepKind.OBSERVATION: gettext_lazy("Observation"),
    StepKind.DECISION: gettext_lazy("Decision"),
}

ASSESSMENT_KINDS = frozenset(
    {StepKind.EVIDENCE_REVIEW, StepKind.TEST, StepKind.INTERVIEW, StepKind.OBSERVATION}
)


class IdentityMethod(StrEnum):
    DOCUMENT = "document"
    IN_PERSON = "in_person"
    VIDEO = "video"
    ELECTRONIC_ID = "electronic_id"


class Operator(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"


class EscalateTo(StrEnum):
    ASSESSOR_POOL = "assessor_pool"
    DECISION_MAKER = "decision_maker"
    QUALITY_OFFICER = "quality_officer"
    ADMINISTRATOR = "administrator"


ESCALATION_LABELS = {
    EscalateTo.ASSESSOR_POOL: gettext_lazy("the assessor pool"),
    EscalateTo.DECISION_MAKER: gettext_lazy("the decision makers"),
    EscalateTo.QUALITY_OFFICER: gettext_lazy("the quality officers"),
    EscalateTo.ADMINISTRATOR: gettext_lazy("the administrators"),
}


class DecidedBy(StrEnum):
    DECISION_MAKER = "decision_maker"
    PANEL = "panel"


class MeasureType(StrEnum):
    NUMBER = "number"
    BOOLEAN = "boolean"


MEASURES: dict[str, dict[str, MeasureType]] = {
    StepKind.IDENTITY_CHECK: {"verified": MeasureType.BOOLEAN},
    StepKind.EVIDENCE_REVIEW: {
        "score_mean": MeasureType.NUMBER,
        "outcomes_passed_ratio": MeasureType.NUMBER,
        "passed": MeasureType.BOOLEAN,
        "divergence": MeasureType.NUMBER,
    },
    StepKind.TEST: {"score_percent": MeasureType.NUMBER, "passed": MeasureType.BOOLEAN},
    StepKind.INTERVIEW: {"score_mean": MeasureType.NUMBER, "passed": MeasureType.BOOLEAN},
    StepKind.OBSERVATION: {"score_mean": MeasureType.NUMBER, "passed": MeasureType.BOOLEAN},
    StepKind.DECISION: {},
}


def step_measures(kind: str) -> dict[str, MeasureType]:
    """The measures a step of ``kind`` produces, which later conditions may read."""
    return MEASURES.get(kind, {})


# --------------------------------------------------------------------------------------------
# The models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Slug = Annotated[str, Field(min_length=1, max_length=50, pattern=SLUG_PATTERN)]
Number = Annotated[float, AllowInfNan(False)]


def _enum(enum_cls):
    """An enum field that accepts its string values (strict mode alone would want enum members)."""
    return Annotated[enum_cls, Field(strict=False)]


class LocalizedText(_Model):
    """A short text in English and/or Polish; a plain string is taken as English."""

    en: str | None = Field(None, min_length=1, max_length=200)
    pl: str | None = Field(None, min_length=1, max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _plain_string_is_english(cls, data: Any) -> Any:
        return {"en": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _at_least_one(self):
        if not self.en and not self.pl:
            raise PydanticCustomError("text_empty", "Give the text in English or Polish")
        return self

    def text(self, language: str | None = None) -> str:
        """The text in ``language`` (default: the active one), falling back to the other."""
        if language is None:
            language = get_language() or "en"
        first, second = (self.pl, self.en) if language.startswith("pl") else (self.en, self.pl)
        return first or second or ""

    def __str__(self):
        return self.text()


class Rubric(_Model):
    """The scale every learning outcome is scored on, in whole points from ``min`` to ``max``."""

    min: int = Field(0, ge=0, le=100)
    max: int = Field(ge=1, le=100)

    @property
    def range(self) -> int:
        return self.max - self.min


class PassRule(_Model):
    outcome_min_score: Number
    min_outcomes_passed_ratio: Number = Field(1.0, gt=0, le=1)
    min_score_mean: Number | None = None


class Deadline(_Model):
    days: int = Field(ge=1, le=365)
    escalate_to: _enum(EscalateTo)


class Comparison(_Model):
    step: str = Field(min_length=1, max_length=50)
    measure: str = Field(min_length=1, max_length=50)
    operator: _enum(Operator)
    value: Any


class AllOf(_Model):
    all_of: list["Condition"] = Field(min_length=1, max_length=MAX_CONDITION_ITEMS)


class AnyOf(_Model):
    any_of: list["Condition"] = Field(min_length=1, max_length=MAX_CONDITION_ITEMS)


_CONDITION_TAGS = {"comparison": Comparison, "all_of": AllOf, "any_of": AnyOf}


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, Mapping):
        if "all_of" in value:
            return "all_of"
        if "any_of" in value:
            return "any_of"
        return "comparison"
    for tag, cls in _CONDITION_TAGS.items():
        if isinstance(value, cls):
            return tag
    return None


Condition = Annotated[
    Union[  # noqa: UP007 - tagged members need the Union spelling
        Annotated[Comparison, Tag("comparison")],
        Annotated[AllOf, Tag("all_of")],
        Annotated[AnyOf, Tag("any_of")],
    ],
    Discriminator(
        _condition_tag,
        custom_error_type="condition_shape",
        custom_error_message="A condition is a mapping",
    ),
]


class _Step(_Model):
    id: Slug
    title: LocalizedText | None = None
    when: Condition | None = None
    deadline: Deadline | None = None


class _ScoredStep(_Step):
    assessors: int = Field(1, ge=1, le=3)
    rubric: Rubric
    pass_rule: PassRule


class IdentityCheckStep(_Step):
    kind: Literal["identity_check"]
    method: _enum(IdentityMethod)


class EvidenceReviewStep(_ScoredStep):
    kind: Literal["evidence_review"]
    blind: bool = False
    moderation_divergence: Number | None = Field(None, gt=0)
    evidence_requests: int = Field(1, ge=0, le=5)


class TestStep(_Step):
    __test__ = False  # not a pytest test class

    kind: Literal["test"]
    question_bank: Slug
    questions: int = Field(ge=1, le=200)
    time_limit_minutes: int | None = Field(None, ge=1, le=600)
    pass_mark_percent: Number = Field(gt=0, le=100)
    attempts: int = Field(1, ge=1, le=5)
    supervised: bool = False


class InterviewStep(_ScoredStep):
    kind: Literal["interview"]


class ObservationStep(_ScoredStep):
    kind: Literal["observation"]


class DecisionStep(_Step):
    kind: Literal["decision"]
    decided_by: _enum(DecidedBy) = DecidedBy.DECISION_MAKER
    panel_size: int | None = Field(None, ge=2, le=5)
    partial_recognition: bool = False


STEP_CLASSES: dict[str, type[_Step]] = {
    StepKind.IDENTITY_CHECK: IdentityCheckStep,
    StepKind.EVIDENCE_REVIEW: EvidenceReviewStep,
    StepKind.TEST: TestStep,
    StepKind.INTERVIEW: InterviewStep,
    StepKind.OBSERVATION: ObservationStep,
    StepKind.DECISION: DecisionStep,
}

Step = Annotated[
    IdentityCheckStep
    | EvidenceReviewStep
    | TestStep
    | InterviewStep
    | ObservationStep
    | DecisionStep,
    Field(discriminator="kind"),
]


class PipelinePlan(_Model):
    key: Slug
    title: LocalizedText
    steps: list[Step] = Field(max_length=MAX_STEPS)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo):
        if info.context and info.context.get(SKIP_RULES):
            return self
        errors = _rule_errors(self.model_dump(mode="json", exclude_none=True)["steps"])
        if errors:
            raise ValueError("; ".join(str(error) for error in errors))
        return self

    def step(self, step_id: str) -> "Step":
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def index_of(self, step_id: str) -> int:
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        raise KeyError(step_id)

    @property
    def decision(self) -> DecisionStep:
        return self.steps[-1]


for _cls in (AllOf, AnyOf, PipelinePlan):
    _cls.model_rebuild()


# --------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class PipelineError:
    """One problem: where it is and what to do.

    ``path`` names the place in the pipeline (``steps[2].when.step``; empty for the whole text or
    a syntax error); ``line`` and ``column`` (1-based) point into the source text when known.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    @property
    def place(self) -> str:
        """Where, for people: the path, or the line and column of a syntax error."""
        if self.path:
            return self.path
        if self.line is not None and self.column is not None:
            return _("line %(line)d, column %(column)d") % {
                "line": self.line,
                "column": self.column,
            }
        if self.line is not None:
            return _("line %(line)d") % {"line": self.line}
        return ""

    def __str__(self):
        text = f"{self.place}: {self.message}" if self.place else self.message
        if self.path and self.line is not None:
            text += " " + _("(line %(line)d)") % {"line": self.line}
        return text


def _found(value: Any) -> str:
    if value is None:
        return _("an empty value")
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, int | float):
        return _("the number %(value)s") % {"value": value}
    if isinstance(value, str):
        return _("the text '%(value)s'") % {"value": value[:40]}
    if isinstance(value, list | tuple):
        return _("a list")
    if isinstance(value, Mapping):
        return _("a mapping")
    return _("a value of type %(type)s") % {"type": type(value).__name__}


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _join(values) -> str:
    return ", ".join(str(value) for value in values)


def _quoted_values(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text or "")


def field_order(cls: type[BaseModel]) -> list[str]:
    names = list(cls.model_fields)
    if issubclass(cls, _Step):
        head = ["id", "kind", "title"]
        tail = ["when", "deadline"]
        names = head + [n for n in names if n not in head and n not in tail] + tail
    return names


@dataclass
class _Located:
    path: str
    parent: type[BaseModel] | None = None
    field: FieldInfo | None = None
    name: str | None = None
    union: str | None = None  # "step" or "condition" when the loc ends on a union


_STEP_UNION = "step"
_CONDITION_UNION = "condition"


def _classify(annotation: Any) -> Any:
    """What a value of ``annotation`` is, for walking an error location."""
    if annotation == Step:
        return _STEP_UNION
    if annotation == Condition:
        return _CONDITION_UNION
    origin = get_origin(annotation)
    if origin is list:
        return ("list", _classify(get_args(annotation)[0]))
    if origin in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _classify(members[0]) if len(members) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _locate(loc: tuple) -> _Located:
    """Turn a pydantic error location into our path, dropping union tags."""
    path = ""
    cursor: Any = PipelinePlan
    located = _Located(path="")
    for element in loc:
        if cursor in (_STEP_UNION, _CONDITION_UNION):
            classes = STEP_CLASSES if cursor == _STEP_UNION else _CONDITION_TAGS
            if isinstance(element, str) and element in classes:
                cursor = classes[element]
                continue
            cursor = None
        if isinstance(element, int):
            path += f"[{element}]"
            cursor = cursor[1] if isinstance(cursor, tuple) else None
            located = _Located(path=path)
            continue
        name = str(element)
        path = f"{path}.{name}" if path else name
        if isinstance(cursor, type) and issubclass(cursor, BaseModel):
            field = cursor.model_fields.get(name)
            located = _Located(path=path, parent=cursor, field=field, name=name)
            cursor = _classify(field.annotation) if field else None
        else:
            located = _Located(path=path, name=name)
            cursor = None
    if cursor in (_STEP_UNION, _CONDITION_UNION):
        located.union = cursor
    located.path = path
    return located


def _allowed_values(annotation: Any) -> list[str]:
    values: list[str] = []
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return [member.value for member in annotation]
    if get_origin(annotation) is Literal:
        return [str(arg) for arg in get_args(annotation)]
    for arg in get_args(annotation):
        values.extend(_allowed_values(arg))
    return values


def _bounds(field: FieldInfo | None) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for item in getattr(field, "metadata", []) or []:
        for name in ("gt", "ge", "lt", "le"):
            value = getattr(item, name, None)
            if value is not None:
                bounds[name] = value
    return bounds


def _is_int_field(field: FieldInfo | None) -> bool:
    if field is None:
        return False
    annotation = field.annotation
    return annotation is int or int in get_args(annotation)


def _range_message(value: Any, bounds: dict[str, Any], whole: bool) -> str:
    params = {
        "value": format_value(value),
        "low": format_value(bounds.get("ge", bounds.get("gt"))),
        "high": format_value(bounds.get("le", bounds.get("lt"))),
    }
    if "ge" in bounds and "le" in bounds:
        if whole:
            return _("%(value)s is out of range: use a whole number from %(low)s to %(high)s.") % (
                params
            )
        return _("%(value)s is out of range: use a number from %(low)s to %(high)s.") % params
    if "gt" in bounds and "le" in bounds:
        return (
            _("%(value)s is out of range: use a number greater than %(low)s and at most %(high)s.")
            % params
        )
    if "ge" in bounds:
        return _("%(value)s is too small: use a number of at least %(low)s.") % params
    if "gt" in bounds:
        return _("%(value)s is too small: use a number greater than %(low)s.") % params
    return _("%(value)s is too large: use a number of at most %(high)s.") % params


_KIND_LIST = ", ".join(kind.value for kind in StepKind)


def _message(error: dict, where: _Located) -> tuple[str, str]:  # noqa: C901 - one branch per type
    """Our path and message for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    path = where.path
    annotation = where.field.annotation if where.field else None

    if kind == "missing":
        allowed = _allowed_values(annotation)
        if allowed:
            return path, _("This setting is required: set it to one of %(allowed)s.") % {
                "allowed": _join(allowed)
            }
        return path, _("This setting is required: add it.")
    if kind == "extra_forbidden":
        name = where.name or ""
        allowed = field_order(where.parent) if where.parent else []
        close = difflib.get_close_matches(name, allowed, n=1)
        if close:
            return path, _(
                "Unknown setting '%(name)s': did you mean '%(close)s'? Allowed here: %(allowed)s."
            ) % {"name": name, "close": close[0], "allowed": _join(allowed)}
        return path, _(
            "Unknown setting '%(name)s': remove it or check its spelling. "
            "Allowed here: %(allowed)s."
        ) % {"name": name, "allowed": _join(allowed)}
    if kind == "invalid_key":
        return path, _("Setting names are text: %(key)s is not a setting name.") % {
            "key": format_value(error["loc"][-1])
        }
    if kind in ("union_tag_invalid", "union_tag_not_found") and where.union == _STEP_UNION:
        if kind == "union_tag_invalid":
            return f"{path}.kind", _("Unknown step kind '%(kind)s': use one of %(allowed)s.") % {
                "kind": ctx.get("tag", ""),
                "allowed": _KIND_LIST,
            }
        return f"{path}.kind", _("Every step needs a kind: one of %(allowed)s.") % {
            "allowed": _KIND_LIST
        }
    if kind == "model_attributes_type" and where.union == _STEP_UNION:
        return path, _(
            "A step is a mapping with id, kind and the kind's settings (found %(found)s)."
        ) % {"found": _found(value)}
    if kind == "condition_shape":
        return path, _(
            "A condition is a mapping: either step, measure, operator and value, or all_of or "
            "any_of with a list of conditions (found %(found)s). Expressions are not evaluated."
        ) % {"found": _found(value)}
    if kind == "text_empty":
        return path, _("Give the text in English (en), Polish (pl) or both.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return path, _("Use a mapping of settings here (found %(found)s).") % {
            "found": _found(value)
        }
    if kind == "list_type":
        return path, _("Use a list here (found %(found)s).") % {"found": _found(value)}
    if kind in ("string_type", "string_unicode"):
        return path, _("Use text here (found %(found)s).") % {"found": _found(value)}
    if kind == "string_too_short":
        return path, _("This cannot be empty: write some text.")
    if kind == "string_too_long":
        return path, ngettext(
            "This is too long: use at most %(max)d character.",
            "This is too long: use at most %(max)d characters.",
            ctx.get("max_length", 0),
        ) % {"max": ctx.get("max_length", 0)}
    if kind == "string_pattern_mismatch":
        return path, _(
            "'%(value)s' is not a valid identifier: use lowercase letters and digits, separated by "
            "single hyphens or underscores (for example portfolio-review)."
        ) % {"value": value}
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return path, _("Use a whole number here (found %(found)s).") % {"found": _found(value)}
    if kind in ("float_type", "float_parsing"):
        return path, _("Use a number here (found %(found)s).") % {"found": _found(value)}
    if kind == "finite_number":
        return path, _("Use a finite number here.")
    if kind in ("bool_type", "bool_parsing"):
        return path, _("Use true or false here (found %(found)s).") % {"found": _found(value)}
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bounds = _bounds(where.field) or {
            name: ctx[name] for name in ("gt", "ge", "lt", "le") if name in ctx
        }
        return path, _range_message(value, bounds, _is_int_field(where.field))
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        return path, ngettext(
            "Add at least %(min)d item.", "Add at least %(min)d items.", minimum
        ) % {"min": minimum}
    if kind == "too_long":
        maximum = ctx.get("max_length", 0)
        return path, ngettext(
            "There are too many items: use at most %(max)d.",
            "There are too many items: use at most %(max)d.",
            maximum,
        ) % {"max": maximum}
    if kind in ("enum", "literal_error"):
        allowed = _allowed_values(annotation) or _quoted_values(ctx.get("expected", ""))
        return path, _("'%(value)s' is not allowed here: use one of %(allowed)s.") % {
            "value": format_value(value),
            "allowed": _join(allowed),
        }
    return path, _("This value is not valid here (found %(found)s).") % {"found": _found(value)}


def _from_validation_error(exc: ValidationError, prefix: tuple = ()) -> list[PipelineError]:
    errors = []
    for error in exc.errors(include_url=False):
        loc = prefix + tuple(error["loc"])
        if error["type"] == "invalid_key":
            loc = loc[:-1]  # the last element is the offending key itself, not a place
        where = _locate(loc)
        path, message = _message(error, where)
        errors.append(PipelineError(path=path, message=message))
    return errors


# --------------------------------------------------------------------------------------------
# Cross-step rules


def _raw_str(raw: Any, name: str) -> str | None:
    if isinstance(raw, Mapping):
        value = raw.get(name)
        if isinstance(value, str):
            return value
    return None


_INVALID = object()  # a setting that is present but wrong; its own error is reported elsewhere
SCORED_KINDS = frozenset({StepKind.EVIDENCE_REVIEW, StepKind.INTERVIEW, StepKind.OBSERVATION})


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


def _rule_errors(raw_steps: list[Any]) -> list[PipelineError]:  # noqa: C901
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
    here = _join(earlier) if earlier else _("none: the first step cannot have a condition")
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
            % {"step": target, "kind": ref.kind, "measure": measure, "allowed": _join(measures)},
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


# --------------------------------------------------------------------------------------------
# Validation entry points


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


def _too_deep_error() -> PipelineError:
    return PipelineError(
        path="",
        message=_(
            "The text nests lists and mappings more than %(max)d levels deep: a pipeline never "
            "needs that many. Simplify the conditions."
        )
        % {"max": MAX_NESTING},
    )


def _step_sort_key(error: PipelineError) -> int:
    match = re.match(r"steps\[(\d+)\]", error.path)
    return int(match.group(1)) if match else -1


def validate_pipeline(data: Any) -> tuple[PipelinePlan | None, list[PipelineError]]:
    """Validate parsed data; return the plan, or ``None`` and every error with its path."""
    if not isinstance(data, Mapping):
        return None, [
            PipelineError(
                path="",
                message=_("A pipeline is a mapping with key, title and steps (found %(found)s).")
                % {"found": _found(data)},
            )
        ]
    if _nesting_exceeds(data, MAX_NESTING):
        return None, [_too_deep_error()]
    errors: list[PipelineError] = []
    plan = None
    try:
        plan = PipelinePlan.model_validate(data, context={SKIP_RULES: True})
    except ValidationError as exc:
        errors.extend(_from_validation_error(exc))

    raw_steps = data.get("steps")
    if isinstance(raw_steps, list) and len(raw_steps) <= MAX_STEPS:
        errors.extend(_rule_errors(raw_steps))

    unique = list(dict.fromkeys(errors))
    unique.sort(key=_step_sort_key)
    if unique:
        return None, unique
    return plan, []


def load_trusted(data: Mapping) -> PipelinePlan:
    """Build a plan from a stored definition that passed validation when it was saved.

    Structure is still checked; the cross-step rules are not re-applied, so a rule added later
    never makes a frozen version unreadable.
    """
    return PipelinePlan.model_validate(data, context={SKIP_RULES: True})


# --------------------------------------------------------------------------------------------
# Parsing and dumping


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _AliasFound(yaml.MarkedYAMLError):
    pass


class _SafeLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases (no expansion bombs) and keys given twice."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasFound(problem="alias", problem_mark=event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _value in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value
                    if key in seen:
                        raise _DuplicateKey(problem=key, problem_mark=key_node.start_mark)
                    seen.add(key)
        return super().construct_mapping(node, deep=deep)


def detect_format(text: str, name: str = "") -> str:
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    return "json" if text.lstrip().startswith(("{", "[")) else "yaml"


def parse_text(text: str, fmt: str | None = None) -> tuple[Any, list[PipelineError]]:
    """Parse YAML or JSON text; syntax errors name their line and column."""
    if len(text) > MAX_SOURCE_CHARS:
        return None, [
            PipelineError(
                path="",
                message=_("The text is too long: a pipeline has at most %(max)d characters.")
                % {"max": MAX_SOURCE_CHARS},
            )
        ]
    if not text.strip():
        return None, [
            PipelineError(
                path="", message=_("The text is empty: write a pipeline with key, title and steps.")
            )
        ]
    fmt = fmt or detect_format(text)
    try:
        return _parse_json(text) if fmt == "json" else _parse_yaml(text)
    except RecursionError:
        return None, [_too_deep_error()]


def _parse_json(text: str) -> tuple[Any, list[PipelineError]]:
    def pairs(items):
        result = {}
        for key, value in items:
            if key in result:
                raise _JsonDuplicate(key)
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=pairs), []
    except _JsonDuplicate as exc:
        return None, [
            PipelineError(
                path="",
                message=_("The key '%(key)s' appears twice in one mapping: keep only one.")
                % {"key": exc.args[0]},
            )
        ]
    except json.JSONDecodeError as exc:
        return None, [
            PipelineError(
                path="",
                message=_(
                    "This is not valid JSON (%(problem)s): check the commas, quotes and brackets "
                    "around this place."
                )
                % {"problem": exc.msg},
                line=exc.lineno,
                column=exc.colno,
            )
        ]


class _JsonDuplicate(Exception):
    pass


def _parse_yaml(text: str) -> tuple[Any, list[PipelineError]]:
    try:
        return yaml.load(text, Loader=_SafeLoader), []  # noqa: S506 - _SafeLoader is a SafeLoader
    except _DuplicateKey as exc:
        mark = exc.problem_mark
        return None, [
            PipelineError(
                path="",
                message=_("The key '%(key)s' appears twice in one mapping: keep only one.")
                % {"key": exc.problem},
                line=mark.line + 1,
                column=mark.column + 1,
            )
        ]
    except _AliasFound as exc:
        mark = exc.problem_mark
        return None, [
            PipelineError(
                path="",
                message=_("Aliases (*name) are not supported: write the value out in full."),
                line=mark.line + 1,
                column=mark.column + 1,
            )
        ]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return None, [
            PipelineError(
                path="",
                message=_(
                    "This is not valid YAML (%(problem)s): check the indentation, colons and "
                    "quotes around this place."
                )
                % {"problem": exc.problem or exc.context or ""},
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        ]
    except yaml.YAMLError as exc:
        return None, [
            PipelineError(
                path="",
                message=_("This is not valid YAML (%(problem)s).") % {"problem": exc},
            )
        ]


def _path_tokens(path: str) -> list[str | int] | None:
    tokens: list[str | int] = []
    for match in re.finditer(r"([A-Za-z0-9_\-]+)|\[(\d+)\]", path):
        name, number = match.groups()
        tokens.append(int(number) if number is not None else name)
    return tokens or None


def _line_finder(text: str) -> Callable[[str], int | None]:
    """Map an error path to the line of the YAML (or JSON) node it names, when it can."""
    try:
        root = yaml.compose(text, Loader=_SafeLoader)  # noqa: S506 - safe loader
    except (yaml.YAMLError, RecursionError):
        return lambda path: None

    def find(path: str) -> int | None:
        tokens = _path_tokens(path)
        if not tokens or root is None:
            return None
        node = root
        line = None
        for token in tokens:
            if isinstance(node, yaml.MappingNode) and isinstance(token, str):
                for key_node, value_node in node.value:
                    if getattr(key_node, "value", None) == token:
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(token, int):
                if token >= len(node.value):
                    return line
                node = node.value[token]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    return find


def check_text(
    text: str, fmt: str | None = None
) -> tuple[PipelinePlan | None, list[PipelineError]]:
    """Parse and validate; each error gets the line it points at when the text can be located."""
    data, errors = parse_text(text, fmt)
    if errors:
        return None, errors
    plan, errors = validate_pipeline(data)
    if errors:
        find = _line_finder(text)
        errors = [
            PipelineError(path=e.path, message=e.message, line=find(e.path) if e.path else None)
            for e in errors
        ]
        errors.sort(key=lambda e: (_step_sort_key(e), e.line or 0))
    return plan, errors


def to_data(plan: PipelinePlan) -> dict:
    """The normalised form: JSON types, defaults filled in, absent options left out."""
    data = plan.model_dump(mode="json", exclude_none=True)
    ordered_steps = []
    for step, raw in zip(plan.steps, data["steps"], strict=True):
        order = field_order(type(step))
        ordered_steps.append({name: raw[name] for name in order if name in raw})
    return {"key": data["key"], "title": data["title"], "steps": ordered_steps}


def dump_yaml(data: Mapping) -> str:
    return yaml.safe_dump(
        dict(data), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


def dump_json(data: Mapping) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------
# The engine's pure functions

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
