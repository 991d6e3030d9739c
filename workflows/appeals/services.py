"""Appeals against a decision: who may appeal and when, who may handle an appeal (separation of
duties), the writes of ``AppealFlow``'s nodes and the reads of the pages.

An appeal is open to the case's candidate, once, within the specification's
``appeal_window_days`` of the decision (``case.finished``), against partial or no recognition.
An assessor in the specification's pool who neither assessed, moderated nor decided the case
reviews it; a decision maker in the pool who neither decided the case, assessed it nor reviewed
the appeal decides. An overturned decision changes the case's outcome (the original stays in the
case's results and in the audit trail) and a full recognition issues the credential.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from guardian.core import ObjectPermissionChecker
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from rpl.accounts.mail import tell
from rpl.accounts.roles import Role
from rpl.audit import services as audit
from rpl.site import absolute
from workflows import notifications, signals
from workflows.cases import recognition_statement as statement
from workflows.cases import selectors as case_selectors
from workflows.cases import services as case_services
from workflows.cases.selectors import NO_FILTERS, TaskFilters
from workflows.flows import appeal_flow_class
from workflows.models import Appeal, Case, ConflictDeclaration, Outcome, StepResult
from workflows.pipelines import schema
from workflows.staffing.pools import PoolKey, Pools
from workflows.work.duties import OPEN

GROUNDS_MIN = 20
TEXT_MAX = 5000

# node name -> (role, object permission codename on the case's specification)
NODE_ACCESS = {
    "review": (Role.ASSESSOR, "assess"),
    "decide": (Role.DECISION_MAKER, "decide"),
}
ASSESSING_ROLES = frozenset(
    {StepResult.Role.ASSESSOR, StepResult.Role.MODERATOR, StepResult.Role.IDENTITY_OFFICER}
)


class AppealError(Exception):
    """An appeal request refused, with a message for the person who made it."""


# Who may appeal ---------------------------------------------------------------------------------


def appeal_deadline(case):
    """The last moment to appeal the decision on ``case``, or None when it cannot be appealed."""
    days = case.specification.appeal_window_days
    if case.status != PROCESS.DONE or case.finished is None or not days:
        return None
    return case.finished + timedelta(days=days)


def appeal_refusal(case, user, *, now=None) -> str | None:
    """Why ``user`` may not appeal the decision on ``case`` now, or None when they may."""
    if user.pk != case.candidate_id:
        return _("Only the candidate of this case may appeal its decision.")
    if case.status != PROCESS.DONE or not case.outcome:
        return _("There is no decision to appeal yet.")
    if case.outcome == Outcome.FULL:
        return _("Your prior learning was fully recognised: there is nothing to appeal.")
    if not case.specification.appeal_window_days:
        return _("Decisions on this micro-credential cannot be appealed.")
    if case.appeals.exists():
        return _("You have already appealed this decision; a decision can be appealed once.")
    deadline = appeal_deadline(case)
    if (now or timezone.now()) > deadline:
        return _("The time to appeal this decision ended on %(date)s.") % {
            "date": formats.date_format(timezone.localtime(deadline), "DATE_FORMAT")
        }
    return None


# Who may handle an appeal -----------------------------------------------------------------------


class AppealPeople:
    """Who took part in the appealed cases, loaded in two queries, so that a page listing many
    appeal tasks checks them without a query per task. (The appeal itself says who reviewed it.)"""

    def __init__(self, appeals):
        appeals = list(appeals)
        case_ids = {appeal.appealed_case_id for appeal in appeals}
        self.assessed = defaultdict(set)
        self.decided = defaultdict(set)
        rows = StepResult.objects.filter(case_id__in=case_ids).values_list(
            "case_id", "role", "actor_id"
        )
        for case_id, role, actor_id in rows:
            if role == StepResult.Role.DECISION_MAKER:
                self.decided[case_id].add(actor_id)
            elif role in ASSESSING_ROLES:
                self.assessed[case_id].add(actor_id)
        self.conflicted = set(
            ConflictDeclaration.objects.filter(case_id__in=case_ids, has_conflict=True).values_list(
                "case_id", "person_id"
            )
        )


def refusal(
    user, task, *, checker=None, people: AppealPeople | None = None, pool: set[int] | None = None
) -> str | None:
    """Why ``user`` may not take (or do) the appeal task ``task``, or None when they may.
    ``pool``: the ids of the task's pool, when the caller has them."""
    appeal = task.coerced_process
    node = task.flow_task.name
    if node not in NODE_ACCESS:
        return _("This task is not taken by people.")
    role, codename = NODE_ACCESS[node]
    if not user.is_active or not user.has_role(role):
        return _("This task needs the role: %(role)s.") % {"role": role.label}
    case = appeal.appealed_case
    if user.pk == case.candidate_id:
        return _("Nobody may handle an appeal in their own case.")
    if pool is not None:
        in_pool = user.pk in pool
    else:
        in_pool = (checker or ObjectPermissionChecker(user)).has_perm(codename, case.specification)
    if not in_pool:
        return _("You are not in the pool of people for this micro-credential.")
    people = people or AppealPeople([appeal])
    if (case.pk, user.pk) in people.conflicted:
        return _("You declared a conflict of interest in this case.")
    if node == "review":
        if user.pk in people.assessed[case.pk]:
            return _("You assessed this case: an assessor who did not must review the appeal.")
        if user.pk in people.decided[case.pk]:
            return _("You made the decision under appeal, so you may not review the appeal.")
        return None
    if user.pk in people.decided[case.pk]:
        return _("You made the decision under appeal: another decision maker must decide it.")
    if user.pk == appeal.reviewed_by_id:
        return _("You reviewed this appeal: another person must decide it.")
    if user.pk in people.assessed[case.pk]:
        return _("You took part in assessing this case, so you may not decide its appeal.")
    return None


