"""The parts the pipeline models share: the strict base, slugs, numbers, texts, deadlines."""

from typing import Annotated, Any

from django.utils.translation import get_language
from pydantic import AllowInfNan, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from workflows.pipelines.schema.kinds import EscalateTo
from workflows.pipelines.schema.limits import SLUG_PATTERN


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Slug = Annotated[str, Field(min_length=1, max_length=50, pattern=SLUG_PATTERN)]
Number = Annotated[float, AllowInfNan(False)]


def enum_field(enum_cls):
    """An enum field that accepts its string values (strict mode alone would want enum members)."""
    return Annotated[enum_cls, Field(strict=False)]


class LocalizedText(StrictModel):
    """A short text in English and/or Polish; a plain string is taken as English."""

    en: str | None = Field(None, min_length=1, max_length=200)
    pl: str | None = Field(None, min_length=1, max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _plain_string_is_english(cls, data: Any) -> Any:
        return {"en": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _at_least_one(self):
        if not self.en and not self.pl:
            raise PydanticCustomError("text_empty", "Give the text in English or Polish")
        return self

    def text(self, language: str | None = None) -> str:
        """The text in ``language`` (default: the active one), falling back to the other."""
        if language is None:
            language = get_language() or "en"
        first, second = (self.pl, self.en) if language.startswith("pl") else (self.en, self.pl)
        return first or second or ""

    def __str__(self):
        return self.text()


class Deadline(StrictModel):
    days: int = Field(ge=1, le=365)
    escalate_to: enum_field(EscalateTo)
