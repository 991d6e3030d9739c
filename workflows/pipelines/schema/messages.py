"""Pydantic's validation errors as ``PipelineError``s: our paths, messages that say what to do."""

import difflib
import re
import types
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, Union, get_args, get_origin

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from workflows.pipelines.schema.conditions import CONDITION_TAGS, Condition
from workflows.pipelines.schema.errors import PipelineError, format_value, found_text, join_values
from workflows.pipelines.schema.kinds import StepKind
from workflows.pipelines.schema.models import STEP_CLASSES, PipelinePlan, Step, field_order


def _quoted_values(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text or "")


@dataclass
class _Located:
    path: str
    parent: type[BaseModel] | None = None
    field: FieldInfo | None = None
    name: str | None = None
    union: str | None = None  # "step" or "condition" when the loc ends on a union


_STEP_UNION = "step"
_CONDITION_UNION = "condition"


def _classify(annotation: Any) -> Any:
    """What a value of ``annotation`` is, for walking an error location."""
    if annotation == Step:
        return _STEP_UNION
    if annotation == Condition:
        return _CONDITION_UNION
    origin = get_origin(annotation)
    if origin is list:
        return ("list", _classify(get_args(annotation)[0]))
    if origin in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _classify(members[0]) if len(members) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _locate(loc: tuple) -> _Located:
    """Turn a pydantic error location into our path, dropping union tags."""
    path = ""
    cursor: Any = PipelinePlan
    located = _Located(path="")
    for element in loc:
        if cursor in (_STEP_UNION, _CONDITION_UNION):
            classes = STEP_CLASSES if cursor == _STEP_UNION else CONDITION_TAGS
            if isinstance(element, str) and element in classes:
                cursor = classes[element]
                continue
            cursor = None
        if isinstance(element, int):
            path += f"[{element}]"
            cursor = cursor[1] if isinstance(cursor, tuple) else None
            located = _Located(path=path)
            continue
        name = str(element)
        path = f"{path}.{name}" if path else name
        if isinstance(cursor, type) and issubclass(cursor, BaseModel):
            field = cursor.model_fields.get(name)
            located = _Located(path=path, parent=cursor, field=field, name=name)
            cursor = _classify(field.annotation) if field else None
        else:
            located = _Located(path=path, name=name)
            cursor = None
    if cursor in (_STEP_UNION, _CONDITION_UNION):
        located.union = cursor
    located.path = path
    return located


def _allowed_values(annotation: Any) -> list[str]:
    values: list[str] = []
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return [member.value for member in annotation]
    if get_origin(annotation) is Literal:
        return [str(arg) for arg in get_args(annotation)]
    for arg in get_args(annotation):
        values.extend(_allowed_values(arg))
    return values


def _bounds(field: FieldInfo | None) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for item in getattr(field, "metadata", []) or []:
        for name in ("gt", "ge", "lt", "le"):
            value = getattr(item, name, None)
            if value is not None:
                bounds[name] = value
    return bounds


def _is_int_field(field: FieldInfo | None) -> bool:
    if field is None:
        return False
    annotation = field.annotation
    return annotation is int or int in get_args(annotation)


def _range_message(value: Any, bounds: dict[str, Any], whole: bool) -> str:
    params = {
        "value": format_value(value),
        "low": format_value(bounds.get("ge", bounds.get("gt"))),
        "high": format_value(bounds.get("le", bounds.get("lt"))),
    }
    if "ge" in bounds and "le" in bounds:
        if whole:
            return _("%(value)s is out of range: use a whole number from %(low)s to %(high)s.") % (
                params
            )
        return _("%(value)s is out of range: use a number from %(low)s to %(high)s.") % params
    if "gt" in bounds and "le" in bounds:
        return (
            _("%(value)s is out of range: use a number greater than %(low)s and at most %(high)s.")
            % params
        )
    if "ge" in bounds:
        return _("%(value)s is too small: use a number of at least %(low)s.") % params
    if "gt" in bounds:
        return _("%(value)s is too small: use a number greater than %(low)s.") % params
    return _("%(value)s is too large: use a number of at most %(high)s.") % params


_KIND_LIST = ", ".join(kind.value for kind in StepKind)


