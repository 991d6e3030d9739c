"""``PipelineError``, one located problem, and the wording helpers its messages share."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class PipelineError:
    """One problem: where it is and what to do.

    ``path`` names the place in the pipeline (``steps[2].when.step``; empty for the whole text or
    a syntax error); ``line`` and ``column`` (1-based) point into the source text when known.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    @property
    def place(self) -> str:
        """Where, for people: the path, or the line and column of a syntax error."""
        if self.path:
            return self.path
        if self.line is not None and self.column is not None:
            return _("line %(line)d, column %(column)d") % {
                "line": self.line,
                "column": self.column,
            }
        if self.line is not None:
            return _("line %(line)d") % {"line": self.line}
        return ""

    def __str__(self):
        text = f"{self.place}: {self.message}" if self.place else self.message
        if self.path and self.line is not None:
            text += " " + _("(line %(line)d)") % {"line": self.line}
        return text


def found_text(value: Any) -> str:
    if value is None:
        return _("an empty value")
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, int | float):
        return _("the number %(value)s") % {"value": value}
    if isinstance(value, str):
        return _("the text '%(value)s'") % {"value": value[:40]}
    if isinstance(value, list | tuple):
        return _("a list")
    if isinstance(value, Mapping):
        return _("a mapping")
    return _("a value of type %(type)s") % {"type": type(value).__name__}


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def join_values(values) -> str:
    return ", ".join(str(value) for value in values)