def may_take(user, task, **kwargs) -> bool:
    return refusal(user, task, **kwargs) is None


# Services ---------------------------------------------------------------------------------------


@transaction.atomic
def submit_appeal(case, *, candidate, grounds: str) -> Appeal:
    """Start ``AppealFlow`` on the decision of ``case``; raises ``AppealError`` when refused."""
    case = Case.objects.select_for_update().select_related("specification").get(pk=case.pk)
    reason = appeal_refusal(case, candidate)
    if reason:
        raise AppealError(reason)
    try:
        with transaction.atomic():
            appeal = appeal_flow_class().start.run(case=case, candidate=candidate, grounds=grounds)
    except IntegrityError as error:  # a concurrent appeal on the same case got in first
        raise AppealError(
            _("You have already appealed this decision; a decision can be appealed once.")
        ) from error
    audit.record(
        actor=candidate,
        action="appeal.submitted",
        target=appeal,
        changes={"case": case.pk, "decision": case.outcome},
    )
    audit.record(
        actor=candidate, action="case.appealed", target=case, changes={"appeal": appeal.pk}
    )
    transaction.on_commit(lambda: _acknowledge(appeal))
    _call_pool(appeal, "review")
    return appeal


def init_appeal(activation, *, case, candidate, grounds) -> Appeal:
    """The start node: the appeal's case, candidate and grounds."""
    appeal = activation.process
    appeal.appealed_case = case
    appeal.candidate = candidate
    appeal.grounds = grounds
    appeal.submitted_at = timezone.now()
    return appeal


def record_review(activation, *, actor, recommendation: str, reasons: str) -> Appeal:
    """The ``review`` task: the assessor's recommendation and reasons; the appeal moves on
    (the caller holds the flow lock, as viewflow's views do)."""
    appeal = activation.process
    appeal.review = {"recommendation": recommendation, "reasons": reasons}
    appeal.reviewed_by = actor
    appeal.reviewed_at = timezone.now()
    appeal.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    audit.record(
        actor=actor,
        action="appeal.reviewed",
        target=appeal,
        changes={"recommendation": recommendation},
    )
    activation.execute()
    _call_pool(appeal, "decide")
    return appeal


