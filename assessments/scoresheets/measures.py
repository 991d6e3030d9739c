"""Turn what the people on a step recorded into the measures a pipeline's conditions read.

Pure functions over plain data; the measures per kind are those the pipeline schema names
(``workflows.pipelines.schema.MEASURES``).
"""

from collections.abc import Mapping, Sequence
from statistics import fmean

from assessments.scoresheets.rubric import PassRule

ScoreSheet = Mapping[str, float]  # learning outcome id -> score on the step's rubric


def _rounded(value: float) -> float:
    return round(value, 4)


def scored_measures(
    sheets: Sequence[ScoreSheet],
    moderator_sheet: ScoreSheet | None = None,
    *,
    pass_rule: PassRule,
) -> dict:
    """Measures of a scored step from each assessor's sheet, judged by the step's ``pass_rule``.

    An outcome's score is the mean of the assessors' scores; when a moderator was called in, the
    moderator's sheet is the judgement and the divergence between the assessors is kept as found.
    """
    if not sheets:
        raise ValueError("A scored step needs at least one score sheet")
    outcomes = sorted({outcome for sheet in sheets for outcome in sheet})
    if not outcomes:
        raise ValueError("A score sheet must score at least one learning outcome")
    divergence = max(
        max(sheet[o] for sheet in sheets if o in sheet)
        - min(sheet[o] for sheet in sheets if o in sheet)
        for o in outcomes
    )
    if moderator_sheet is not None:
        per_outcome = {o: float(moderator_sheet[o]) for o in outcomes}
    else:
        per_outcome = {o: fmean(sheet[o] for sheet in sheets if o in sheet) for o in outcomes}
    passed_outcomes = [o for o in outcomes if per_outcome[o] >= pass_rule.outcome_min_score]
    ratio = len(passed_outcomes) / len(outcomes)
    score_mean = fmean(per_outcome.values())
    passed = ratio >= pass_rule.min_outcomes_passed_ratio and (
        pass_rule.min_score_mean is None or score_mean >= pass_rule.min_score_mean
    )
    return {
        "score_mean": _rounded(score_mean),
        "outcomes_passed_ratio": _rounded(ratio),
        "passed": passed,
        "divergence": _rounded(divergence),
        "outcomes_passed": passed_outcomes,
    }


def needs_moderation(measures: Mapping, *, threshold: float | None) -> bool:
    """Whether the assessors diverge by ``threshold`` or more (never without a threshold)."""
    return threshold is not None and measures.get("divergence", 0) >= threshold


def test_measures(score_percent: float, *, pass_mark_percent: float) -> dict:
    return {
        "score_percent": _rounded(score_percent),
        "passed": score_percent >= pass_mark_percent,
    }


test_measures.__test__ = False  # not a pytest test


def identity_measures(verified: bool) -> dict:
    return {"verified": bool(verified)}
