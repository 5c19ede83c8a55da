"""Shapes of the flag management API (/api/v1/flags), as its OpenAPI document shows them.

Definitions keep Unleash's field names (`contextName`, `weightType` ...): what a script sends is
what SDKs receive.
"""

from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from tminus.flags.choices import FlagType

FlagTypeName = Literal[tuple(FlagType.values)]  # type: ignore[valid-type]
PayloadType = Literal["string", "json", "csv", "number"]


class In(Schema):
    """A request body: a field the API does not know is refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ConstraintIn(In):
    contextName: str = Field(min_length=1, max_length=255)
    operator: str
    value: str | None = None
    values: list[str] | None = None
    inverted: bool = False
    caseInsensitive: bool = False


class PayloadIn(In):
    type: PayloadType
    value: str


class OverrideIn(In):
    contextName: str = Field(min_length=1)
    values: list[str]


class VariantIn(In):
    name: str = Field(min_length=1, max_length=255)
    weight: int | None = Field(None, ge=0, le=1000,
                               description="Out of 1000; left out, variable variants share "
                                           "what fixed ones leave.")
    weightType: Literal["variable", "fix"] = "variable"
    stickiness: str = "default"
    payload: PayloadIn | None = None
    overrides: list[OverrideIn] = []


class FlagIn(In):
    key: str = Field(min_length=1, max_length=255, description="The flag name SDKs ask for.")
    type: FlagTypeName = FlagType.RELEASE
    description: str = ""
    owner: str | None = Field(None, description="A username.")
    release: str | None = Field(None, description="A release key.")
    impression_data: bool = False


class FlagPatch(In):
    revision: int | None = Field(None, description="The flag revision the change was made from.")
    type: FlagTypeName | None = None
    description: str | None = None
    owner: str | None = None
    release: str | None = None
    impression_data: bool | None = None
    stale: bool | None = None


class ArchiveIn(In):
    revision: int | None = Field(None, description="The flag revision the change was made from.")
    reason: str = ""


class ToggleIn(In):
    enabled: bool
    reason: str = ""
    revision: int | None = Field(None, description="The environment state's revision.")


class RolloutIn(In):
    percentage: int
    reason: str = ""


class VariantsIn(In):
    variants: list[VariantIn]
    reason: str = ""
    revision: int | None = Field(None, description="The environment state's revision.")


class StrategyIn(In):
    name: str = Field(min_length=1, max_length=100,
                      description="A built-in strategy or a custom strategy's name.")
    title: str = ""
    parameters: dict[str, str | int | float | bool] = {}
    constraints: list[ConstraintIn] = []
    segments: list[int] = []
    variants: list[VariantIn] = []
    reason: str = ""


class StrategyPatch(In):
    revision: int | None = Field(None, description="The strategy's revision.")
    name: str | None = Field(None, min_length=1, max_length=100)
    title: str | None = None
    parameters: dict[str, str | int | float | bool] | None = None
    constraints: list[ConstraintIn] | None = None
    segments: list[int] | None = None
    variants: list[VariantIn] | None = None
    sort_order: int | None = None
    reason: str = ""


class TagsIn(In):
    tags: list[str] = Field(description="`value` or `type:value` (type defaults to simple).")
    revision: int | None = Field(None, description="The flag revision the change was made from.")


class DependencyIn(In):
    enabled: bool = Field(True, description="Whether the parent must be on (or off).")
    variants: list[str] = Field([], description="With the parent on: one of these variants.")
    revision: int | None = Field(None, description="The flag revision the change was made from.")


class SegmentIn(In):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    project: str | None = Field(None, description="A project key, to limit the segment to it.")
    constraints: list[ConstraintIn]


class SegmentPatch(In):
    revision: int | None = Field(None, description="The segment's revision.")
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    constraints: list[ConstraintIn] | None = None


class PayloadOut(Schema):
    type: str
    value: str


class StrategyOut(Schema):
    id: int
    name: str
    title: str
    parameters: dict
    constraints: list[dict]
    segments: list[int]
    variants: list[dict]
    sort_order: int
    revision: int


class EnvironmentStateOut(Schema):
    key: str
    served: bool
    enabled: bool
    revision: int
    variants: list[dict]
    strategies: list[StrategyOut]


class DependencyOut(Schema):
    feature: str
    enabled: bool
    variants: list[str] = []


class FlagOut(Schema):
    key: str
    project: str
    type: str
    description: str
    owner: str | None
    release: str | None
    impression_data: bool
    stale: bool
    potentially_stale: bool
    archived: bool
    revision: int
    tags: list[str]
    dependencies: list[DependencyOut]
    environments: list[EnvironmentStateOut]


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    project: str | None
    constraints: list[dict]
    revision: int


def definitions(items) -> list[dict]:
    """Constraints or variants as stored and served: what was sent, without empty fields."""
    return [item.model_dump(exclude_none=True) for item in items]
