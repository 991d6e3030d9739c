"""Taking a pooled task and giving it back, the same way in every flow (cases, appeals, audits):
under the flow's lock on the process, with an audit event."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from rpl.audit import services as audit


def reload(task, *related: str) -> None:
    """Read ``task`` again (under the flow's lock: what it was may be stale) with its process, as
    the flow's own model, and the process's ``related`` objects, in one query."""
    process = f"process__{task.flow_task.flow_class.process_class._meta.model_name}"
    task.refresh_from_db(
        from_queryset=Task.objects.select_related(process, *(f"{process}__{r}" for r in related))
    )


def take(task, user, *, refusal, action: str, target, changes: dict) -> str | None:
    """Give ``task`` to ``user``; returns why not (already taken, or ``refusal(user, task)``).
    Taking a task one already holds changes nothing."""
    with task.flow_task.flow_class.lock(task.process_id):
        reload(task)
        if task.owner_id == user.pk and task.status == "ASSIGNED":
            return None
        if task.owner_id is not None or task.status != "NEW":
            return _("Someone else has already taken this task.")
        reason = refusal(user, task)
        if reason:
            return reason
        task.flow_task.activation_class(task).assign(user)
        audit.record(actor=user, action=action, target=target, changes=changes)
    return None


def release(task, user, *, action: str, target, changes: dict) -> None:
    """Give ``task`` back to its pool; only its holder may."""
    with task.flow_task.flow_class.lock(task.process_id):
        reload(task)
        if task.owner_id != user.pk or task.status != "ASSIGNED":
            raise PermissionDenied
        task.flow_task.activation_class(task).unassign()
        audit.record(actor=user, action=action, target=target, changes=changes)
