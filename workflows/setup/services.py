"""Set up how a specification is assessed: its pipeline and its pools of people."""

from django.db import transaction
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from rpl.accounts.roles import Role
from rpl.audit import services as audit
from workflows.cases import services as case_services
from workflows.cases.assessment_elements import contradictions
from workflows.models import NamedPool
from workflows.pipelines import schema
from workflows.pipelines.selectors import published_version
from workflows.setup.forms import POOLS
from workflows.staffing import services as staffing
from workflows.staffing.pools import PoolKey


class SetupRefused(Exception):
    """The set-up is refused; ``str(error)`` says why, in the user's language."""


def pipeline_refusal(specification, pipeline) -> str | None:
    """Why ``pipeline`` cannot assess ``specification``: what the published specification says
    otherwise than the pipeline's published plan (a draft is checked when it is published)."""
    version = published_version(pipeline.key)
    if not specification.is_published or version is None:
        return None
    found = contradictions(specification, schema.load_trusted(version.definition))
    return " ".join(contradiction.message for contradiction in found) or None


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
    field, ``named`` by ``PoolKey``); returns whether it is open for applications now. A new
    pipeline that contradicts the specification is refused (``SetupRefused``), and nothing
    changes."""
    if pipeline is not None and pipeline != case_services.pipeline_for(specification):
        refusal = pipeline_refusal(specification, pipeline)
        if refusal:
            raise SetupRefused(refusal)
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
