"""E-mails that tell the people who must act next: a new task to its pool, and a reminder before
a task's deadline to whoever holds it (or to the pool while nobody does)."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from rpl.accounts.mail import tell
from rpl.accounts.roles import Role
from rpl.site import absolute
from workflows.flows import case_flow_class
from workflows.staffing.analysis import step_title
from workflows.staffing.pools import pool_members
from workflows.work.duties import DECISION_NODES, NODE_ACCESS, TaskOwners, may_take, pool_key


def case_link(case) -> str:
    """Where the candidate follows their case (their home page for a case without one)."""
    if case.application_id is None:
        return absolute(reverse("home"))
    return absolute(reverse("case_timeline", args=[case.application_id]))


def pool_of(task) -> list:
    """The active people who may take ``task`` now (role, pool and separation of duties), in a
    number of queries that does not grow with the pool."""
    if task.flow_task.name not in NODE_ACCESS:
        return []
    case = task.coerced_process
    people = list(pool_members(case.specification_id, pool_key(task)).prefetch_related("groups"))
    pool = {person.pk for person in people}
    owners = TaskOwners([case.pk])
    return [person for person in people if may_take(person, task, owners=owners, pool=pool)]


def announce_task(task) -> None:
    """Tell the pool that a task waits for one of them (after the transaction commits). A
    panel's seats open together and have one pool: its first seat (``decision``) tells it."""
    if task.flow_task.name in DECISION_NODES - {"decision"}:
        return
    case = task.coerced_process

    def compose(reader):
        subject = _("A task waits for you: %(task)s, case %(case)s") % {
            "task": task.flow_task.task_title,
            "case": case.pk,
        }
        body = _(
            "Hello,\n\nThe case %(case)s for “%(credential)s” needs someone for the task "
            "“%(task)s”. The first person to take it does it.\n\nYour work list: %(link)s"
        ) % {
            "case": case.pk,
            "credential": case.specification.title,
            "task": task.flow_task.task_title,
            "link": absolute(reverse("work_inbox")),
        }
        return subject, body

    people = pool_of(task)
    if people:
        tell(people, compose)
    else:
        step = case.plan_model.step(task.data["step"])
        tell_unstaffed(case, step_title(step))


def tell_unstaffed(case, step) -> None:
    """A new task of ``case`` at ``step`` has nobody who may take it: tell every administrator
    now (the task is also listed under "Needs staff" on their home page)."""

    def compose(reader):
        subject = _("Needs staff: case %(case)s, “%(step)s”") % {"case": case.pk, "step": step}
        body = _(
            "Hello,\n\nThe case %(case)s for “%(credential)s” waits at “%(step)s”, and nobody "
            "in its pool may take the task (the pool is empty, or everyone in it took part in "
            "the case or declared a conflict of interest). The case cannot move on until "
            "someone eligible is added to the pool.\n\nWhat needs staff: %(link)s"
        ) % {
            "case": case.pk,
            "credential": case.specification.title,
            "step": step,
            "link": absolute(reverse("home")),
        }
        return subject, body

    administrators = get_user_model().objects.filter(
        is_active=True, groups__name=Role.ADMINISTRATOR.value
    )
    tell(administrators, compose)


def deadline_of(task):
    case = task.coerced_process
    step_id = (task.data or {}).get("step")
    try:
        step = case.plan_model.step(step_id)
    except (KeyError, LookupError, ValueError):
        return None
    if step is None or step.deadline is None:
        return None
    return task.created + timedelta(days=step.deadline.days)


def send_deadline_reminders(now=None) -> int:
    """Remind once per task, ``WORKFLOW_REMINDER_DAYS`` before its deadline. Returns how many."""
    now = now or timezone.now()
    ahead = timedelta(days=settings.WORKFLOW_REMINDER_DAYS)
    sent = 0
    open_tasks = (
        Task.objects.filter(
            process__flow_class=case_flow_class(),
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        )
        .select_related("owner", "process__case__specification")
        .order_by("pk")
    )
    for task in open_tasks.iterator(chunk_size=200):
        if (task.data or {}).get("reminded"):
            continue
        due = deadline_of(task)
        if due is None or not (now >= due - ahead):
            continue
        recipients = [task.owner] if task.owner_id else pool_of(task)
        with transaction.atomic():
            locked = Task.objects.select_for_update().get(pk=task.pk)
            if (locked.data or {}).get("reminded"):
                continue
            locked.data = {**(locked.data or {}), "reminded": now.isoformat()}
            locked.save(update_fields=["data"])
        if recipients:
            tell(recipients, partial(_reminder, task, due))
            sent += 1
    return sent


def _reminder(task, due, reader) -> tuple[str, str]:
    case = task.coerced_process
    date = date_format(timezone.localtime(due), "DATE_FORMAT")
    subject = _("Reminder: case %(case)s is due on %(date)s") % {"case": case.pk, "date": date}
    body = _(
        "Hello,\n\nThe task “%(task)s” of case %(case)s for “%(credential)s” is due on "
        "%(date)s.\n\nYour work list: %(link)s"
    ) % {
        "task": task.flow_task.task_title,
        "case": case.pk,
        "credential": case.specification.title,
        "date": date,
        "link": absolute(reverse("work_inbox")),
    }
    return subject, body
