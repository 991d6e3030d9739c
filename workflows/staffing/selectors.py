"""How a specification's assessment is staffed, in words, and whether it can be on every path."""

from django.utils.translation import gettext as _

from rpl.accounts.roles import Role
from workflows.models import SpecificationPipeline
from workflows.pipelines import schema
from workflows.pipelines.selectors import published_version
from workflows.staffing.analysis import Staffing, staffing
from workflows.staffing.pools import PoolKey, Pools, pool_of_step


def plan_of(specification):
    """The published plan new cases of ``specification`` start on, or None."""
    link = (
        SpecificationPipeline.objects.select_related("pipeline")
        .filter(specification=specification)
        .first()
    )
    version = published_version(link.pipeline.key) if link else None
    return schema.load_trusted(version.definition) if version else None


def pool_keys(plan, *, appeals: bool) -> list[PoolKey]:
    keys = list(dict.fromkeys(pool_of_step(step) for step in plan.steps))
    if appeals:
        keys += [
            key for key in (PoolKey(Role.ASSESSOR), PoolKey(Role.DECISION_MAKER)) if key not in keys
        ]
    return keys


def staffing_of(specification, plan=None) -> Staffing | None:
    """What the specification's published pipeline needs of its pools, or None without one."""
    plan = plan or plan_of(specification)
    if plan is None:
        return None
    appeals = bool(specification.appeal_window_days)
    pools = Pools([specification.pk])
    members = {
        key: pools.members(specification.pk, key) for key in pool_keys(plan, appeals=appeals)
    }
    return staffing(plan, members, appeals=appeals)


def opening_refusal(specification) -> str | None:
    """Why candidates cannot apply for ``specification`` yet (its assessment), or None."""
    if not SpecificationPipeline.objects.filter(specification=specification).exists():
        return _("No assessment pipeline is chosen for it.")
    result = staffing_of(specification)
    if result is None:
        return _("Its assessment pipeline has no published version.")
    if not result.staffed:
        return " ".join(result.shortfalls)
    return None
