"""Numbers and durations as people read them, in the active language: a duration in the unit
that shows it (seconds, minutes, hours or days), a number without needless decimals."""

from datetime import timedelta

from django.utils.formats import number_format
from django.utils.translation import ngettext, pgettext

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def number(value, digits: int = 2) -> str:
    """``value`` rounded to ``digits`` decimals, trailing zeros dropped, localised (3,25; 4)."""
    if value is None or value == "":
        return "—"
    value = round(float(value), digits)
    if value.is_integer():
        return number_format(int(value))
    text = f"{value:.{digits}f}".rstrip("0")
    return number_format(float(text), len(text.split(".")[1]))


def duration(value: timedelta | None) -> str:
    """A duration in the largest unit it fills, with one decimal: "12.5 seconds",
    "12.5 minutes", "3.2 hours", "1.5 days" (under a second, whole milliseconds)."""
    if value is None or value == "":
        return "—"
    seconds = max(value.total_seconds(), 0)
    if seconds < 1:
        count = round(seconds * 1000)
        return ngettext("%(count)s millisecond", "%(count)s milliseconds", count) % {"count": count}
    # Decimal amounts of a unit read as fractions (in Polish, "1,5 godziny"): one form each.
    if seconds < MINUTE:
        amount, words = seconds, pgettext("fraction", "%(amount)s seconds")
    elif seconds < HOUR:
        amount, words = seconds / MINUTE, pgettext("fraction", "%(amount)s minutes")
    elif seconds < DAY:
        amount, words = seconds / HOUR, pgettext("fraction", "%(amount)s hours")
    else:
        amount, words = seconds / DAY, pgettext("fraction", "%(amount)s days")
    return words % {"amount": number_format(amount, 1)}


def percent(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{number_format(float(value), 0)}\u00a0%"  # never "100" on one line and "%" on the next
