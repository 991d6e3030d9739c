from celery import shared_task
from viewflow.workflow.timers import fire_due_conditions, fire_due_timers


@shared_task
def fire_workflow_timers() -> int:
    """Fire due deadlines (viewflow timers); celery beat runs it every minute."""
    return fire_due_timers() + fire_due_conditions()
