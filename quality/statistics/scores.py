"""The reporting table of scores, written by the engine when a step result is recorded (and by
the migration that fills it for results recorded before it existed)."""

from assessments.scoresheets import records
from quality.models import Score
from workflows.models import StepResult

SCORING_ROLES = {StepResult.Role.ASSESSOR, StepResult.Role.MODERATOR}


def record_scores(result: StepResult) -> list[int]:
    """Copy a score sheet into ``Score`` rows; a moderator's sheet marks the assessors' rows of
    the same step and round as moderated. Returns the step results of the assessors' sheets it
    marked. Runs inside the engine's transaction."""
    case = result.case
    return write_scores(Score, result, plan=case.plan_model, specification_id=case.specification_id)


def write_scores(score_model, result, *, plan, specification_id: int) -> list[int]:
    """``record_scores`` for any version of the models (the migration passes its own, which has
    no ``record``: the data is parsed here)."""
    if result.role not in SCORING_ROLES:
        return []
    sheet = records.parse(result.data, role=result.role)
    if not isinstance(sheet, records.ScoreSheet):
        return []
    step = plan.step(result.step_id)
    round_number = sheet.round
    score_model.objects.bulk_create(
        score_model(
            step_result_id=result.pk,
            case_id=result.case_id,
            specification_id=specification_id,
            assessor_id=result.actor_id,
            role=result.role,
            step_id=result.step_id,
            round=round_number,
            outcome_id=int(outcome),
            value=int(value),
            rubric_min=step.rubric.min,
            rubric_max=step.rubric.max,
            passed=value >= step.pass_rule.outcome_min_score,
            recorded_at=result.created_at,
        )
        for outcome, value in sheet.scores.items()
    )
    if result.role != StepResult.Role.MODERATOR:
        return []
    unmoderated = score_model.objects.filter(
        case_id=result.case_id,
        step_id=result.step_id,
        round=round_number,
        role=StepResult.Role.ASSESSOR,
        moderated=False,
    )
    sheets = sorted(set(unmoderated.values_list("step_result_id", flat=True)))
    unmoderated.update(moderated=True)
    return sheets
