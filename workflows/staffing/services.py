"""Keep each specification's "open for applications" in step with its assessment's staffing,
and the named pools' members."""

from django.db import transaction

from credentials.catalogue import services as catalogue
from credentials.catalogue.models import Specification
from rpl.audit import services as audit
from workflows.models import NamedPool
from workflows.staffing.pools import PoolKey
from workflows.staffing.selectors import opening_refusal


def refresh(specification) -> bool:
    """Open or close ``specification`` for applications by its staffing; returns whether it is
    open now."""
    ready = opening_refusal(specification) is None
    if catalogue.set_assessment_ready(specification, ready):
        audit.record(
            actor=None,
            action="specification.opened" if ready else "specification.closed",
            target=specification,
            changes={"assessment_ready": ready},
        )
    return ready


def refresh_all() -> None:
    for specification in Specification.objects.order_by("pk"):
        refresh(specification)


@transaction.atomic
def set_named_pool(*, actor, specification, key: PoolKey, people) -> dict:
    """Make ``people`` the members of the named pool ``key``; returns what changed."""
    pool, _created = NamedPool.objects.get_or_create(
        specification=specification, role=key.role.value, name=key.name
    )
    current = set(pool.members.all())
    wanted = set(people)
    added, removed = wanted - current, current - wanted
    pool.members.add(*added)
    pool.members.remove(*removed)
    if not (added or removed):
        return {}
    return {
        "added": sorted(user.email for user in added),
        "removed": sorted(user.email for user in removed),
    }
