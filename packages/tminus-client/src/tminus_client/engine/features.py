"""Feature flags: their strategies, variants and parent dependencies, compiled together."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .compilation import Compilation
from .context import Context
from .errors import DefinitionError
from .evaluators import Tally, counting, feature_evaluator
from .predicates import Predicate, broken, never
from .strategies import CompiledStrategy, Segments, compile_strategy
from .variants import BrokenVariantSet, VariantSet, compile_variants, disabled_variant

Variants = VariantSet | BrokenVariantSet | None
Lookup = Callable[[str], "CompiledFeature | None"]


@dataclass(frozen=True, slots=True)
class Dependency:
    """A parent flag this flag requires: enabled (or, with ``enabled=False``, disabled).

    With ``variants``, the parent must also resolve to one of the named variants.
    """

    feature: str
    enabled: bool = True
    variants: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, eq=False)
class CompiledFeature:
    """A flag ready to evaluate. ``is_enabled`` answers for a context, parents included."""

    name: str
    enabled: bool
    strategies: tuple[CompiledStrategy, ...]
    variants: Variants
    dependencies: tuple[Dependency, ...]
    segment_ids: frozenset[Any]
    project: str | None
    type: str | None
    impression_data: bool
    parents_satisfied: Predicate | None
    is_enabled: Predicate
    has_variants: bool  # the flag or one of its strategies has variants (or broken ones)

    def resolve(self, context: Context) -> tuple[bool, Variants]:
        """Whether the flag is on for ``context``, and the variants to choose from if it is.

        The first matching strategy decides; its own variants replace the flag's.
        """
        if not self.enabled:
            return False, None
        if self.parents_satisfied is not None and not self.parents_satisfied(context):
            return False, None
        if not self.strategies:
            return True, self.variants
        for strategy in self.strategies:
            if strategy.matches(context):
                return True, strategy.variants or self.variants
        return False, None

    def variant(self, context: Context) -> dict[str, Any]:
        """The variant for ``context``, as a dict shaped like the Unleash Python SDK's."""
        if not self.has_variants:
            # Nothing to choose from: whether the flag is on is all there is to say, and the
            # fused evaluator answers that in one call (and draws a coin toss only once).
            return disabled_variant(self.is_enabled(context))
        enabled, variants = self.resolve(context)
        if not enabled:
            return disabled_variant(False)
        chosen = variants.select(context) if variants is not None else None
        return chosen.as_dict() if chosen is not None else disabled_variant(True)


def broken_feature(name: str, reason: str, compilation: Compilation) -> CompiledFeature:
    """Stand-in for a flag that could not be compiled at all: off, counting an error."""
    compilation.warn(reason)
    off = broken(reason, compilation.errors)
    return CompiledFeature(
        name=name,
        enabled=True,
        strategies=(),
        variants=None,
        dependencies=(),
        segment_ids=frozenset(),
        project=None,
        type=None,
        impression_data=False,
        parents_satisfied=off,
        is_enabled=off,
        has_variants=False,
    )


def compile_feature(
    spec: Mapping[str, Any], segments: Segments, compilation: Compilation, lookup: Lookup
) -> CompiledFeature:
    """Compile one flag definition. Broken parts are off and count errors when evaluated.

    ``lookup`` finds other compiled flags by name, at evaluation time, for dependencies.
    """
    name = spec["name"]
    strategies = tuple(
        compile_strategy(strategy, name, segments, compilation)
        for strategy in _list(spec, "strategies", name, compilation)
    )
    enabled = spec.get("enabled") is True
    dependencies, parents_satisfied = _dependencies(spec, name, compilation, lookup)
    variants = _feature_variants(spec, name, compilation)
    return CompiledFeature(
        name=name,
        enabled=enabled,
        strategies=strategies,
        variants=variants,
        dependencies=dependencies,
        segment_ids=referenced_segments(spec),
        project=spec.get("project"),
        type=spec.get("type"),
        impression_data=spec.get("impressionData") is True,
        parents_satisfied=parents_satisfied,
        is_enabled=_is_enabled(enabled, parents_satisfied, strategies),
        has_variants=variants is not None or any(s.variants is not None for s in strategies),
    )


