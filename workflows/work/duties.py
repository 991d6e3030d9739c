"""Who may take which task of a case: role, pool (a django-guardian object permission on the
specification) and separation of duties. ``refusal`` explains a "no" in the user's language.

The rules read two facts that pages showing many tasks load in bulk: the user's permissions on
specifications (a guardian ``ObjectPermissionChecker``) and who owns the other tasks of a case.
"""

from collections import defaultdict

from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from rpl.accounts.roles import Role
from workflows.models import ConflictDeclaration, NamedPool
from workflows.staffing.pools import PoolKey, holds_permission, pool_of_step

ASSESS_NODES = frozenset({"assess_1", "assess_2", "assess_3"})
# The statuses of a task someone holds (taken, or being done in the current request).
OPEN = (STATUS.ASSIGNED, STATUS.STARTED)
DECISION_NODES = frozenset({"decision", "panel_2", "panel_3", "panel_4", "panel_5"})
SCORING_NODES = ASSESS_NODES | {"moderate", "test", "identity_check"}

# node name -> (role, object permission codename on the case's specification)
NODE_ACCESS = {
    "identity_check": (Role.IDENTITY_OFFICER, "verify_identity"),
    "assess_1": (Role.ASSESSOR, "assess"),
    "assess_2": (Role.ASSESSOR, "assess"),
    "assess_3": (Role.ASSESSOR, "assess"),
    "moderate": (Role.ASSESSOR, "assess"),
    "test": (Role.ASSESSOR, "assess"),
    **dict.fromkeys(DECISION_NODES, (Role.DECISION_MAKER, "decide")),
}


class TaskOwners:
    """Who owns the (not cancelled) tasks of some cases and who declared a conflict of interest in
    them, loaded in two queries (and the members of their named pools in one more, when asked)."""

    def __init__(self, case_ids):
        case_ids = list(case_ids)
        self.case_ids = case_ids
        self._named = None
        self.by_case = defaultdict(list)
        self.conflicted = set(
            ConflictDeclaration.objects.filter(case_id__in=case_ids, has_conflict=True).values_list(
                "case_id", "person_id"
            )
        )
        rows = (
            Task.objects.filter(process_id__in=case_ids, owner__isnull=False)
            .exclude(status=STATUS.CANCELED)
            .values_list("pk", "process_id", "flow_task", "owner_id", "data")
        )
        for pk, case_id, flow_task, owner_id, data in rows:
            node = getattr(flow_task, "name", None)
            data = data or {}
            step = (data.get("step"), data.get("round", 1))
            self.by_case[case_id].append((pk, node, step, owner_id))

    def in_named_pool(self, user_id, specification_id, key: PoolKey) -> bool:
        if self._named is None:
            self._named = set(
                NamedPool.members.through.objects.filter(
                    namedpool__specification__cases__in=self.case_ids
                ).values_list(
                    "namedpool__specification_id", "namedpool__role", "namedpool__name", "user_id"
                )
            )
        return (specification_id, key.role.value, key.name, user_id) in self._named

    def owners(self, case_id, nodes, *, step=None, exclude_task_id=None) -> set[int]:
        """Owners of the case's tasks at ``nodes``; ``step`` is (step id, round) to narrow."""
        return {
            owner
            for pk, node, task_step, owner in self.by_case.get(case_id, ())
            if node in nodes and pk != exclude_task_id and (step is None or task_step == step)
        }


def pool_key(task) -> PoolKey:
    """The pool that takes ``task``: the one its step names, or its role's default pool."""
    role, _codename = NODE_ACCESS[task.flow_task.name]
    try:
        step = task.coerced_process.plan_model.step((task.data or {}).get("step"))
    except KeyError:
        return PoolKey(role)
    return PoolKey(role, pool_of_step(step).name)


def refusal(
    user, task, *, checker=None, owners: TaskOwners | None = None, pool: set[int] | None = None
) -> str | None:
    """Why ``user`` may not take ``task``, or None when they may. ``pool``: the ids of the
    task's pool, when the caller has them (otherwise it is checked for ``user`` alone)."""
    case = task.coerced_process
    node = task.flow_task.name
    if node not in NODE_ACCESS:
        return _("This task is not taken by people.")
    role, codename = NODE_ACCESS[node]
    if not user.is_active or not user.has_role(role):
        return _("This task needs the role: %(role)s.") % {"role": role.label}
    if user.pk == case.candidate_id:
        return _("Nobody may assess or decide their own case.")
    owners = owners or TaskOwners([case.pk])
    if pool is not None:
        in_pool = user.pk in pool
    else:
        key = pool_key(task)
        if key.name:
            in_pool = owners.in_named_pool(user.pk, case.specification_id, key)
        else:
            in_pool = (
                checker.has_perm(codename, case.specification)
                if checker
                else holds_permission(user, case.specification_id, codename)
            )
    if not in_pool:
        return _("You are not in the pool of people for this step of this micro-credential.")
    if (case.pk, user.pk) in owners.conflicted:
        return _("You declared a conflict of interest in this case.")
    data = task.data or {}
    step = (data.get("step"), data.get("round", 1))
    if node in ASSESS_NODES and user.pk in owners.owners(
        case.pk, ASSESS_NODES, step=step, exclude_task_id=task.pk
    ):
        return _("You already assess this step of the case: another assessor must take this task.")
    if node == "moderate" and user.pk in owners.owners(case.pk, ASSESS_NODES, step=step):
        return _("A moderator must not be one of the step's assessors.")
    if node in DECISION_NODES:
        if user.pk in owners.owners(case.pk, SCORING_NODES):
            return _("You took part in assessing this case, so you may not decide it.")
        if user.pk in owners.owners(case.pk, DECISION_NODES, step=step, exclude_task_id=task.pk):
            return _("You already sit on this case's panel: another member must take this seat.")
    return None


def may_take(user, task, **kwargs) -> bool:
    return refusal(user, task, **kwargs) is None
