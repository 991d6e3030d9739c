"""Writes of quality assurance: sampling decisions for audit, audit reviews, sampling policies,
and the log of what quality officers open. Each writes an audit event."""

import logging
import random
from collections import defaultdict
from statistics import fmean

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from assessments.scoresheets import records
from credentials.issuing import services as issuing_services
from quality.audits.flows import AuditFlow
from quality.models import AuditCase, SamplingPolicy
from rpl.accounts.roles import Role
from rpl.audit import services as audit
from workflows.models import Case, StepResult
from workflows.pipelines import schema

logger = logging.getLogger(__name__)


class QualityError(Exception):
    """A request refused, with a message for the person who made it."""


def policy_for(specification) -> SamplingPolicy:
    """The specification's policy, or an unsaved one with the defaults."""
    return getattr(specification, "sampling_policy", None) or SamplingPolicy(
        specification=specification
    )


@transaction.atomic
def save_policy(specification, *, actor, share_percent, score_margin, percent_margin):
    policy = policy_for(specification)
    before = {
        "share_percent": str(policy.share_percent),
        "score_margin": str(policy.score_margin),
        "percent_margin": str(policy.percent_margin),
    }
    policy.share_percent = share_percent
    policy.score_margin = score_margin
    policy.percent_margin = percent_margin
    policy.updated_by = actor
    policy.updated_at = timezone.now()
    policy.save()
    after = {key: str(getattr(policy, key)) for key in before}
    audit.record(
        actor=actor,
        action="quality.policy_changed",
        target=specification,
        changes={"from": before, "to": after},
    )
    return policy


def _final_scores(results: list[StepResult]) -> dict[str, dict[str, float]]:
    """Per scored step, the judged score of each outcome in the last round: the moderator's
    when one was called in, otherwise the mean of the assessors'."""
    by_step = defaultdict(list)
    for result in results:
        if isinstance(result.record, records.ScoreSheet):
            by_step[result.step_id].append(result.record)
    finals = {}
    for step_id, sheets in by_step.items():
        last = max(sheet.round for sheet in sheets)
        current = [sheet for sheet in sheets if sheet.round == last]
        moderated = [sheet for sheet in current if isinstance(sheet, records.Moderation)]
        judged = [sheet.scores for sheet in (moderated[-1:] or current)]
        outcomes = {o for scores in judged for o in scores}
        finals[step_id] = {
            o: fmean(float(scores[o]) for scores in judged if o in scores) for o in outcomes
        }
    return finals


def near_threshold(case, policy: SamplingPolicy) -> list[dict]:
    """Which measures of the decided case lie within the policy's margin of a pass threshold."""
    results = list(StepResult.objects.filter(case=case))
    finals = _final_scores(results)
    score_margin, percent_margin = float(policy.score_margin), float(policy.percent_margin)
    near = []
    for step in case.plan_model.steps:
        if step.kind in schema.SCORED_KINDS and step.id in finals:
            rule = step.pass_rule
            for outcome, score in sorted(finals[step.id].items()):
                if abs(score - rule.outcome_min_score) <= score_margin:
                    near.append(
                        {
                            "step": step.id,
                            "outcome": outcome,
                            "score": score,
                            "threshold": rule.outcome_min_score,
                        }
                    )
            mean = case.results.get(step.id, {}).get("score_mean")
            if (
                rule.min_score_mean is not None
                and mean is not None
                and abs(mean - rule.min_score_mean) <= score_margin
            ):
                near.append(
                    {
                        "step": step.id,
                        "measure": "score_mean",
                        "score": mean,
                        "threshold": rule.min_score_mean,
                    }
                )
        elif step.kind == schema.StepKind.TEST and step.id in case.results:
            percent = case.results[step.id].get("score_percent")
            if percent is not None and abs(percent - step.pass_mark_percent) <= percent_margin:
                near.append(
                    {
                        "step": step.id,
                        "measure": "score_percent",
                        "score": percent,
                        "threshold": step.pass_mark_percent,
                    }
                )
    return near


