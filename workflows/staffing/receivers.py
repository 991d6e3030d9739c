"""A specification opens for applications only when its assessment can be staffed: checked when
it is published and whenever the people change."""

from django.dispatch import receiver

from credentials.catalogue.signals import publishing
from rpl.accounts.changes import people_changed
from workflows.models import SpecificationPipeline
from workflows.staffing import services
from workflows.staffing.selectors import staffing_of


@receiver(publishing)
def refuse_unstaffed(sender, specification, **kwargs) -> list[str]:
    """A specification with a pipeline whose pools cannot staff it is not published; one
    without a pipeline is (it shows as not open for applications yet)."""
    if not SpecificationPipeline.objects.filter(specification=specification).exists():
        return []
    result = staffing_of(specification)
    return [] if result is None else result.shortfalls


@receiver(people_changed)
def restaff(sender, user, **kwargs) -> None:
    services.refresh_all()
