"""Writes on cases: start, record what a person did on a task, advance, escalate.

Flow nodes stay thin and call these; every state change writes an audit event.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from assessments.models import TestAttempt
from assessments.online_tests import selectors as tests
from assessments.online_tests import services as test_services
from assessments.scoresheets import measures, records
from assessments.signals import test_over
from credentials.issuing.models import IssuedCredential
from credentials.issuing.services import issue_credential
from evidence.portfolio import services as evidence_services
from rpl.accounts.mail import tell
from rpl.accounts.roles import Role
from rpl.audit import services as audit
from workflows import notifications, signals
from workflows.flows import case_flow_class
from workflows.identity import services as identity
from workflows.models import Case, Outcome, SpecificationPipeline, StepResult
from workflows.pipelines import schema
from workflows.pipelines.selectors import published_version
from workflows.work.duties import DECISION_NODES

logger = logging.getLogger(__name__)


class CaseError(Exception):
    """A request the engine refuses, with a message for the person who made it."""


def pipeline_for(specification):
    link = (
        SpecificationPipeline.objects.select_related("pipeline")
        .filter(specification=specification)
        .first()
    )
    return link.pipeline if link else None


@transaction.atomic
def assign_pipeline(*, actor, specification, pipeline) -> None:
    current = pipeline_for(specification)
    if current == pipeline:
        return
    SpecificationPipeline.objects.update_or_create(
        specification=specification, defaults={"pipeline": pipeline}
    )
    audit.record(
        actor=actor,
        action="specification.pipeline_assigned",
        target=specification,
        changes={"pipeline": pipeline.key},
    )


@transaction.atomic
def start_case(*, candidate, specification, actor=None) -> Case:
    """Start the engine on a case, pinned to the pipeline version published right now."""
    if not specification.is_published:
        raise CaseError(_("This micro-credential is not open for applications."))
    pipeline = pipeline_for(specification)
    version = published_version(pipeline.key) if pipeline else None
    if version is None:
        raise CaseError(_("No assessment procedure is published for this micro-credential yet."))
    flow = case_flow_class()
    case = flow.start.run(candidate=candidate, specification=specification, version=version)
    audit.record(
        actor=actor or candidate,
        action="case.started",
        target=case,
        changes={
            "specification": specification.slug,
            "pipeline": pipeline.key,
            "version": version.number,
            "first_step": case.current_step.id,
        },
    )
    return case


def init_case(activation, *, candidate, specification, version) -> Case:
    """The start node: copy the plan into the case and point the cursor at the first step."""
    case = activation.process
    case.candidate = candidate
    case.specification = specification
    case.pipeline_version = version
    case.plan = version.definition
    case.cursor = schema.next_step_index(case.plan_model, None, {})
    return case


def step_tags(case) -> dict:
    """What each human task remembers of the step of the plan it belongs to."""
    step = case.current_step
    return {"step": step.id, "kind": step.kind, "round": evidence_round(case, step.id)}


def assessors(activation) -> int:
    return activation.process.current_step.assessors


def record(activation, *, actor, data: dict) -> StepResult:
    """Store what ``actor`` recorded on the task of ``activation``, typed by its kind (forms
    validate ``data``), then do what its node asks for and audit it."""
    case = activation.process
    step = case.current_step
    node = activation.flow_task.name
    recording = RECORDING[node]
    recorded = records.parse({**data, "round": evidence_round(case, step.id)}, role=recording.role)
    result = StepResult.objects.create(
        case=case,
        step_id=step.id,
        role=recording.role,
        task=activation.task,
        actor=actor,
        data=recorded.stored(),
    )
    signals.step_recorded.send(sender=StepResult, result=result)
    audit.record(
        actor=actor,
        action="case.task_completed",
        target=case,
        changes={"step": step.id, "task": node, **recording.follow_up(case, step, result)},
    )
    return result


# What recording on a node does next; each follow-up returns what the audit event adds. --------


def _identity_checked(case, step, result: StepResult) -> dict:
    identity.retire_documents(case, actor=result.actor, reason="identity check recorded")
    return {"verified": result.record.verified}


def _test_recorded(case, step, result: StepResult) -> dict:
    if isinstance(result.record, records.TestMarking):
        _record_marks(result.actor, result.record)
    return {"score_percent": result.record.score_percent}


def _sheet_recorded(case, step, result: StepResult) -> dict:
    """A score sheet (or a request for more evidence, which the advance reads)."""
    if isinstance(result.record, records.ScoreSheet):
        return {"scores": result.record.scores}
    return {}


def _decision_recorded(case, step, result: StepResult) -> dict:
    """A decision decides the case; a panel member's vote waits for the panel (settle_panel)."""
    decision = result.record
    summary = {"outcome": decision.outcome, "recognised_outcomes": decision.recognised_outcomes}
    if is_panel(step):
        return summary | {"panel_seat": True}
    _decide(case, step, decision.outcome, decision.recognised_outcomes)
    return summary