def referenced_segments(spec: Mapping[str, Any]) -> frozenset[Any]:
    """The ids of the segments a flag's strategies use."""
    ids: set[Any] = set()
    strategies = spec.get("strategies")
    for strategy in strategies if isinstance(strategies, list) else ():
        if isinstance(strategy, Mapping) and isinstance(strategy.get("segments"), list):
            ids.update(s for s in strategy["segments"] if isinstance(s, int | str))
    return frozenset(ids)


def parse_dependencies(raw: Any) -> tuple[Dependency, ...]:
    """Read a flag's ``dependencies`` list; raise DefinitionError if it is malformed."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise DefinitionError("must be a list", "dependencies")
    return tuple(_dependency(item, f"dependencies[{index}]") for index, item in enumerate(raw))


def _dependency(item: Any, path: str) -> Dependency:
    if not isinstance(item, Mapping) or not isinstance(item.get("feature"), str):
        raise DefinitionError("must be an object naming a parent feature", path)
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise DefinitionError("must be true or false", f"{path}.enabled")
    variants = item.get("variants") or []
    if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
        raise DefinitionError("must be a list of variant names", f"{path}.variants")
    return Dependency(item["feature"], enabled, frozenset(variants))


def _list(spec: Mapping[str, Any], key: str, name: str, compilation: Compilation) -> list[Any]:
    value = spec.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    compilation.warn(f"flag {name!r}: {key} must be a list; it was ignored")
    return []


def _feature_variants(spec: Mapping[str, Any], name: str, compilation: Compilation) -> Variants:
    try:
        return compile_variants(spec.get("variants"), group_id=name, defaults=compilation.defaults)
    except DefinitionError as exc:
        reason = f"flag {name!r}: {exc}"
        compilation.warn(reason)
        return BrokenVariantSet(reason, compilation.errors)


def _dependencies(
    spec: Mapping[str, Any], name: str, compilation: Compilation, lookup: Lookup
) -> tuple[tuple[Dependency, ...], Predicate | None]:
    try:
        dependencies = parse_dependencies(spec.get("dependencies"))
    except DefinitionError as exc:
        reason = f"flag {name!r}: {exc}"
        compilation.warn(reason)
        # The flag still counts as having parents, so it is off and never used as a parent.
        return (Dependency(""),), broken(reason, compilation.errors)
    if not dependencies:
        return (), None

    def parents_satisfied(context: Context) -> bool:
        return all(_satisfied(dependency, context, lookup) for dependency in dependencies)

    return dependencies, parents_satisfied


def _satisfied(dependency: Dependency, context: Context, lookup: Lookup) -> bool:
    parent = lookup(dependency.feature)
    # Unleash supports one level of parents: a parent that has parents of its own never
    # satisfies a dependency (this also stops cycles).
    if parent is None or parent.dependencies:
        return False
    if not dependency.enabled:
        return not parent.is_enabled(context)
    if dependency.variants:
        variant = parent.variant(context)
        return variant["feature_enabled"] and variant["name"] in dependency.variants
    return parent.is_enabled(context)


def _is_enabled(
    enabled: bool, parents_satisfied: Predicate | None, strategies: tuple[CompiledStrategy, ...]
) -> Predicate:
    if not enabled:
        return never
    return feature_evaluator([(s.steps, s.matches) for s in strategies], parents_satisfied)


def counting_evaluator(feature: CompiledFeature, yes: Tally, no: Tally) -> Predicate:
    """``feature.is_enabled`` that also counts each answer on ``yes`` or ``no``.

    A separate function: a parent flag evaluated for its child's dependency is not counted.
    """
    if not feature.enabled:
        return counting(never, yes, no)
    steps = [(strategy.steps, strategy.matches) for strategy in feature.strategies]
    return feature_evaluator(steps, feature.parents_satisfied, (yes, no))
