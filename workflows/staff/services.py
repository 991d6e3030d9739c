"""Administrators look after the staff's accounts: invitations, roles, deactivation of leavers.

Each change has a ``*_refusal`` that says why it may not be made (or None); the change checks it
again in its transaction and raises ``StaffError`` with that reason. Nobody changes their own
roles or deactivates themselves, and there is always an active administrator left.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from rpl.accounts import invitations
from rpl.accounts.changes import people_changed
from rpl.accounts.identifiers import normalise_email
from rpl.accounts.roles import Role
from rpl.accounts.services import ensure_user
from rpl.audit import services as audit
from workflows.staff.selectors import STAFF_ROLES, held_tasks


class StaffError(Exception):
    """A change to someone's account refused; the message says why."""


def _refuse(reason: str | None) -> None:
    if reason:
        raise StaffError(reason)


def _active_administrators(*, lock: bool = False):
    people = get_user_model().objects.filter(groups__name=Role.ADMINISTRATOR, is_active=True)
    # Two administrators removing each other at once must not both succeed.
    return people.select_for_update(of=("self",)) if lock else people


def _is_last_administrator(person) -> bool:
    return (
        person.is_active
        and person.has_role(Role.ADMINISTRATOR)
        and not _active_administrators().exclude(pk=person.pk).exists()
    )


def _set_active(person, active: bool) -> None:
    person.is_active = active
    person.save(update_fields=["is_active"])
    transaction.on_commit(lambda: people_changed.send(sender=type(person), user=person))


def _fresh(person):
    """``person`` as stored now (their roles loaded again), once the administrators are locked."""
    list(_active_administrators(lock=True))
    return get_user_model().objects.get(pk=person.pk)


# Invitations ------------------------------------------------------------------------------------


def invitation_refusal(email: str) -> str | None:
    if get_user_model().objects.filter(email__iexact=normalise_email(email)).exists():
        return _(
            "Someone already has an account with this address. Find them in the list of people "
            "to change their roles."
        )
    return None


@transaction.atomic
def invite(*, actor, email: str, full_name: str, roles: list[Role], language: str = ""):
    """Open an account with no password holding ``roles`` and e-mail the person a link to choose
    one. Administrators may also use the Django admin, as the first one (``createadmin``) does."""
    _refuse(invitation_refusal(email))
    is_admin = Role.ADMINISTRATOR in roles
    person, _created = ensure_user(
        email,
        full_name=full_name,
        roles=roles,
        actor=actor,
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    if language:
        person.language = language
        person.save(update_fields=["language"])
    audit.record(
        actor=actor,
        action="user.invited",
        target=person,
        changes={"email": person.email, "roles": [role.value for role in roles]},
    )
    invitations.send(person, inviter=actor)
    return person


def resend_refusal(person) -> str | None:
    if not person.is_active:
        return _("This account is deactivated. Reactivate it first.")
    if not any(role in STAFF_ROLES for role in person.roles):
        return _("Only staff are invited: give this person a role first.")
    if not invitations.is_pending(person):
        return _(
            "This person has already chosen a password. If they forgot it, they can ask for a "
            "new one on the log-in page."
        )
    return None


@transaction.atomic
def resend_invitation(*, actor, person) -> None:
    """E-mail a new link; the earlier links stop working."""
    person = _fresh(person)
    _refuse(resend_refusal(person))
    person.set_unusable_password()
    person.save(update_fields=["password"])
    audit.record(actor=actor, action="user.invitation_resent", target=person)
    invitations.send(person, inviter=actor)


# Roles ------------------------------------------------------------------------------------------


def roles_refusal(actor, person, roles: list[Role]) -> str | None:
    if actor is not None and actor.pk == person.pk:
        return _("Nobody changes their own roles: ask another administrator.")
    if Role.ADMINISTRATOR not in roles and _is_last_administrator(person):
        return _("This is the last active administrator: make someone else one first.")
    return None


@transaction.atomic
def change_roles(*, actor, person, roles: list[Role]) -> None:
    """Give ``person`` exactly the staff ``roles`` (a candidate stays one). Administrators may
    use the Django admin, and only they."""
    person = _fresh(person)
    _refuse(roles_refusal(actor, person, roles))
    kept = [Role.CANDIDATE] if person.has_role(Role.CANDIDATE) else []
    ensure_user(person.email, full_name=person.full_name, roles=kept + roles, actor=actor)
    is_admin = Role.ADMINISTRATOR in roles
    if (person.is_staff, person.is_superuser) != (is_admin, is_admin):
        person.is_staff = person.is_superuser = is_admin
        person.save(update_fields=["is_staff", "is_superuser"])


# Deactivation -----------------------------------------------------------------------------------


def deactivation_refusal(actor, person) -> str | None:
    if actor is not None and actor.pk == person.pk:
        return _("Nobody deactivates their own account: ask another administrator.")
    if not person.is_active:
        return _("This account is already deactivated.")
    if _is_last_administrator(person):
        return _("This is the last active administrator: make someone else one first.")
    return None


@transaction.atomic
def deactivate(*, actor, person) -> int:
    """Stop ``person`` logging in and give the tasks they hold back to their pools; what they
    did stays. Returns how many tasks went back."""
    person = _fresh(person)
    _refuse(deactivation_refusal(actor, person))
    _set_active(person, False)
    returned = [task.pk for task in held_tasks(person) if _return_to_pool(task, person, actor)]
    audit.record(
        actor=actor, action="user.deactivated", target=person, changes={"tasks_returned": returned}
    )
    return len(returned)


def _return_to_pool(task, person, actor) -> bool:
    with task.flow_task.flow_class.lock(task.process_id):
        task.refresh_from_db()
        # A task being recorded as we waited for the lock is done now: it stays theirs.
        if task.owner_id != person.pk or task.status != STATUS.ASSIGNED:
            return False
        task.flow_task.activation_class(task).unassign()
        audit.record(
            actor=actor,
            action="task.returned_to_pool",
            target=task.coerced_process,
            changes={"task": task.flow_task.name, "from": person.email},
        )
    return True


def reactivation_refusal(person) -> str | None:
    if person.is_active:
        return _("This account is active already.")
    return None


@transaction.atomic
def reactivate(*, actor, person) -> None:
    """Let ``person`` log in again, with the roles they had; the tasks they gave back stay in
    their pools."""
    person = _fresh(person)
    _refuse(reactivation_refusal(person))
    _set_active(person, True)
    audit.record(actor=actor, action="user.reactivated", target=person)