@dataclass(frozen=True)
class Recording:
    """Who records on a node (``StepResult.Role``) and what follows."""

    role: StepResult.Role
    follow_up: Callable[[Case, schema.Step, StepResult], dict]


RECORDING = {
    "identity_check": Recording(StepResult.Role.IDENTITY_OFFICER, _identity_checked),
    "assess_1": Recording(StepResult.Role.ASSESSOR, _sheet_recorded),
    "assess_2": Recording(StepResult.Role.ASSESSOR, _sheet_recorded),
    "assess_3": Recording(StepResult.Role.ASSESSOR, _sheet_recorded),
    "moderate": Recording(StepResult.Role.MODERATOR, _sheet_recorded),
    "test": Recording(StepResult.Role.ASSESSOR, _test_recorded),
    "sit_test": Recording(StepResult.Role.AUTOMATIC, _test_recorded),
    **dict.fromkeys(DECISION_NODES, Recording(StepResult.Role.DECISION_MAKER, _decision_recorded)),
}


def _decide(case, step, outcome: str, recognised: list) -> None:
    case.outcome = outcome
    case.recognised_outcomes = recognised
    case.results[step.id] = {"outcome": outcome}
    case.save(update_fields=["outcome", "recognised_outcomes", "results"])
    transaction.on_commit(lambda: _tell_decision(case))
    transaction.on_commit(lambda: signals.case_decided.send(sender=Case, case_id=case.pk))


def is_panel(step) -> bool:
    return getattr(step, "decided_by", None) == schema.DecidedBy.PANEL


def panel_size(activation) -> int:
    step = activation.process.current_step
    return step.panel_size if is_panel(step) else 1


def settle_panel(activation) -> None:
    """After the join of a panel's seats: each learning outcome is recognised when a majority of
    the panel recognised it; all of them is full recognition, none is no recognition, some is
    partial recognition where the step allows it (otherwise none)."""
    case = activation.process
    step = case.current_step
    if not is_panel(step):
        return
    votes = [
        r.record
        for r in StepResult.objects.filter(
            case=case, step_id=step.id, role=StepResult.Role.DECISION_MAKER
        ).order_by("created_at", "pk")
    ]
    outcome, recognised = panel_outcome(
        votes,
        [str(pk) for pk in case.specification.outcomes.values_list("pk", flat=True)],
        partial_allowed=step.partial_recognition,
    )
    _decide(case, step, outcome, recognised)
    audit.record(
        actor=None,
        action="case.panel_decided",
        target=case,
        changes={"step": step.id, "votes": [v.outcome for v in votes], "outcome": outcome},
    )


def panel_outcome(votes: list[records.Decision], outcomes: list[str], *, partial_allowed: bool):
    """The panel's decision from its members' decisions, by majority per learning outcome."""
    counts = dict.fromkeys(outcomes, 0)
    for vote in votes:
        if vote.outcome == Outcome.FULL:
            chosen = outcomes
        elif vote.outcome == Outcome.PARTIAL:
            chosen = vote.recognised_outcomes
        else:
            chosen = []
        for pk in chosen:
            if pk in counts:
                counts[pk] += 1
    recognised = sorted((pk for pk, n in counts.items() if 2 * n > len(votes)), key=int)
    if len(recognised) == len(outcomes):
        return Outcome.FULL, recognised
    if recognised and partial_allowed:
        return Outcome.PARTIAL, recognised
    return Outcome.NONE, []


