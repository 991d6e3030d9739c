"""Everything the candidate was told about their case, as one thread on the case page: each round
of evidence they submitted, the assessors' requests for more evidence in their own words, the
times proposed for an interview, an observation or a video identity check and the candidate's
answer, the decision with its reasons (a panel's: each member's, as the decision e-mail gives
them), the assessors' comments per learning outcome once the case is decided, and the appeal
and its outcome.

Selector: ``thread_of(case) -> list[Message]``, newest first, in at most five queries whatever
the number of entries (step results, the case's audit events, the learning outcomes, the
submitted rounds, the appeal). Staff appear by role, never by name: the pages never name
assessors to candidates. The times of meetings and the moment a request for more evidence was
sent come from the audit trail, which keeps every proposal (an appointment keeps only the last).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assessments.scoresheets import records
from credentials.catalogue.models import LearningOutcome
from evidence.models import Snapshot
from rpl.audit.models import AuditEvent
from workflows.cases.services import panel_reasons
from workflows.meetings.services import when
from workflows.models import Appeal, Case, Outcome, StepResult
from workflows.pipelines import schema
from workflows.staffing.analysis import step_title

YOU = gettext_lazy("You")
ASSESSORS = gettext_lazy("Assessors")
# Who proposes the times of a meeting step, by the kind of step.
PROPOSER = {
    schema.StepKind.IDENTITY_CHECK: StepResult.Role.IDENTITY_OFFICER.label,
    schema.StepKind.INTERVIEW: StepResult.Role.ASSESSOR.label,
    schema.StepKind.OBSERVATION: StepResult.Role.ASSESSOR.label,
}
MEETING_ACTIONS = (
    "case.appointment_proposed",
    "case.appointment_confirmed",
    "case.appointment_new_times_asked",
)
REQUEST_ACTION = "case.more_evidence_requested"
# The entries that record what the candidate did rather than what they were told.
FROM_CANDIDATE = frozenset({"submitted", "meeting_confirmed", "meeting_new_times", "appeal"})


@dataclass(frozen=True)
class Message:
    """One thing the candidate was told (or did), with when, from whom (a role, or "You") and
    about which step. ``details`` are (label, text) pairs shown under the text."""

    at: datetime
    kind: str
    title: str
    sender: str
    step: str = ""
    text: str = ""
    details: tuple[tuple[str, str], ...] = ()

    @property
    def from_candidate(self) -> bool:
        return self.kind in FROM_CANDIDATE


def thread_of(case: Case) -> list[Message]:
    """What the candidate of ``case`` was told, newest first."""
    plan = case.plan_model
    steps = {step.id: step for step in plan.steps}
    results = list(StepResult.objects.filter(case=case).order_by("created_at", "pk"))
    events = list(
        AuditEvent.objects.filter(
            target_type=Case._meta.label_lower,
            target_id=str(case.pk),
            action__in=(*MEETING_ACTIONS, REQUEST_ACTION),
        ).order_by("sequence")
    )
    outcomes = list(
        LearningOutcome.objects.filter(specification_id=case.specification_id).order_by("position")
    )
    messages = _submissions(case)
    messages += _evidence_requests(events, results, steps)
    messages += _meetings(events, steps)
    decided = _decision(case, results, steps, outcomes)
    if decided is not None:
        messages.append(decided)
        feedback = _feedback(decided.at, results, plan, outcomes)
        if feedback is not None:
            messages.append(feedback)
    messages += _appeal(case, outcomes)
    # Python's sort is stable, also in reverse: entries of the same moment (a decision and the
    # comments it makes visible) keep the order they were added in.
    return sorted(messages, key=lambda message: message.at, reverse=True)


def _title(steps, step_id) -> str:
    step = steps.get(step_id)
    return step_title(step) if step is not None else ""


def _submissions(case) -> list[Message]:
    if case.application_id is None:
        return []
    rounds = Snapshot.objects.filter(application_id=case.application_id).order_by("round")
    return [
        Message(
            at=created_at,
            kind="submitted",
            title=_("You submitted your application")
            if number == 1
            else _("You submitted round %(n)s of your evidence") % {"n": number},
            sender=str(YOU),
            text=_("What you sent is kept exactly as it was; the assessors judge that."),
        )
        for number, created_at in rounds.values_list("round", "created_at")
    ]


def _evidence_requests(events, results, steps) -> list[Message]:
    """Each request for more evidence the candidate was sent: the assessors' own words, at the
    moment the new round was opened (a request still waiting for a co-marker was not sent)."""
    asked = defaultdict(list)
    for result in results:
        record = result.record
        if isinstance(record, records.EvidenceRequest):
            asked[(result.step_id, record.round)].append(record.more_evidence)
    messages = []
    for event in events:
        if event.action != REQUEST_ACTION:
            continue
        step_id, new_round = event.changes.get("step"), event.changes.get("round")
        words = asked.get((step_id, (new_round or 1) - 1), [])
        messages.append(
            Message(
                at=event.created_at,
                kind="evidence_request",
                title=_("The assessors ask for more evidence, for round %(n)s") % {"n": new_round},
                sender=str(ASSESSORS if len(words) > 1 else StepResult.Role.ASSESSOR.label),
                step=_title(steps, step_id),
                text="\n\n".join(words),
            )
        )
    return messages


def _meeting_kind(step) -> str:
    if step.kind == schema.StepKind.IDENTITY_CHECK:
        return _("video identity check")
    return _("interview") if step.kind == schema.StepKind.INTERVIEW else _("observation")


def _meetings(events, steps) -> list[Message]:
    """Times proposed for a meeting and the candidate's answers, as the audit trail has them."""
    messages = []
    for event in events:
        if event.action not in MEETING_ACTIONS:
            continue
        changes = event.changes
        step = steps.get(changes.get("step"))
        if step is None or step.kind not in PROPOSER:
            continue
        kind = _meeting_kind(step)
        if event.action == "case.appointment_proposed":
            times = "\n".join(
                when(datetime.fromisoformat(slot)) for slot in changes.get("slots", [])
            )
            minutes = changes.get("duration_minutes")
            details = [(_("Times to choose from"), times)]
            if minutes:
                details.append(
                    (
                        _("Length"),
                        ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes},
                    )
                )
            details.append((_("Place or meeting link"), changes.get("place", "")))
            messages.append(
                Message(
                    at=event.created_at,
                    kind="meeting_proposed",
                    title=_("Times proposed for the %(kind)s") % {"kind": kind},
                    sender=str(PROPOSER[step.kind]),
                    step=step_title(step),
                    text=_("Choose one of the times, or ask for others."),
                    details=tuple(details),
                )
            )
        elif event.action == "case.appointment_confirmed":
            starts_at = datetime.fromisoformat(changes["starts_at"])
            messages.append(
                Message(
                    at=event.created_at,
                    kind="meeting_confirmed",
                    title=_("You chose a time for the %(kind)s") % {"kind": kind},
                    sender=str(YOU),
                    step=step_title(step),
                    text=_("The time is agreed: %(time)s.") % {"time": when(starts_at)},
                )
            )
        else:
            messages.append(
                Message(
                    at=event.created_at,
                    kind="meeting_new_times",
                    title=_("You asked for other times for the %(kind)s") % {"kind": kind},
                    sender=str(YOU),
                    step=step_title(step),
                    text=changes.get("note", ""),
                )
            )
    return messages


