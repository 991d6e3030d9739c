"""The steps of each kind and the plan that orders them."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, model_validator

from assessments.scoresheets.rubric import PassRule, Rubric
from workflows.pipelines.schema.conditions import Condition
from workflows.pipelines.schema.kinds import DecidedBy, IdentityMethod, StepKind
from workflows.pipelines.schema.limits import MAX_STEPS, SKIP_RULES
from workflows.pipelines.schema.parts import (
    Deadline,
    LocalizedText,
    Number,
    Slug,
    StrictModel,
    enum_field,
)
from workflows.pipelines.schema.rules import rule_errors


class _Step(StrictModel):
    id: Slug
    title: LocalizedText | None = None
    # The named pool of people who take the step's tasks; without one, the role's default pool.
    pool: Slug | None = None
    when: Condition | None = None
    deadline: Deadline | None = None


class _ScoredStep(_Step):
    assessors: int = Field(1, ge=1, le=3)
    rubric: Rubric
    pass_rule: PassRule


class IdentityCheckStep(_Step):
    kind: Literal["identity_check"]
    method: enum_field(IdentityMethod)


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
    decided_by: enum_field(DecidedBy) = DecidedBy.DECISION_MAKER
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


class PipelinePlan(StrictModel):
    key: Slug
    title: LocalizedText
    steps: list[Step] = Field(max_length=MAX_STEPS)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo):
        if info.context and info.context.get(SKIP_RULES):
            return self
        errors = rule_errors(self.model_dump(mode="json", exclude_none=True)["steps"])
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


def field_order(cls: type[BaseModel]) -> list[str]:
    names = list(cls.model_fields)
    if issubclass(cls, _Step):
        head = ["id", "kind", "title"]
        tail = ["when", "deadline"]
        names = head + [n for n in names if n not in head and n not in tail] + tail
    return names