def panel_reasons(votes: list[records.Decision]) -> str:
    """The reasons the candidate reads for a panel's decision: each member's, in turn."""
    return "\n\n".join(
        _("Panel member %(n)s: %(reasons)s") % {"n": n, "reasons": vote.reasons}
        for n, vote in enumerate(votes, start=1)
    )


@dataclass(frozen=True)
class Decision:
    decided_at: datetime
    reasons: str


def decision_of(case) -> Decision | None:
    """The original decision on ``case``: when it was made and the reasons the candidate read
    (a panel's are each member's, in turn)."""
    votes = list(
        StepResult.objects.filter(case=case, role=StepResult.Role.DECISION_MAKER).order_by(
            "created_at", "pk"
        )
    )
    if not votes:
        return None
    if len(votes) == 1:
        return Decision(votes[0].created_at, votes[0].record.reasons)
    return Decision(votes[-1].created_at, panel_reasons([v.record for v in votes]))


def _tell_decision(case) -> None:
    """E-mail the candidate the decision and its reasons."""
    # the appeals services import this module (an appeal's writes reuse the case's)
    from workflows.appeals import services as appeals

    link = notifications.case_link(case)
    tell(
        [case.candidate],
        lambda reader: (
            _("A decision on your application for “%(credential)s”")
            % {"credential": case.specification.title},
            _(
                "Hello %(candidate)s,\n\nThe decision on your application for “%(credential)s” "
                "is: %(outcome)s.\n\nReasons:\n%(reasons)s\n\nDetails: %(link)s"
            )
            % {
                "candidate": reader.get_short_name(),
                "credential": case.specification.title,
                "outcome": Outcome(case.outcome).label,
                "reasons": decision_of(case).reasons,
                "link": link,
            }
            + appeals.decision_email_note(case),
        ),
    )


def complete(activation, *, actor, data: dict) -> StepResult:
    """Record and move the case on (the caller holds the flow lock, as viewflow's views do)."""
    result = record(activation, actor=actor, data=data)
    activation.execute()
    return result


def evidence_round(case, step_id) -> int:
    """Which round of evidence a step is judging: 1, then one more per request for more."""
    return case.data.get("rounds", {}).get(step_id, 1)


def evidence_requests_left(case, step) -> int:
    if step.kind != schema.StepKind.EVIDENCE_REVIEW or case.application_id is None:
        return 0
    return max(step.evidence_requests - (evidence_round(case, step.id) - 1), 0)


def _current_results(case, step) -> list[StepResult]:
    current = evidence_round(case, step.id)
    return [
        r
        for r in StepResult.objects.filter(case=case, step_id=step.id)
        if r.record.round == current
    ]


def _request_more_evidence(case, step, results: list[StepResult]) -> bool:
    """If an assessor asked for more evidence and the pipeline allows another round, open it."""
    requests = [
        r.record.more_evidence for r in results if isinstance(r.record, records.EvidenceRequest)
    ]
    if not requests or evidence_requests_left(case, step) < 1:
        return False
    evidence_services.open_new_round(case.application, actor=None, message="\n\n".join(requests))
    case.data["awaiting_evidence"] = step.id
    case.save(update_fields=["data"])
    audit.record(
        actor=None,
        action="case.more_evidence_requested",
        target=case,
        changes={"step": step.id, "round": evidence_round(case, step.id) + 1},
    )
    return True


def evidence_arrived(activation) -> None:
    """The candidate resubmitted: the same step judges the new round."""
    case = activation.process
    step_id = case.data.pop("awaiting_evidence")
    case.data.setdefault("rounds", {})[step_id] = evidence_round(case, step_id) + 1
    case.save(update_fields=["data"])


# Online tests (assessments): invite, wait for the test to be over, mark short answers ---------


def has_online_test(activation) -> bool:
    """Whether the current test step runs online: its question bank is ready."""
    case = activation.process
    step = case.current_step
    return step.kind == schema.StepKind.TEST and tests.bank_ready(
        case.specification, step.question_bank, step.questions
    )