def _outcome_list(outcomes, keys) -> str:
    chosen = {str(key) for key in keys}
    return "\n".join(f"{o.position}. {o.statement}" for o in outcomes if str(o.pk) in chosen)


def _decision(case, results, steps, outcomes) -> Message | None:
    """The decision as it was made (an appeal that overturned it is a later entry), with the
    reasons the decision e-mail gave: a panel's are each member's, in turn."""
    if not case.outcome:
        return None
    votes = [r for r in results if r.role == StepResult.Role.DECISION_MAKER]
    if not votes:
        return None
    step = steps.get(votes[-1].step_id)
    original = (case.data or {}).get("appeal", {}).get("original_decision") or {
        "outcome": case.outcome,
        "recognised_outcomes": case.recognised_outcomes,
    }
    if len(votes) == 1:
        reasons, sender = votes[0].record.reasons, StepResult.Role.DECISION_MAKER.label
    else:
        reasons, sender = panel_reasons([v.record for v in votes]), _("Decision panel")
    details = ()
    if original["outcome"] == Outcome.PARTIAL:
        details = (
            (
                _("Recognised learning outcomes"),
                _outcome_list(outcomes, original["recognised_outcomes"]),
            ),
        )
    return Message(
        at=votes[-1].created_at,
        kind="decision",
        title=_("Decision: %(outcome)s") % {"outcome": Outcome(original["outcome"]).label},
        sender=str(sender),
        step=step_title(step) if step is not None else "",
        text=reasons,
        details=details,
    )


def _feedback(at, results, plan, outcomes) -> Message | None:
    """The assessors' and moderators' comments per learning outcome, on the last round each
    step judged; shown once the case is decided."""
    last_round = defaultdict(int)
    for result in results:
        last_round[result.step_id] = max(last_round[result.step_id], result.record.round)
    order = {step.id: index for index, step in enumerate(plan.steps)}
    comments = defaultdict(list)
    sheets = [
        r
        for r in results
        if isinstance(r.record, records.ScoreSheet)
        and r.record.round == last_round[r.step_id]
        and r.step_id in order
    ]
    for result in sorted(sheets, key=lambda r: order[r.step_id]):
        title = step_title(plan.steps[order[result.step_id]])
        for key, comment in result.record.comments.items():
            if comment.strip():
                comments[key].append(f"{title}: {comment.strip()}")
    details = tuple(
        (f"{o.position}. {o.statement}", "\n".join(comments[str(o.pk)]))
        for o in outcomes
        if comments.get(str(o.pk))
    )
    if not details:
        return None
    return Message(
        at=at,
        kind="feedback",
        title=_("The assessors' comments on each learning outcome"),
        sender=str(ASSESSORS),
        text=_("What the assessors wrote about your evidence for each learning outcome."),
        details=details,
    )


def _appeal(case, outcomes) -> list[Message]:
    appeal = Appeal.objects.filter(appealed_case=case).first()
    if appeal is None:
        return []
    messages = [
        Message(
            at=appeal.submitted_at,
            kind="appeal",
            title=_("You appealed the decision"),
            sender=str(YOU),
            text=appeal.grounds,
        )
    ]
    if appeal.outcome:
        details = ()
        if appeal.outcome == Appeal.Result.OVERTURNED:
            details = ((_("New decision"), Outcome(appeal.new_outcome).label),)
            if appeal.new_outcome == Outcome.PARTIAL:
                details += (
                    (
                        _("Recognised learning outcomes"),
                        _outcome_list(outcomes, appeal.recognised_outcomes),
                    ),
                )
        messages.append(
            Message(
                at=appeal.decided_at,
                kind="appeal_outcome",
                title=_("The outcome of your appeal: %(outcome)s")
                % {"outcome": appeal.get_outcome_display()},
                sender=str(StepResult.Role.DECISION_MAKER.label),
                text=appeal.reasons,
                details=details,
            )
        )
    return messages
