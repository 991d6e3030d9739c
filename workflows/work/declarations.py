"""Conflict-of-interest declarations: made once per person and case, before the first look."""

from django.utils.translation import gettext as _

from rpl.audit import services as audit
from workflows.models import ConflictDeclaration
from workflows.work import taking


class DeclarationError(Exception):
    """The declaration cannot be made; the message says why."""


def declaration_of(case, person) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(case=case, person=person).first()


def has_declared(case, person) -> bool:
    """Whether ``person`` declared no conflict of interest in ``case``: nothing of the case is
    shown to them, and nothing accepted from them, before."""
    declaration = declaration_of(case, person)
    return declaration is not None and not declaration.has_conflict


def declare(
    *, task, person, has_conflict: bool, reason: str = "", case=None
) -> ConflictDeclaration:
    """Record the declaration of the task's holder on ``case`` (by default the task's own case;
    an appeal's tasks declare on the appealed case); a conflict hands the task back to the pool.
    Runs under the flow's lock on the task's process."""
    with task.flow_task.flow_class.lock(task.process_id):
        taking.reload(task)
        return _declare(task, person, has_conflict, reason, case or task.coerced_process)


def _declare(task, person, has_conflict, reason, case) -> ConflictDeclaration:
    if task.owner_id != person.pk or task.status != "ASSIGNED":
        raise DeclarationError(_("Only the person holding the task declares for it."))
    if declaration_of(case, person) is not None:
        raise DeclarationError(_("You have already declared for this case."))
    reason = reason.strip()
    if has_conflict and not reason:
        raise DeclarationError(_("Say what the conflict of interest is."))
    declaration = ConflictDeclaration.objects.create(
        case=case, person=person, task=task, has_conflict=has_conflict, reason=reason
    )
    if has_conflict:
        task.flow_task.activation_class(task).unassign()
    audit.record(
        actor=person,
        action="case.conflict_declared" if has_conflict else "case.no_conflict_declared",
        target=case,
        changes={
            "task": task.flow_task.name,
            "step": (task.data or {}).get("step"),
            "process": task.process_id,
        }
        | ({"reason": reason} if has_conflict else {}),
    )
    return declaration
