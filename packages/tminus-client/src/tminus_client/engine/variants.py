"""Variants: weighted, sticky choices among named payloads."""

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mmh3 import hash as _murmur3

from .context import Context, FieldReader, as_text, field_reader
from .errors import DefinitionError, EvaluationErrors
from .hashing import VARIANT_SEED

DISABLED = "disabled"


def disabled_variant(feature_enabled: bool) -> dict[str, Any]:
    """The variant reported when no variant applies, shaped like the Unleash Python SDK's."""
    return {"name": DISABLED, "enabled": False, "feature_enabled": feature_enabled}


@dataclass(frozen=True, slots=True)
class Variant:
    """One variant of a flag."""

    name: str
    weight: int
    payload: Mapping[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        """The variant as the SDKs report it: name, payload (when set), enabled, feature_enabled."""
        result: dict[str, Any] = {"name": self.name}
        if self.payload is not None:
            result["payload"] = dict(self.payload)
        result["enabled"] = True
        result["feature_enabled"] = True
        return result


@dataclass(frozen=True, slots=True)
class Override:
    """Forces a variant for contexts whose field holds one of ``values``."""

    read: FieldReader
    values: frozenset[str]
    variant: Variant


class VariantSet:
    """Picks a variant for a context: an override if one applies, else a sticky weighted draw."""

    __slots__ = ("_group_id", "_overrides", "_read_seed", "_total_weight", "variants")

    def __init__(
        self,
        variants: tuple[Variant, ...],
        group_id: str,
        read_seed: FieldReader,
        overrides: tuple[Override, ...] = (),
    ) -> None:
        self.variants = variants
        self._group_id = group_id
        self._read_seed = read_seed
        self._overrides = overrides
        self._total_weight = sum(variant.weight for variant in variants)

    def select(self, context: Context) -> Variant | None:
        """Return the variant for ``context``, or None when every weight is zero."""
        for override in self._overrides:
            if override.read(context) in override.values:
                return override.variant
        total = self._total_weight
        if total <= 0:
            return None
        seed = self._read_seed(context)
        if seed is None:
            target = random.randint(1, total)
        else:
            target = _murmur3(f"{self._group_id}:{seed}", VARIANT_SEED, False) % total + 1
        cumulative = 0
        for variant in self.variants:
            cumulative += variant.weight
            if cumulative >= target:
                return variant
        return None


class BrokenVariantSet:
    """Stands in for variants that could not be read: selects nothing and counts an error."""

    __slots__ = ("_errors", "_reason")

    def __init__(self, reason: str, errors: EvaluationErrors) -> None:
        self._reason = reason
        self._errors = errors

    def select(self, context: Context) -> Variant | None:
        """Record the failure; no variant applies."""
        self._errors.record(self._reason)
        return None


def compile_variants(
    specs: Any,
    *,
    group_id: str,
    stickiness: str | None = None,
    defaults: Mapping[str, Any] | None = None,
    with_overrides: bool = True,
) -> VariantSet | None:
    """Compile a variants list; None when there are none.

    Feature variants take their stickiness from the first variant; strategy variants pass the
    strategy's stickiness and ignore overrides, as the Unleash SDKs do.
    """
    if specs is None:
        return None
    if not isinstance(specs, list):
        raise DefinitionError("must be a list", "variants")
    if not specs:
        return None
    variants = tuple(_variant(spec, index) for index, spec in enumerate(specs))
    if stickiness is None:
        stickiness = specs[0].get("stickiness") or "default"
    overrides = _overrides(specs, variants, defaults) if with_overrides else ()
    return VariantSet(variants, group_id, seed_reader(stickiness, defaults), overrides)


def seed_reader(stickiness: str, defaults: Mapping[str, Any] | None = None) -> FieldReader:
    """Read the value a variant draw is keyed on; None means draw at random."""
    if stickiness != "default":
        return field_reader(stickiness, defaults)
    read_user = field_reader("userId", defaults)
    read_session = field_reader("sessionId", defaults)

    def user_or_session(context: Context) -> str | None:
        seed = read_user(context)
        return read_session(context) if seed is None else seed

    return user_or_session


def _variant(spec: Any, index: int) -> Variant:
    path = f"variants[{index}]"
    if not isinstance(spec, Mapping):
        raise DefinitionError("must be an object", path)
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise DefinitionError("must be a non-empty string", f"{path}.name")
    weight = spec.get("weight", 0)
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
        raise DefinitionError("must be a whole number of at least 0", f"{path}.weight")
    payload = spec.get("payload")
    if payload is not None and not isinstance(payload, Mapping):
        raise DefinitionError("must be an object with type and value", f"{path}.payload")
    return Variant(name, weight, payload)


def _overrides(
    specs: list[Any], variants: tuple[Variant, ...], defaults: Mapping[str, Any] | None
) -> tuple[Override, ...]:
    overrides = []
    for index, (spec, variant) in enumerate(zip(specs, variants, strict=True)):
        for position, override in enumerate(spec.get("overrides") or ()):
            path = f"variants[{index}].overrides[{position}]"
            if not isinstance(override, Mapping) or not isinstance(
                override.get("contextName"), str
            ):
                raise DefinitionError("must be an object with contextName and values", path)
            values = frozenset(as_text(value) for value in override.get("values") or ())
            read = field_reader(override["contextName"], defaults)
            overrides.append(Override(read, values, variant))
    return tuple(overrides)
