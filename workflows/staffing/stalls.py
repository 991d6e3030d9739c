"""Tasks that wait on nobody: no eligible person can take them, or nobody has for too long.

Computed from the live state each time, so a stall disappears as soon as someone eligible is
added (or takes the task). The number of queries does not grow with the tasks or the pools."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.appeals import services as appeals
from workflows.flows import appeal_flow_class, case_flow_class
from workflows.staffing.analysis import step_title
from workflows.staffing.pools import PoolKey, Pools
from workflows.work import duties


@dataclass
class Stall:
    task: Task
    case: object  # the case (for an appeal's task: the appealed case)
    step: str
    pool: PoolKey
    waiting_since: datetime
    nobody_eligible: bool
    reason: str

    @property
    def waiting_days(self) -> float:
        return (timezone.now() - self.waiting_since).total_seconds() / 86400


def _open_tasks(process_ids=None):
    tasks = Task.objects.filter(
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        owner__isnull=True,
        process__flow_class__in=[case_flow_class(), appeal_flow_class()],
    ).select_related(
        "process__case__specification",
        "process__case__candidate",
        "process__appeal__appealed_case__specification",
    )
    if process_ids is not None:
        tasks = tasks.filter(process_id__in=process_ids)
    return [task for task in tasks.order_by("created") if task.flow_task is not None]


def _is_appeal(task) -> bool:
    return task.flow_task.flow_class is appeal_flow_class()


def stalls(*, now=None, process_ids=None) -> list[Stall]:
    """Every open, untaken task that nobody eligible can take, or that has waited untaken
    longer than ``WORKFLOW_UNTAKEN_HOURS``; the oldest first."""
    now = now or timezone.now()
    tasks = _open_tasks(process_ids)
    if not tasks:
        return []
    cases = {task.pk: _case_of(task) for task in tasks}
    pools = Pools({case.specification_id for case in cases.values()})
    keys = {task.pk: _pool_key(task) for task in tasks}
    member_ids = set().union(
        *(pools.members(cases[t.pk].specification_id, keys[t.pk]) for t in tasks)
    )
    people = {
        person.pk: person
        for person in get_user_model().objects.filter(pk__in=member_ids).prefetch_related("groups")
    }
    owners = duties.TaskOwners([t.process_id for t in tasks if not _is_appeal(t)])
    appeal_people = appeals.AppealPeople([t.process.appeal for t in tasks if _is_appeal(t)])
    untaken = timedelta(hours=settings.WORKFLOW_UNTAKEN_HOURS)
    found = []
    for task in tasks:
        case, key = cases[task.pk], keys[task.pk]
        pool = pools.members(case.specification_id, key)
        reasons = defaultdict(int)
        eligible = 0
        for pk in pool:
            if _is_appeal(task):
                why = appeals.refusal(people[pk], task, people=appeal_people, pool=pool)
            else:
                why = duties.refusal(people[pk], task, owners=owners, pool=pool)
            if why is None:
                eligible += 1
            else:
                reasons[why] += 1
        if eligible and now - task.created < untaken:
            continue
        found.append(
            Stall(
                task=task,
                case=case,
                step=_step_words(task, case),
                pool=key,
                waiting_since=task.created,
                nobody_eligible=not eligible,
                reason=_reason(key, pool, eligible, reasons, task, now),
            )
        )
    return found


def _case_of(task):
    return task.process.appeal.appealed_case if _is_appeal(task) else task.process.case


def _pool_key(task) -> PoolKey:
    if _is_appeal(task):
        role, _codename = appeals.NODE_ACCESS[task.flow_task.name]
        return PoolKey(role)
    return duties.pool_key(task)


def _step_words(task, case) -> str:
    if _is_appeal(task):
        return str(task.flow_task.task_title)
    try:
        return step_title(case.plan_model.step((task.data or {}).get("step")))
    except KeyError:
        return str(task.flow_task.task_title)


def _reason(key, pool, eligible, reasons, task, now) -> str:
    if not pool:
        return _("Nobody is in the pool %(pool)s.") % {"pool": key.label}
    if not eligible:
        why = "; ".join(
            _("%(count)d: %(reason)s") % {"count": count, "reason": reason}
            for reason, count in sorted(reasons.items())
        )
        return _(
            "Nobody in the pool %(pool)s may take it (people refused, by reason — %(why)s). "
            "Add someone who may."
        ) % {"pool": key.label, "why": why}
    hours = int((now - task.created).total_seconds() // 3600)
    return _(
        "Nobody has taken it for %(hours)d hours, though %(eligible)d people of the pool "
        "%(pool)s may."
    ) % {"hours": hours, "eligible": eligible, "pool": key.label}


def waiting_for_staff(case) -> bool:
    """Whether an open task of ``case`` (or of an appeal against it) waits for a person
    nobody eligible can be."""
    process_ids = [case.pk, *case.appeals.values_list("pk", flat=True)]
    return any(stall.nobody_eligible for stall in stalls(process_ids=process_ids))
