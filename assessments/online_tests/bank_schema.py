"""The YAML format of a question bank (docs/question-banks.md), validated with pydantic.

``check_bank(text) -> (BankFile | None, list[BankError])``: every error names the place in the
file (``questions[3].options``) and, when it can be found, its line, and says what to do.
Messages are in the active language.
"""

from dataclasses import dataclass
from typing import Any, Literal

import yaml
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

MAX_SOURCE_CHARS = 1_000_000
MAX_QUESTIONS = 2000
SLUG = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Text(_Model):
    en: str = Field("", max_length=5000)
    pl: str = Field("", max_length=5000)

    @model_validator(mode="before")
    @classmethod
    def _plain_string_is_english(cls, data: Any) -> Any:
        return {"en": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _at_least_one(self):
        if not self.en.strip() and not self.pl.strip():
            raise ValueError(_("Write the text in English (en), Polish (pl) or both."))
        return self


class OptionSpec(_Model):
    en: str = Field("", max_length=500)
    pl: str = Field("", max_length=500)
    correct: bool = False

    @model_validator(mode="after")
    def _at_least_one(self):
        if not self.en.strip() and not self.pl.strip():
            raise ValueError(_("Write the option in English (en), Polish (pl) or both."))
        return self


class QuestionSpec(_Model):
    id: str = Field(min_length=1, max_length=50, pattern=SLUG)
    kind: Literal["single", "multiple", "short"]
    text: Text
    points: int = Field(1, ge=1, le=100)
    outcomes: list[int] = Field(default_factory=list, max_length=30)
    options: list[OptionSpec] = Field(default_factory=list, max_length=20)
    model_answer: Text | None = None

    @model_validator(mode="after")
    def _fits_kind(self):
        correct = sum(option.correct for option in self.options)
        if self.kind == "short":
            if self.options:
                raise ValueError(_("A short-answer question has no options: remove them."))
            if self.model_answer is None:
                raise ValueError(
                    _("A short-answer question needs a model_answer for the assessor who marks it.")
                )
            return self
        if self.model_answer is not None:
            raise ValueError(_("Only short-answer questions have a model_answer: remove it."))
        if len(self.options) < 2:
            raise ValueError(_("A choice question needs at least two options."))
        if self.kind == "single" and correct != 1:
            raise ValueError(
                _(
                    "A single-choice question has exactly one option with correct: true "
                    "(found %(n)d)."
                )
                % {"n": correct}
            )
        if self.kind == "multiple" and correct < 1:
            raise ValueError(
                _("A multiple-choice question needs at least one option with correct: true.")
            )
        return self


class BankFile(_Model):
    bank: str = Field(min_length=1, max_length=50, pattern=SLUG)
    title: Text
    questions: list[QuestionSpec] = Field(min_length=1, max_length=MAX_QUESTIONS)

    @model_validator(mode="after")
    def _unique_ids(self):
        seen = set()
        for question in self.questions:
            if question.id in seen:
                raise ValueError(
                    _("The question id “%(id)s” is used twice: give each question its own id.")
                    % {"id": question.id}
                )
            seen.add(question.id)
        return self


@dataclass(frozen=True)
class BankError:
    path: str
    message: str
    line: int | None = None

    def __str__(self):
        place = self.path
        if self.line is not None:
            where = _("line %(line)d") % {"line": self.line}
            place = f"{place} ({where})" if place else where
        return f"{place}: {self.message}" if place else self.message


def check_bank(text: str) -> tuple[BankFile | None, list[BankError]]:
    if len(text) > MAX_SOURCE_CHARS:
        return None, [
            BankError(
                "", _("The file is too large: at most %(n)d characters.") % {"n": MAX_SOURCE_CHARS}
            )
        ]
    try:
        root = yaml.compose(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader
        data = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return None, [
            BankError(
                "",
                _(
                    "This is not valid YAML (%(problem)s): check the indentation, colons and "
                    "quotes around this place."
                )
                % {"problem": exc.problem or exc.context or ""},
                mark.line + 1 if mark else None,
            )
        ]
    except (yaml.YAMLError, RecursionError) as exc:
        return None, [BankError("", _("This is not valid YAML (%(problem)s).") % {"problem": exc})]
    if not isinstance(data, dict):
        return None, [
            BankError("", _("A question bank is a mapping with bank, title and questions."))
        ]
    try:
        return BankFile.model_validate(data), []
    except ValidationError as exc:
        return None, [_error(error, root) for error in exc.errors()]


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases (no expansion bombs)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.MarkedYAMLError(
                problem=_("aliases (*name) are not allowed"),
                problem_mark=self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)


def _path(loc) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not part.startswith(("function-", "literal[")):
            path += f".{part}" if path else part
    return path


def _line(root, loc) -> int | None:
    node, line = root, None
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                break
            node, line = match, match.start_mark.line + 1
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _error(error: dict, root) -> BankError:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    loc = error["loc"]
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
    elif kind == "missing":
        message = _("This is required: add it.")
    elif kind == "extra_forbidden":
        message = _("This key is not known here: check its spelling or remove it.")
    elif kind == "literal_error":
        message = _("Use one of: %(values)s.") % {"values": ctx.get("expected", "")}
    elif kind == "string_pattern_mismatch":
        message = _("Use lower-case letters, digits and single hyphens, for example py-loops-1.")
    elif kind in ("too_short", "string_too_short"):
        message = _("This may not be empty.")
    elif kind in ("too_long", "string_too_long"):
        message = _("This is too long: at most %(n)s.") % {"n": ctx.get("max_length", "")}
    elif kind in ("greater_than_equal", "less_than_equal"):
        message = _("Give a whole number from 1 to 100.")
    elif kind.startswith("int"):
        message = _("Give a whole number.")
    elif kind.startswith("bool"):
        message = _("Write true or false.")
    elif kind.startswith("string"):
        message = _("Write text here.")
    elif kind in ("list_type", "model_type", "dict_type", "model_attributes_type"):
        message = _("This has the wrong shape: compare it with the example in the documentation.")
    else:
        message = error["msg"]
    return BankError(
        _path(loc), message, _line(root, [p for p in loc if not str(p).startswith("function-")])
    )
