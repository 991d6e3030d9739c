from celery import shared_task
from viewflow.workflow.models import Task
from viewflow.workflow.timers import fire_due_conditions, fire_due_timers

from workflows import notifications
from workflows.identity import services as identity
from workflows.staffing import alerts


@shared_task
def fire_workflow_timers() -> int:
    """Fire due deadlines (viewflow timers); celery beat runs it every minute."""
    return fire_due_timers() + fire_due_conditions()


@shared_task
def announce_task(task_pk: int) -> bool:
    """Tell the pool of a new task that it waits, unless someone took it (or it ended) first;
    the engine queues it when the task's transaction commits."""
    task = (
        Task.objects.select_related("process__case__specification")
        .filter(pk=task_pk, owner__isnull=True, finished__isnull=True)
        .first()
    )
    if task is None:
        return False
    notifications.announce_task(task)
    return True


@shared_task
def send_deadline_reminders() -> int:
    """Remind people of tasks due soon; celery beat runs it every hour."""
    return notifications.send_deadline_reminders()


@shared_task
def sweep_identity_documents() -> int:
    """Delete identity documents left by cases whose identity step ended without a recorded
    check; celery beat runs it every hour."""
    return identity.sweep()


@shared_task
def send_stall_digest() -> int:
    """E-mail the cases without progress and the tasks that need staff; celery beat runs it
    daily."""
    return alerts.send_stall_digest()
