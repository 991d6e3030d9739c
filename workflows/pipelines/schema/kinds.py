"""The vocabulary of a pipeline: step kinds and the other enums, and the measures per kind."""

from enum import StrEnum

from django.utils.translation import gettext_lazy


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
SCORED_KINDS = frozenset({StepKind.EVIDENCE_REVIEW, StepKind.INTERVIEW, StepKind.OBSERVATION})


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