def _message(error: dict, where: _Located) -> tuple[str, str]:  # noqa: C901 - one branch per type
    """Our path and message for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    path = where.path
    annotation = where.field.annotation if where.field else None

    if kind == "missing":
        allowed = _allowed_values(annotation)
        if allowed:
            return path, _("This setting is required: set it to one of %(allowed)s.") % {
                "allowed": join_values(allowed)
            }
        return path, _("This setting is required: add it.")
    if kind == "extra_forbidden":
        name = where.name or ""
        allowed = field_order(where.parent) if where.parent else []
        close = difflib.get_close_matches(name, allowed, n=1)
        if close:
            return path, _(
                "Unknown setting '%(name)s': did you mean '%(close)s'? Allowed here: %(allowed)s."
            ) % {"name": name, "close": close[0], "allowed": join_values(allowed)}
        return path, _(
            "Unknown setting '%(name)s': remove it or check its spelling. "
            "Allowed here: %(allowed)s."
        ) % {"name": name, "allowed": join_values(allowed)}
    if kind == "invalid_key":
        return path, _("Setting names are text: %(key)s is not a setting name.") % {
            "key": format_value(error["loc"][-1])
        }
    if kind in ("union_tag_invalid", "union_tag_not_found") and where.union == _STEP_UNION:
        if kind == "union_tag_invalid":
            return f"{path}.kind", _("Unknown step kind '%(kind)s': use one of %(allowed)s.") % {
                "kind": ctx.get("tag", ""),
                "allowed": _KIND_LIST,
            }
        return f"{path}.kind", _("Every step needs a kind: one of %(allowed)s.") % {
            "allowed": _KIND_LIST
        }
    if kind == "model_attributes_type" and where.union == _STEP_UNION:
        return path, _(
            "A step is a mapping with id, kind and the kind's settings (found %(found)s)."
        ) % {"found": found_text(value)}
    if kind == "condition_shape":
        return path, _(
            "A condition is a mapping: either step, measure, operator and value, or all_of or "
            "any_of with a list of conditions (found %(found)s). Expressions are not evaluated."
        ) % {"found": found_text(value)}
    if kind == "text_empty":
        return path, _("Give the text in English (en), Polish (pl) or both.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return path, _("Use a mapping of settings here (found %(found)s).") % {
            "found": found_text(value)
        }
    if kind == "list_type":
        return path, _("Use a list here (found %(found)s).") % {"found": found_text(value)}
    if kind in ("string_type", "string_unicode"):
        return path, _("Use text here (found %(found)s).") % {"found": found_text(value)}
    if kind == "string_too_short":
        return path, _("This cannot be empty: write some text.")
    if kind == "string_too_long":
        return path, ngettext(
            "This is too long: use at most %(max)d character.",
            "This is too long: use at most %(max)d characters.",
            ctx.get("max_length", 0),
        ) % {"max": ctx.get("max_length", 0)}
    if kind == "string_pattern_mismatch":
        return path, _(
            "'%(value)s' is not a valid identifier: use lowercase letters and digits, separated by "
            "single hyphens or underscores (for example portfolio-review)."
        ) % {"value": value}
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return path, _("Use a whole number here (found %(found)s).") % {"found": found_text(value)}
    if kind in ("float_type", "float_parsing"):
        return path, _("Use a number here (found %(found)s).") % {"found": found_text(value)}
    if kind == "finite_number":
        return path, _("Use a finite number here.")
    if kind in ("bool_type", "bool_parsing"):
        return path, _("Use true or false here (found %(found)s).") % {"found": found_text(value)}
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bounds = _bounds(where.field) or {
            name: ctx[name] for name in ("gt", "ge", "lt", "le") if name in ctx
        }
        return path, _range_message(value, bounds, _is_int_field(where.field))
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        return path, ngettext(
            "Add at least %(min)d item.", "Add at least %(min)d items.", minimum
        ) % {"min": minimum}
    if kind == "too_long":
        maximum = ctx.get("max_length", 0)
        return path, ngettext(
            "There are too many items: use at most %(max)d.",
            "There are too many items: use at most %(max)d.",
            maximum,
        ) % {"max": maximum}
    if kind in ("enum", "literal_error"):
        allowed = _allowed_values(annotation) or _quoted_values(ctx.get("expected", ""))
        return path, _("'%(value)s' is not allowed here: use one of %(allowed)s.") % {
            "value": format_value(value),
            "allowed": join_values(allowed),
        }
    return path, _("This value is not valid here (found %(found)s).") % {"found": found_text(value)}


def from_validation_error(exc: ValidationError, prefix: tuple = ()) -> list[PipelineError]:
    errors = []
    for error in exc.errors(include_url=False):
        loc = prefix + tuple(error["loc"])
        if error["type"] == "invalid_key":
            loc = loc[:-1]  # the last element is the offending key itself, not a place
        where = _locate(loc)
        path, message = _message(error, where)
        errors.append(PipelineError(path=path, message=message))
    return errors
