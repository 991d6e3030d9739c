"""Reads on cases and their tasks, with a constant number of queries per call."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from assessments.scoresheets import records
from credentials.catalogue.models import Specification
from rpl.accounts.roles import Role
from workflows.flows import case_flow_class
from workflows.models import Case, Outcome, StepResult
from workflows.notifications import deadline_of
from workflows.work.duties import NODE_ACCESS, TaskOwners, may_take


def _tasks():
    return (
        Task.objects.filter(process__flow_class=case_flow_class(), flow_task_type="HUMAN")
        .select_related("process__case__specification", "process__case__candidate")
        .order_by("created")
    )


def with_deadlines(tasks):
    """Give each task its ``due`` time (None when its step has no deadline)."""
    now = timezone.now()
    for task in tasks:
        task.due = deadline_of(task)
        task.overdue = task.due is not None and task.due < now
    return tasks


def assigned_tasks(user, limit=100):
    return with_deadlines(list(_tasks().filter(owner=user, status=STATUS.ASSIGNED)[:limit]))


def claimable_tasks(user, limit=100):
    """Open tasks this user may take now: right role, in the pool, no conflict of duties."""
    if not any(user.has_role(role) for role, _ in NODE_ACCESS.values()):
        return []
    candidates = list(
        _tasks()
        .filter(status=STATUS.NEW, owner__isnull=True)
        .exclude(process__case__candidate=user)[: limit * 5]
    )
    if not candidates:
        return []
    cases = {task.process.case for task in candidates}
    checker = ObjectPermissionChecker(user)
    checker.prefetch_perms([case.specification for case in cases])
    owners = TaskOwners([case.pk for case in cases])
    return with_deadlines(
        [task for task in candidates if may_take(user, task, checker=checker, owners=owners)][
            :limit
        ]
    )


def case_results(case):
    return list(StepResult.objects.filter(case=case).select_related("actor"))


@dataclass
class ResultLine:
    """One recorded judgement, ready for a page: per outcome its score, rules and comment."""

    result: StepResult
    outcomes: list[dict]
    facts: list[tuple[str, str]]


def result_lines(results, case) -> list[ResultLine]:
    """Earlier results in words: what a person recorded per learning outcome, and other facts."""
    statements = {str(o.pk): o for o in case.specification.outcomes.all()}
    return [
        ResultLine(
            result=result,
            outcomes=_outcome_lines(result.record, statements),
            facts=_facts(result.record),
        )
        for result in results
    ]


def _outcome_lines(record: records.Record, statements: dict) -> list[dict]:
    """A score sheet's score, rules of evidence and comment per learning outcome, in order."""
    if not isinstance(record, records.ScoreSheet):
        return []
    return [
        {
            "outcome": statements.get(pk),
            "score": score,
            "rules": record.rules[pk].model_dump() if pk in record.rules else None,
            "comment": record.comments.get(pk, ""),
        }
        for pk, score in sorted(
            record.scores.items(),
            key=lambda pair: statements[pair[0]].position if pair[0] in statements else 0,
        )
    ]


def _facts(record: records.Record) -> list[tuple[str, str]]:
    match record:
        case records.IdentityCheck():
            facts = [(_("Identity confirmed"), _("Yes") if record.verified else _("No"))]
            if record.method:
                facts.append((_("Method"), record.method))
            if record.note:
                facts.append((_("Note"), record.note))
            return facts
        case records.TestResult():
            return [(_("Result"), f"{record.score_percent} %")]
        case records.Decision():
            facts = [(_("Decision"), str(Outcome(record.outcome).label))]
            if record.reasons:
                facts.append((_("Reasons"), record.reasons))
            return facts
        case records.ScoreSheet() if record.notes:
            return [(_("Notes"), record.notes)]
        case records.EvidenceRequest():
            return [(_("Asked for more evidence"), record.more_evidence)]
    return []


# Which staff role reads the cases of a specification through which pool permission.
POOL_READERS = {
    Role.ASSESSOR: "assess",
    Role.IDENTITY_OFFICER: "verify_identity",
    Role.DECISION_MAKER: "decide",
}
READ_ALL = (Role.QUALITY_OFFICER, Role.ADMINISTRATOR)


def cases_visible_to(user):
    """The cases ``user`` may read: their own (as a candidate); the cases of the specifications
    whose pool they are in, or in which they hold a task (assessors, identity officers and
    decision makers); every case (quality officers and administrators)."""
    if not user.is_active:
        return Case.objects.none()
    if any(user.has_role(role) for role in READ_ALL):
        return Case.objects.all()
    visible = Q(candidate=user) if user.has_role(Role.CANDIDATE) else Q(pk__in=[])
    codenames = [codename for role, codename in POOL_READERS.items() if user.has_role(role)]
    if codenames:
        pools = get_objects_for_user(
            user,
            [f"credentials.{codename}" for codename in codenames],
            klass=Specification,
            any_perm=True,
            accept_global_perms=False,
            with_superuser=False,
        )
        owned = Task.objects.filter(owner=user).values("process_id")
        visible |= Q(specification__in=pools) | Q(pk__in=owned)
    return Case.objects.filter(visible)
