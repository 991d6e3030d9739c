"""Taking a pooled task and giving it back, the same way in every flow (cases, appeals, audits):
under the flow's lock on the process, with an audit event."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from rpl.audit import services as audit


def take(task, user, *, refusal, action: str, target, changes: dict) -> str | None:
    """Give ``task`` to ``user``; returns why not (already taken, or ``refusal(user, task)``)."""
    with transaction.atomic(), task.flow_task.flow_class.lock(task.process_id):
        task.refresh_from_db()
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
    with transaction.atomic(), task.flow_task.flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.owner_id != user.pk or task.status != "ASSIGNED":
            raise PermissionDenied
        task.flow_task.activation_class(task).unassign()
        audit.record(actor=user, action=action, target=target, changes=changes)
