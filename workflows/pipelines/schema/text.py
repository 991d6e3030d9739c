"""Pipelines as text: parsing YAML or JSON (errors with lines), checking, dumping."""

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml
from django.utils.translation import gettext as _

from workflows.pipelines.schema.errors import PipelineError
from workflows.pipelines.schema.limits import MAX_SOURCE_CHARS
from workflows.pipelines.schema.models import PipelinePlan, field_order
from workflows.pipelines.schema.validation import step_sort_key, too_deep_error, validate_pipeline


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _AliasFound(yaml.MarkedYAMLError):
    pass


class _SafeLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases (no expansion bombs) and keys given twice."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasFound(problem="alias", problem_mark=event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _value in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value
                    if key in seen:
                        raise _DuplicateKey(problem=key, problem_mark=key_node.start_mark)
                    seen.add(key)
        return super().construct_mapping(node, deep=deep)


def detect_format(text: str, name: str = "") -> str:
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    return "json" if text.lstrip().startswith(("{", "[")) else "yaml"


def parse_text(text: str, fmt: str | None = None) -> tuple[Any, list[PipelineError]]:
    """Parse YAML or JSON text; syntax errors name their line and column."""
    if len(text) > MAX_SOURCE_CHARS:
        return None, [
            PipelineError(
                path="",
                message=_("The text is too long: a pipeline has at most %(max)d characters.")
                % {"max": MAX_SOURCE_CHARS},
            )
        ]
    if not text.strip():
        return None, [
            PipelineError(
                path="", message=_("The text is empty: write a pipeline with key, title and steps.")
            )
        ]
    fmt = fmt or detect_format(text)
    try:
        return _parse_json(text) if fmt == "json" else _parse_yaml(text)
    except RecursionError:
        return None, [too_deep_error()]


def _parse_json(text: str) -> tuple[Any, list[PipelineError]]:
    def pairs(items):
        result = {}
        for key, value in items:
            if key in result:
                raise _JsonDuplicate(key)
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=pairs), []
    except _JsonDuplicate as exc:
        return None, [
            PipelineError(
                path="",
                message=_("The key '%(key)s' appears twice in one mapping: keep only one.")
                % {"key": exc.args[0]},
            )
        ]
    except json.JSONDecodeError as exc:
        return None, [
            PipelineError(
                path="",
                message=_(
                    "This is not valid JSON (%(problem)s): check the commas, quotes and brackets "
                    "around this place."
                )
                % {"problem": exc.msg},
                line=exc.lineno,
                column=exc.colno,
            )
        ]


class _JsonDuplicate(Exception):
    pass


def _parse_yaml(text: str) -> tuple[Any, list[PipelineError]]:
    try:
        return yaml.load(text, Loader=_SafeLoader), []  # noqa: S506 - _SafeLoader is a SafeLoader
    except _DuplicateKey as exc:
        mark = exc.problem_mark
        return None, [
            PipelineError(
                path="",
                message=_("The key '%(key)s' appears twice in one mapping: keep only one.")
                % {"key": exc.problem},
                line=mark.line + 1,
                column=mark.column + 1,
            )
        ]
    except _AliasFound as exc:
        mark = exc.problem_mark
        return None, [
            PipelineError(
                path="",
                message=_("Aliases (*name) are not supported: write the value out in full."),
                line=mark.line + 1,
                column=mark.column + 1,
            )
        ]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return None, [
            PipelineError(
                path="",
                message=_(
                    "This is not valid YAML (%(problem)s): check the indentation, colons and "
                    "quotes around this place."
                )
                % {"problem": exc.problem or exc.context or ""},
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        ]
    except yaml.YAMLError as exc:
        return None, [
            PipelineError(
                path="",
                message=_("This is not valid YAML (%(problem)s).") % {"problem": exc},
            )
        ]


def _path_tokens(path: str) -> list[str | int] | None:
    tokens: list[str | int] = []
    for match in re.finditer(r"([A-Za-z0-9_\-]+)|\[(\d+)\]", path):
        name, number = match.groups()
        tokens.append(int(number) if number is not None else name)
    return tokens or None


def _line_finder(text: str) -> Callable[[str], int | None]:
    """Map an error path to the line of the YAML (or JSON) node it names, when it can."""
    try:
        root = yaml.compose(text, Loader=_SafeLoader)  # noqa: S506 - safe loader
    except (yaml.YAMLError, RecursionError):
        return lambda path: None

    def find(path: str) -> int | None:
        tokens = _path_tokens(path)
        if not tokens or root is None:
            return None
        node = root
        line = None
        for token in tokens:
            if isinstance(node, yaml.MappingNode) and isinstance(token, str):
                for key_node, value_node in node.value:
                    if getattr(key_node, "value", None) == token:
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(token, int):
                if token >= len(node.value):
                    return line
                node = node.value[token]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    return find


def check_text(
    text: str, fmt: str | None = None
) -> tuple[PipelinePlan | None, list[PipelineError]]:
    """Parse and validate; each error gets the line it points at when the text can be located."""
    data, errors = parse_text(text, fmt)
    if errors:
        return None, errors
    plan, errors = validate_pipeline(data)
    if errors:
        find = _line_finder(text)
        errors = [
            PipelineError(path=e.path, message=e.message, line=find(e.path) if e.path else None)
            for e in errors
        ]
        errors.sort(key=lambda e: (step_sort_key(e), e.line or 0))
    return plan, errors


def to_data(plan: PipelinePlan) -> dict:
    """The normalised form: JSON types, defaults filled in, absent options left out."""
    data = plan.model_dump(mode="json", exclude_none=True)
    ordered_steps = []
    for step, raw in zip(plan.steps, data["steps"], strict=True):
        order = field_order(type(step))
        ordered_steps.append({name: raw[name] for name in order if name in raw})
    return {"key": data["key"], "title": data["title"], "steps": ordered_steps}


def dump_yaml(data: Mapping) -> str:
    return yaml.safe_dump(
        dict(data), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


def dump_json(data: Mapping) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
