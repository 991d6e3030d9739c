"""Reads on cases and their tasks, with a constant number of queries per call."""

from guardian.core import ObjectPermissionChecker
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.duties import NODE_ACCESS, TaskOwners, may_take
from workflows.models import StepResult


def _tasks():
    from workflows.flows import CaseFlow

    return (
        Task.objects.filter(process__flow_class=CaseFlow, flow_task_type="HUMAN")
        .select_related("process__case__specification", "process__case__candidate")
        .order_by("created")
    )


def assigned_tasks(user, limit=100):
    return list(_tasks().filter(owner=user, status=STATUS.ASSIGNED)[:limit])


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
    return [task for task in candidates if may_take(user, task, checker=checker, owners=owners)][
        :limit
    ]


def case_results(case):
    return list(StepResult.objects.filter(case=case).select_related("actor"))