def record_decision(activation, *, actor, data: dict) -> Appeal:
    """The ``decide`` task: upheld, or overturned with the new outcome; the case takes the new
    outcome and the flow issues the credential for a full recognition. ``data`` comes from
    ``AppealDecisionForm.to_data``; the caller holds the flow lock."""
    appeal = activation.process
    case = Case.objects.select_for_update().get(pk=appeal.appealed_case_id)
    appeal.outcome = data["outcome"]
    appeal.reasons = data["reasons"]
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    if appeal.outcome == Appeal.Result.OVERTURNED:
        appeal.new_outcome = data["new_outcome"]
        appeal.recognised_outcomes = data["recognised_outcomes"]
        previous = {"outcome": case.outcome, "recognised_outcomes": case.recognised_outcomes}
        case.outcome = appeal.new_outcome
        case.recognised_outcomes = appeal.recognised_outcomes
        case.data["appeal"] = {"appeal": appeal.pk, "original_decision": previous}
        case.save(update_fields=["outcome", "recognised_outcomes", "data"])
        audit.record(
            actor=actor,
            action="case.decision_overturned",
            target=case,
            changes={
                "appeal": appeal.pk,
                "from": previous,
                "to": {"outcome": case.outcome, "recognised_outcomes": case.recognised_outcomes},
            },
        )
    appeal.save(
        update_fields=[
            "outcome",
            "new_outcome",
            "recognised_outcomes",
            "reasons",
            "decided_by",
            "decided_at",
        ]
    )
    audit.record(
        actor=actor,
        action="appeal.decided",
        target=appeal,
        changes={
            "case": case.pk,
            "outcome": appeal.outcome,
            "new_outcome": appeal.new_outcome,
            "recognised_outcomes": appeal.recognised_outcomes,
        },
    )
    activation.execute()
    transaction.on_commit(lambda: _tell_outcome(appeal))
    transaction.on_commit(lambda: signals.appeal_decided.send(sender=Appeal, case_id=case.pk))
    return appeal


def issue_after_appeal(activation) -> None:
    """The ``issue`` node: the overturned decision recognises everything, so issue."""
    appeal = activation.process
    case = Case.objects.select_for_update().get(pk=appeal.appealed_case_id)
    case_services.issue_for_case(case, decided_at=appeal.decided_at, actor=appeal.decided_by)


# E-mails ----------------------------------------------------------------------------------------


def _acknowledge(appeal) -> None:
    case = appeal.appealed_case
    tell(
        [appeal.candidate],
        lambda reader: (
            _("We have received your appeal"),
            _(
                "Hello %(candidate)s,\n\nWe have received your appeal against the decision on "
                "“%(credential)s”. An assessor and a decision maker who did not handle your case "
                "will consider it; we will e-mail you the outcome and its reasons.\n\n"
                "Follow it here: %(link)s"
            )
            % {
                "candidate": reader.get_short_name(),
                "credential": case.specification.title,
                "link": notifications.case_link(case),
            },
        ),
    )


def _call_pool(appeal, node: str) -> None:
    """E-mail everyone who may take the appeal's open ``node`` task (one message each)."""
    task = (
        Task.objects.filter(process_id=appeal.pk, flow_task=getattr(appeal.flow_class, node))
        .filter(status=STATUS.NEW)
        .select_related("process__appeal__appealed_case__specification")
        .first()
    )
    if task is None:
        return

    def compose(reader):
        if node == "review":
            subject = _("An appeal needs an assessor")
        else:
            subject = _("An appeal needs a decision maker")
        body = _(
            "An appeal against the decision on case %(case)s (“%(credential)s”) is waiting for "
            "someone like you. Take it here: %(link)s"
        ) % {
            "case": appeal.appealed_case_id,
            "credential": appeal.appealed_case.specification.title,
            "link": absolute(reverse("work_inbox")),
        }
        return subject, body

    people = eligible_people(task)
    if people:
        tell(people, compose)
    else:
        notifications.tell_unstaffed(task.coerced_process.appealed_case, task.flow_task.task_title)


def eligible_people(task) -> list:
    """The active people with the task's role and pool who may take it, in a number of queries
    that does not grow with the pool."""
    role, _codename = NODE_ACCESS[task.flow_task.name]
    appeal = task.coerced_process
    specification_id = appeal.appealed_case.specification_id
    pool = Pools([specification_id]).members(specification_id, PoolKey(role))
    users = get_user_model().objects.filter(pk__in=pool).prefetch_related("groups")
    people = AppealPeople([appeal])
    return [user for user in users if refusal(user, task, people=people, pool=pool) is None]


def _tell_outcome(appeal) -> None:
    """E-mail the candidate the outcome of the appeal and its reasons."""
    case = Case.objects.select_related("specification").get(pk=appeal.appealed_case_id)

    def compose(reader):
        if appeal.outcome == Appeal.Result.OVERTURNED:
            verdict = _("The decision is overturned. The new decision is: %(outcome)s.") % {
                "outcome": Outcome(appeal.new_outcome).label
            }
        else:
            verdict = _("The decision is upheld: %(outcome)s.") % {
                "outcome": case.get_outcome_display()
            }
        subject = _("The outcome of your appeal on “%(credential)s”") % {
            "credential": case.specification.title
        }
        body = _(
            "Hello %(candidate)s,\n\n%(verdict)s\n\nReasons:\n%(reasons)s\n\nDetails: %(link)s"
        ) % {
            "candidate": reader.get_short_name(),
            "verdict": verdict,
            "reasons": appeal.reasons,
            "link": notifications.case_link(case),
        }
        return subject, body + statement.email_note(case)

    tell([appeal.candidate], compose)


