"""How a score sheet is judged: the rubric every learning outcome is scored on, and the rule that
says when a step is passed. A pipeline's scored steps carry both (``workflows.pipelines``)."""

from typing import Annotated

from pydantic import AllowInfNan, BaseModel, ConfigDict, Field

Number = Annotated[float, AllowInfNan(False)]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Rubric(_Rule):
    """The scale every learning outcome is scored on, in whole points from ``min`` to ``max``."""

    min: int = Field(0, ge=0, le=100)
    max: int = Field(ge=1, le=100)

    @property
    def range(self) -> int:
        return self.max - self.min


class PassRule(_Rule):
    outcome_min_score: Number
    min_outcomes_passed_ratio: Number = Field(1.0, gt=0, le=1)
    min_score_mean: Number | None = None