def choose_for_audit(case, *, rng: random.Random) -> tuple[str, dict] | None:
    """Why a freshly decided case goes to audit, if it does: close to a threshold always,
    otherwise at random with the policy's share."""
    policy = policy_for(case.specification)
    near = near_threshold(case, policy)
    if near:
        return AuditCase.Reason.NEAR_THRESHOLD, {"near": near}
    if rng.random() * 100 < float(policy.share_percent):
        return AuditCase.Reason.RANDOM, {"share_percent": str(policy.share_percent)}
    return None


def on_decision(case_pk: int, *, rng: random.Random | None = None) -> AuditCase | None:
    """Called by the engine once a decision is committed; a failure here never undoes it."""
    try:
        case = Case.objects.select_related("specification").get(pk=case_pk)
        chosen = choose_for_audit(case, rng=rng or random.SystemRandom())
        if chosen is None:
            return None
        reason, details = chosen
        return sample_for_audit(case, reason=reason, details=details)
    except Exception:
        logger.exception("sampling case %s for audit failed", case_pk)
        return None


def on_appeal(case_pk: int) -> AuditCase | None:
    """Called once an appeal's decision is committed: every appeal is audited."""
    try:
        return sample_for_audit(Case.objects.get(pk=case_pk), reason="appeal")
    except Exception:
        logger.exception("sampling the appealed case %s for audit failed", case_pk)
        return None


@transaction.atomic
def sample_for_audit(case, *, reason: str, details: dict | None = None) -> AuditCase:
    """Give a case to the quality officers as an audit task (reason: random, near_threshold,
    appeal). A case already waiting for an audit for the same reason keeps that one."""
    reason = AuditCase.Reason(reason)
    waiting = (
        AuditCase.objects.filter(audited_case=case, reason=reason)
        .exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
        .first()
    )
    if waiting is not None:
        return waiting
    audit_case = AuditFlow.start.run(case=case, reason=reason, details=details or {})
    audit.record(
        actor=None,
        action="quality.audit_sampled",
        target=case,
        changes={"audit": audit_case.pk, "reason": reason.value},
    )
    return audit_case


def audit_refusal(user, task) -> str | None:
    """Why ``user`` may not take an audit task, or None when they may."""
    if not user.is_active or not user.has_role(Role.QUALITY_OFFICER):
        return _("This task needs the role: %(role)s.") % {"role": Role.QUALITY_OFFICER.label}
    case = task.coerced_process.audited_case
    if user.pk == case.candidate_id:
        return _("Nobody may audit their own case.")
    if StepResult.objects.filter(case=case, actor=user).exists():
        return _("You took part in this case, so another quality officer must audit it.")
    return None


def record_review(
    activation, *, actor, verdict, severity="", description="", corrective_action="", suspend=False
) -> AuditCase:
    """Store the officer's verdict on the audit of ``activation`` and finish the task; a serious
    finding may suspend the case's credential. The caller holds the flow lock (viewflow's
    ``wrap_view`` does) inside a transaction."""
    audit_case = activation.process
    audit_case.verdict = verdict
    audit_case.severity = severity
    audit_case.description = description
    audit_case.corrective_action = corrective_action
    audit_case.reviewed_by = actor
    audit_case.reviewed_at = timezone.now()
    credential = getattr(audit_case.audited_case, "credential", None)
    if suspend:
        if severity != AuditCase.Severity.SERIOUS or credential is None:
            raise QualityError(_("Only a serious finding on a case with a credential suspends it."))
        issuing_services.suspend(
            credential,
            actor=actor,
            reason=_(
                "A quality audit found a serious problem in the assessment; the credential is "
                "suspended until the case is re-assessed."
            ),
        )
        audit_case.credential_suspended = True
    audit_case.save()
    audit.record(
        actor=actor,
        action="quality.audit_reviewed",
        target=audit_case.audited_case,
        changes={
            "audit": audit_case.pk,
            "verdict": verdict,
            "severity": severity,
            "description": description,
            "corrective_action": corrective_action,
            "credential_suspended": audit_case.credential_suspended,
        },
    )
    activation.execute()
    return audit_case


def log_view(user, what: str, *, target=None, **details) -> None:
    """Record that a quality officer opened something (issue 7, item 6: reading is logged)."""
    audit.record(
        actor=user, action="quality.viewed", target=target, changes={"page": what, **details}
    )
