"""Conditions on earlier steps' results: a comparison, or ``all_of`` / ``any_of`` a list of them.

Conditions are structured data, never code; ``engine.evaluate_when`` reads them.
"""

from collections.abc import Mapping
from typing import Annotated, Any, Union

from pydantic import Discriminator, Field, Tag

from workflows.pipelines.schema.kinds import Operator
from workflows.pipelines.schema.limits import MAX_CONDITION_ITEMS
from workflows.pipelines.schema.parts import StrictModel, enum_field


class Comparison(StrictModel):
    step: str = Field(min_length=1, max_length=50)
    measure: str = Field(min_length=1, max_length=50)
    operator: enum_field(Operator)
    value: Any


class AllOf(StrictModel):
    all_of: list["Condition"] = Field(min_length=1, max_length=MAX_CONDITION_ITEMS)


class AnyOf(StrictModel):
    any_of: list["Condition"] = Field(min_length=1, max_length=MAX_CONDITION_ITEMS)


CONDITION_TAGS = {"comparison": Comparison, "all_of": AllOf, "any_of": AnyOf}


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, Mapping):
        if "all_of" in value:
            return "all_of"
        if "any_of" in value:
            return "any_of"
        return "comparison"
    for tag, cls in CONDITION_TAGS.items():
        if isinstance(value, cls):
            return tag
    return None


Condition = Annotated[
    Union[  # noqa: UP007 - tagged members need the Union spelling
        Annotated[Comparison, Tag("comparison")],
        Annotated[AllOf, Tag("all_of")],
        Annotated[AnyOf, Tag("any_of")],
    ],
    Discriminator(
        _condition_tag,
        custom_error_type="condition_shape",
        custom_error_message="A condition is a mapping",
    ),
]


for _cls in (AllOf, AnyOf):
    _cls.model_rebuild()
