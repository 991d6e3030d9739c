"""Set up how a specification is assessed: its pipeline and its pools of people."""

from django.db import transaction
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from rpl.audit import services as audit
from workflows.cases import services as case_services
from workflows.setup.forms import POOLS


def pool_members(specification) -> dict[str, set]:
    members = {name: set() for name in POOLS}
    perms = get_users_with_perms(specification, attach_perms=True, with_group_users=False)
    for user, codenames in perms.items():
        for name, (codename, _role) in POOLS.items():
            if codename in codenames:
                members[name].add(user)
    return members


@transaction.atomic
def set_up(*, actor, specification, pipeline, pools: dict[str, set]) -> None:
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
    if changes:
        audit.record(
            actor=actor, action="specification.pools_changed", target=specification, changes=changes
        )