def decision_email_note(case) -> str:
    """What the decision e-mail adds: the statement of recognised outcomes and how to appeal."""
    note = statement.email_note(case)
    deadline = appeal_deadline(case)
    if deadline is not None and case.outcome != Outcome.FULL:
        note += "\n\n" + _(
            "If you disagree, you may appeal with your grounds until %(date)s: %(link)s"
        ) % {
            "date": formats.date_format(timezone.localtime(deadline), "DATE_FORMAT"),
            "link": absolute(reverse("appeal_submit", args=[case.application_id]))
            if case.application_id
            else notifications.case_link(case),
        }
    return note


# Selectors --------------------------------------------------------------------------------------


def _tasks():
    return (
        Task.objects.filter(process__flow_class=appeal_flow_class(), flow_task_type="HUMAN")
        .select_related(
            "process__appeal__appealed_case__specification", "process__appeal__candidate"
        )
        .order_by("created")
    )


def _appeal_filtered(tasks, filters: TaskFilters):
    if filters.only_case_steps:
        return tasks.none()
    return case_selectors.filtered(tasks, filters, "process__appeal__appealed_case")


def assigned_tasks(user, limit=100, filters: TaskFilters = NO_FILTERS):
    tasks = _appeal_filtered(_tasks().filter(owner=user, status__in=OPEN), filters)
    return list(tasks[:limit])


def claimable_tasks(user, limit=100, filters: TaskFilters = NO_FILTERS):
    """Open appeal tasks this user may take now: role, pool and separation of duties."""
    if not any(user.has_role(role) for role, _codename in NODE_ACCESS.values()):
        return []
    open_tasks = _tasks().filter(status=STATUS.NEW, owner__isnull=True)
    candidates = list(
        _appeal_filtered(open_tasks, filters).exclude(process__appeal__candidate=user)[: limit * 5]
    )
    if not candidates:
        return []
    appeals = [task.process.appeal for task in candidates]
    checker = ObjectPermissionChecker(user)
    checker.prefetch_perms([appeal.appealed_case.specification for appeal in appeals])
    people = AppealPeople(appeals)
    return [t for t in candidates if may_take(user, t, checker=checker, people=people)][:limit]


def decision_step(case):
    """The case's decision step in its plan (it says whether partial recognition is allowed)."""
    return next((s for s in case.plan_model.steps if s.kind == schema.StepKind.DECISION), None)


def appeal_of(case) -> Appeal | None:
    return Appeal.objects.filter(appealed_case=case).first()


@dataclass
class CandidateView:
    """What the candidate's timeline shows about appealing the decision on their case."""

    appeal: Appeal | None
    deadline: object
    can_appeal: bool
    refusal: str

    @property
    def state_label(self) -> str:
        if self.appeal is None:
            return ""
        if self.appeal.outcome:
            return self.appeal.get_outcome_display()
        if self.appeal.reviewed_at:
            return _("Being decided")
        return _("Being reviewed")


def candidate_view(case, user) -> CandidateView | None:
    """None before the case is decided; else the appeal, if any, and whether one may be made."""
    if case is None or case.status != PROCESS.DONE or not case.outcome:
        return None
    appeal = appeal_of(case)
    reason = appeal_refusal(case, user) if appeal is None else ""
    return CandidateView(
        appeal=appeal,
        deadline=appeal_deadline(case),
        can_appeal=appeal is None and reason is None,
        refusal=reason or "",
    )


def candidate_next_action(case) -> str:
    """The timeline's "what next" while an appeal runs or after it was decided; "" without one."""
    appeal = appeal_of(case)
    if appeal is None:
        return ""
    if not appeal.outcome:
        return _(
            "Your appeal is being considered by people who did not handle your case; "
            "we will e-mail you the outcome and its reasons."
        )
    if appeal.outcome == Appeal.Result.OVERTURNED:
        return _("Your appeal succeeded: the decision is now %(outcome)s.") % {
            "outcome": case.get_outcome_display()
        }
    return _("Your appeal did not succeed: the decision stands (%(outcome)s).") % {
        "outcome": case.get_outcome_display()
    }
