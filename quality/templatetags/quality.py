from datetime import timedelta
from urllib.parse import urlencode

from django import template
from django.utils.formats import number_format

from quality.statistics import units
from quality.statistics.figures import audit_tasks

register = template.Library()


def _missing(value) -> bool:
    return value is None or value == ""


@register.filter
def duration(value: timedelta | None) -> str:
    """A duration in the unit that shows it: seconds, minutes, hours or days."""
    return units.duration(None if _missing(value) else value)


@register.filter
def percent(value: float | None) -> str:
    return units.percent(value)


@register.filter
def share(value: float | None) -> str:
    return "—" if _missing(value) else units.percent(value * 100)


@register.filter
def decimal(value: float | None) -> str:
    return "—" if _missing(value) else number_format(value, 2)


@register.filter
def last_day(moment):
    """The last day a period ending (exclusively) at ``moment`` covers."""
    return moment - timedelta(days=1)


@register.simple_tag
def period_query(form, **overrides) -> str:
    """The query string of the period form with some values replaced."""
    data = {name: form.data.get(name, "") for name in ("start", "end", "specification")}
    data.update({name: str(value) for name, value in overrides.items()})
    return urlencode({name: value for name, value in data.items() if value})


@register.simple_tag
def open_audit_tasks(user) -> dict:
    return audit_tasks(user, limit=10)
