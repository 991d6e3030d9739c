"""Set up how a specification is assessed: its pipeline and its pools of people."""

from django.db import transaction
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from rpl.accounts.roles import Role
from rpl.audit import services as audit
from workflows.cases import services as case_services
from workflows.models import NamedPool
from workflows.setup.forms import POOLS
from workflows.staffing import services as staffing
from workflows.staffing.pools import PoolKey


def pool_members(specification) -> dict[str, set]:
    members = {name: set() for name in POOLS}
    perms = get_users_with_perms(specification, attach_perms=True, with_group_users=False)
    for user, codenames in perms.items():
        for name, (codename, _role) in POOLS.items():
            if codename in codenames:
                members[name].add(user)
    return members


def named_pool_members(specification, keys) -> dict[PoolKey, set]:
    members = {key: set() for key in keys}
    for pool in NamedPool.objects.filter(specification=specification).prefetch_related("members"):
        key = PoolKey(Role(pool.role), pool.name)
        if key in members:
            members[key] = set(pool.members.all())
    return members


@transaction.atomic
def set_up(*, actor, specification, pipeline, pools: dict[str, set], named=None) -> bool:
    """Assess ``specification`` with ``pipeline`` and these pools (``pools`` by default pool
    field, ``named`` by ``PoolKey``); returns whether it is open for applications now."""
    if pipeline is not None:
        case_services.assign_pipeline(actor=actor, specification=specification, pipeline=pipeline)
    current = pool_members(specification)
    changes = {}
    for name, (codename, _role) in POOLS.items():
        wanted = set(pools.get(name, ()))
        added, removed = wanted - current[name], current[name] - wanted
        for user in added:
            assign_perm(f"credentials.{codename}", user, specification)
        for user in removed:
            remove_perm(f"credentials.{codename}", user, specification)
        if added or removed:
            changes[name] = {
                "added": sorted(u.email for u in added),
                "removed": sorted(u.email for u in removed),
            }
    for key, people in (named or {}).items():
        changed = staffing.set_named_pool(
            actor=actor, specification=specification, key=key, people=people
        )
        if changed:
            changes[f"{key.role.value}:{key.name}"] = changed
    if changes:
        audit.record(
            actor=actor, action="specification.pools_changed", target=specification, changes=changes
        )
    return staffing.refresh(specification)
