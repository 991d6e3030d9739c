"""What a person records on a step of a case, one typed record per kind.

The engine stores a record as the JSON of its step result (``workflows.models.StepResult``) and
reads it back with ``parse(data, role=...)``: the role of whoever recorded it, and for an
assessor the shape of the data, say which kind it is. ``Record.stored()`` is the JSON to store:
exactly the keys that were given, in the order of the fields, so that what was stored before
these models existed reads and writes back unchanged.
"""

from collections.abc import Mapping
from typing import Annotated, ClassVar, Literal

from pydantic import AllowInfNan, BaseModel, ConfigDict, Field

OutcomeKey = str  # a learning outcome's primary key, as a string
Score = Annotated[int, Field(ge=0, le=100)]  # whole points on the step's rubric
# A percentage or points as written: an int stays an int, so stored data round-trips.
Percent = Annotated[float | int, Field(ge=0, le=100), AllowInfNan(False)]
Points = Annotated[float | int, Field(ge=0), AllowInfNan(False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Record(_Strict):
    """A record of any kind; ``round`` is the round of evidence judged (the engine adds it)."""

    kind: ClassVar[str]
    round: int = Field(1, ge=1)

    def stored(self) -> dict:
        """The JSON to store: the fields given, ``round`` last (where the engine adds it)."""
        data = self.model_dump(mode="json", exclude_unset=True)
        if "round" in data:
            data["round"] = data.pop("round")
        return data


class IdentityCheck(Record):
    """An identity officer's check: the result, the method, a minimal note and, for an electronic
    ID, what the identity provider vouched for."""

    kind = "identity_check"
    verified: bool
    note: str = ""
    method: str = ""
    method_label: str = ""
    assertion: dict[str, str] | None = None


class EvidenceRules(_Strict):
    """The four rules of evidence, as an assessor found them for one learning outcome."""

    valid: bool
    authentic: bool
    current: bool
    sufficient: bool

    @property
    def all_met(self) -> bool:
        return self.valid and self.authentic and self.current and self.sufficient


class ScoreSheet(Record):
    """An assessor's score sheet on an evidence review, an interview or an observation: a score
    per learning outcome, comments, the rules of evidence (when evidence is judged) and notes
    (from an interview or an observation)."""

    kind = "score_sheet"
    scores: Annotated[dict[OutcomeKey, Score], Field(min_length=1)]
    comments: dict[OutcomeKey, str] = {}
    rules: dict[OutcomeKey, EvidenceRules] = {}
    notes: str = ""


class Moderation(ScoreSheet):
    """A moderator's score sheet: when one is called in, it is the step's judgement."""

    kind = "moderation"


class EvidenceRequest(Record):
    """An assessor's request for more evidence instead of a score sheet."""

    kind = "evidence_request"
    more_evidence: Annotated[str, Field(min_length=1)]


class TestResult(Record):
    """The result of a test, as an assessor recorded it."""

    __test__ = False  # not a pytest test

    kind = "test_result"
    score_percent: Percent


class TestMarking(TestResult):
    """An assessor's marks (question id -> points) and comments on the short answers of an
    online attempt, with the sitting's score they give."""

    attempt: int
    marks: dict[str, Points]
    comments: dict[str, str] = {}


class TestSitting(TestResult):
    """The automatic result of an online test: the best attempt's score, and whether short
    answers wait for an assessor's marks."""

    attempt: int | None
    attempts: int = Field(ge=0)
    supervised: bool
    needs_marking: bool


class Decision(Record):
    """A decision maker's decision, or a panel member's vote: the outcome, the learning outcomes
    it recognises and the reasons the candidate reads."""

    kind = "decision"
    outcome: Literal["full", "partial", "none"]
    recognised_outcomes: list[OutcomeKey] = []
    reasons: str


# The role of whoever recorded it (``StepResult.Role``) -> the kind of record, for the roles
# that record one kind only.
KIND_OF_ROLE: dict[str, type[Record]] = {
    "identity_officer": IdentityCheck,
    "moderator": Moderation,
    "decision_maker": Decision,
    "automatic": TestSitting,
}


def _assessor_kind(data: Mapping) -> type[Record]:
    if "more_evidence" in data:
        return EvidenceRequest
    if "marks" in data:
        return TestMarking
    if "score_percent" in data:
        return TestResult
    return ScoreSheet


def parse(data: Mapping, *, role: str) -> Record:
    """The record stored as ``data`` by someone in ``role``; raises ``pydantic.ValidationError``
    when the data does not fit its kind, ``ValueError`` for an unknown role."""
    if role == "assessor":
        kind = _assessor_kind(data)
    elif role in KIND_OF_ROLE:
        kind = KIND_OF_ROLE[role]
    else:
        raise ValueError(f"No record kind for the role {role!r}")
    return kind.model_validate(dict(data))
