from datetime import timedelta
from urllib.parse import urlencode

from django import template
from django.utils.formats import number_format

from quality.statistics.figures import audit_tasks

register = template.Library()


@register.filter
def days(value: timedelta | None) -> str:
    """A duration as a number of days with one decimal (the column header names the unit)."""
    return "—" if value is None else number_format(value.total_seconds() / 86400, 1)


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{number_format(value, 0)} %"


@register.filter
def share(value: float | None) -> str:
    return "—" if value is None else percent(value * 100)


@register.filter
def decimal(value: float | None) -> str:
    return "—" if value is None else number_format(value, 2)


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