def invite_to_test(activation) -> None:
    case = activation.process
    step = case.current_step
    bank = tests.bank_for(case.specification, step.question_bank)
    test_services.open_sitting(case=case, step=step, bank=bank)


@receiver(test_over)
def _run_sit_test(sender, sitting, **kwargs) -> None:
    """The candidate's online test is over: the waiting ``sit_test`` handle records it."""
    node = sitting.case.flow_class.sit_test
    waiting = sitting.case.task_set.filter(flow_task=node, status=STATUS.NEW).first()
    if waiting is not None:
        node.run(waiting)


def online_test_finished(activation) -> None:
    """The ``sit_test`` handle: record the test's result as automatic marking by the candidate."""
    case = activation.process
    sitting = tests.last_sitting(case, case.current_step.id)
    record(activation, actor=case.candidate, data=tests.sitting_result(sitting))


def online_test_needs_marking(activation) -> bool:
    case = activation.process
    last = (
        StepResult.objects.filter(
            case=case, step_id=case.current_step.id, role=StepResult.Role.AUTOMATIC
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    return bool(last and last.record.needs_marking)


def attempt_to_mark(case, step):
    """The online attempt whose short answers the ``test`` task marks, if any."""
    sitting = tests.last_sitting(case, step.id)
    return tests.attempt_to_mark(sitting) if sitting else None


def _record_marks(actor, marking: records.TestMarking) -> None:
    test_services.record_marks(
        TestAttempt.objects.get(pk=marking.attempt),
        marker=actor,
        marks={int(pk): points for pk, points in marking.marks.items()},
        comments={int(pk): text for pk, text in marking.comments.items()},
    )


def _measures(step, results: list[StepResult]) -> tuple[dict, bool]:
    """The step's measures from its results, and whether a moderator must be called in."""
    results = [r.record for r in results]
    if step.kind == schema.StepKind.IDENTITY_CHECK:
        return measures.identity_measures(results[-1].verified), False
    if step.kind == schema.StepKind.TEST:
        percent = float(results[-1].score_percent)
        return measures.test_measures(percent, pass_mark_percent=step.pass_mark_percent), False
    sheets = [r.scores for r in results if type(r) is records.ScoreSheet]  # the assessors'
    moderation = [r.scores for r in results if isinstance(r, records.Moderation)]
    found = measures.scored_measures(
        sheets, moderation[-1] if moderation else None, pass_rule=step.pass_rule
    )
    threshold = getattr(step, "moderation_divergence", None)
    return found, not moderation and measures.needs_moderation(found, threshold=threshold)


def advance(activation) -> None:
    """Record the finished step's measures and move the cursor to the next step that applies."""
    case = activation.process
    step = case.current_step
    results = _current_results(case, step)
    if _request_more_evidence(case, step, results):
        return
    found, moderate = _measures(step, results)
    case.results[step.id] = found
    if moderate:
        case.data["moderation"] = True
        case.save(update_fields=["results", "data"])
        audit.record(
            actor=None,
            action="case.moderation_requested",
            target=case,
            changes={"step": step.id, "divergence": found["divergence"]},
        )
        return
    moderated = case.data.pop("moderation", None) is not None
    previous = case.cursor
    case.cursor = schema.next_step_index(case.plan_model, case.cursor, case.results)
    case.save(update_fields=["results", "cursor", *(["data"] if moderated else [])])
    skipped = [s.id for s in case.plan_model.steps[previous + 1 : case.cursor]]
    audit.record(
        actor=None,
        action="case.step_completed",
        target=case,
        changes={
            "step": step.id,
            "measures": found,
            "next_step": case.current_step.id,
            "skipped": skipped,
        },
    )


def on_full_recognition(activation) -> None:
    """The ``issue`` node: record the recognition and issue the signed credential."""
    decision = (
        StepResult.objects.filter(case=activation.process, role=StepResult.Role.DECISION_MAKER)
        .order_by("-created_at", "-pk")
        .first()
    )
    issue_for_case(
        activation.process,
        decided_at=decision.created_at if decision else None,
        actor=decision.actor if decision else None,
    )


def issue_for_case(case, *, decided_at=None, actor=None) -> None:
    """Record the full recognition of ``case`` and issue its signed credential (also after an
    overturned appeal).

    A case issues exactly one credential (issuing again returns it). If issuing fails (for
    example the specification has no awarding body), the recognition still stands: the failure
    is logged and audited, and ``case.data`` keeps ``credential_due`` and the error, so that
    staff see it and can issue again; it is never silent."""
    case.data["credential_due"] = True
    audit.record(actor=None, action="case.recognised", target=case, changes={"outcome": "full"})
    try:
        credential = credential_for(case, decided_at=decided_at, actor=actor)
    except Exception as exc:
        logger.exception("issuing the credential of case %s failed", case.pk)
        case.data["credential_error"] = str(exc)[:500]
        audit.record(
            actor=None,
            action="case.credential_failed",
            target=case,
            changes={"error": str(exc)[:500]},
        )
    else:
        case.data["credential"] = str(credential.public_id)
        case.data.pop("credential_error", None)
    case.save(update_fields=["data"])


class _LostRace(Exception):
    """Another request linked a credential to the case first: roll back the one issued here."""


def credential_for(case, *, decided_at=None, actor=None):
    """The credential of ``case``: issued now, or the one it already issued. The case's row is
    locked first, and the link is written only while the case has none, so that concurrent or
    repeated requests issue one credential between them (a loser's is rolled back)."""
    try:
        with transaction.atomic():
            query = Case.objects.select_for_update().filter(pk=case.pk)
            if query.values_list("credential_id", flat=True).get() is None:
                credential = issue_credential(
                    learner=case.candidate,
                    specification=case.specification,
                    recognised_outcomes=case.recognised_outcomes,
                    supervision=schema.supervision_mode(
                        case.plan_model, ran_steps=list(case.results)
                    ),
                    decided_at=decided_at,
                    actor=actor,
                    audit_context={"case": case.pk},
                )
                if not Case.objects.filter(pk=case.pk, credential__isnull=True).update(
                    credential=credential
                ):
                    raise _LostRace
                case.credential = credential
                return credential
    except _LostRace:
        pass
    case.credential = IssuedCredential.objects.get(case__pk=case.pk)
    return case.credential


def escalate(activation) -> None:
    """A step's deadline passed while its task was open: tell the people the pipeline names."""
    case = activation.process
    timer = activation.task.previous.first()
    host = timer.previous.first() if timer else None
    step_id = (host.data or {}).get("step") if host else None
    step = case.plan_model.step(step_id) if step_id else case.current_step
    target = step.deadline.escalate_to if step.deadline else schema.EscalateTo.ADMINISTRATOR
    recipients = _escalation_recipients(case, target)
    audit.record(
        actor=None,
        action="case.deadline_missed",
        target=case,
        changes={"step": step.id, "task": host.pk if host else None, "escalated_to": target},
    )
    tell(
        recipients,
        lambda reader: (
            _("Deadline missed on case %(case)s") % {"case": case.pk},
            _(
                "The step “%(step)s” of case %(case)s is past its deadline of %(days)s days. "
                "Please see that it is taken up."
            )
            % {
                "step": step.id,
                "case": case.pk,
                "days": step.deadline.days if step.deadline else "?",
            },
        ),
    )


def _escalation_recipients(case, target) -> list:
    from django.contrib.auth import get_user_model
    from guardian.shortcuts import get_users_with_perms

    if target == schema.EscalateTo.ASSESSOR_POOL:
        users = get_users_with_perms(
            case.specification, only_with_perms_in=["assess"], with_group_users=True
        )
    else:
        role = {
            schema.EscalateTo.DECISION_MAKER: Role.DECISION_MAKER,
            schema.EscalateTo.QUALITY_OFFICER: Role.QUALITY_OFFICER,
            schema.EscalateTo.ADMINISTRATOR: Role.ADMINISTRATOR,
        }[target]
        users = get_user_model().objects.filter(groups__name=role.value)
    return sorted({user for user in users if user.is_active}, key=lambda user: user.email)
