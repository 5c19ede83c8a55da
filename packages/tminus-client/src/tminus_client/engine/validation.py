"""Validation of definitions before they are saved: readable messages instead of silent "off".

The checks reuse the engine's own compilers, so whatever passes validation is evaluated as
written, and whatever the engine would have to switch off is reported here first. Each message
starts with the path of the offending field, e.g. ``parameters.rollout: 'abc' is not ...``.
"""

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from .compilation import Compilation
from .constraints import SINGLE_VALUE_OPERATORS, compile_constraint, parse_network, text_values
from .errors import DefinitionError, StateError
from .features import parse_dependencies
from .state import read_state
from .strategies import (
    BUILT_IN_STRATEGIES,
    comma_separated,
    strategy_parameters,
    strategy_rule,
    strategy_variants,
)
from .variants import compile_variants

__all__ = [
    "PAYLOAD_TYPES",
    "validate_constraint",
    "validate_state",
    "validate_strategy",
    "validate_variants",
]

PAYLOAD_TYPES = ("string", "json", "csv", "number")

# Strategies whose comma-separated parameter is useless when empty: (parameter, what it lists).
_LISTS = {"userWithId": ("userIds", "user id"), "remoteAddress": ("IPs", "IP address or range")}

Problems = list[DefinitionError]
Segments = Mapping[Any, Mapping[str, Any]]


def validate_constraint(constraint: Any) -> list[str]:
    """Problems that would stop a constraint from evaluating; empty when it is valid."""
    return _render(_constraint_problems(constraint))


def validate_strategy(
    strategy: Any, *, segments: Segments | None = None, custom_strategies: Collection[str] = ()
) -> list[str]:
    """Problems that would stop a strategy from evaluating; empty when it is valid.

    Pass ``segments`` (by id) to check segment references, and ``custom_strategies`` to allow
    strategy names that SDKs implement beyond the built-in ones.
    """
    return _render(_strategy_problems(strategy, segments, custom_strategies))


def validate_variants(variants: Any) -> list[str]:
    """Problems in a flag's variants list; empty when it is valid."""
    return _render(_variant_problems(variants))


def validate_state(state: Any, *, custom_strategies: Collection[str] = ()) -> list[str]:
    """Problems anywhere in a features state (or delta payload); empty when it is valid.

    Messages about one flag or segment start with ``flag 'name':`` or ``segment id:``.
    """
    try:
        store = read_state(state)
    except StateError as exc:
        return [str(exc)]
    messages = [f"flag {name!r}: appears more than once" for name in _duplicate_names(state)]
    for segment_id, segment in store.segments.items():
        found = _each("constraints", segment.get("constraints"), _constraint_problems)
        messages += [f"segment {segment_id!r}: {problem}" for problem in found]
    for name, feature in store.features.items():
        found = _feature_problems(feature, store.features, store.segments, custom_strategies)
        messages += [f"flag {name!r}: {problem}" for problem in found]
    return messages


def _constraint_problems(constraint: Any) -> Problems:
    try:
        compile_constraint(constraint)
    except DefinitionError as exc:
        return [exc]
    problems = [
        DefinitionError("must be true or false", flag)
        for flag in ("inverted", "caseInsensitive")
        if flag in constraint and not isinstance(constraint[flag], bool)
    ]
    operator = constraint["operator"]
    values = text_values(constraint)
    if operator not in SINGLE_VALUE_OPERATORS and not values:
        problems.append(DefinitionError(f"{operator} needs at least one value", "values"))
    if operator == "IN_CIDR":
        problems += _bad_networks(values, "values")
    return problems


def _strategy_problems(
    strategy: Any, segments: Segments | None, custom_strategies: Collection[str]
) -> Problems:
    if not isinstance(strategy, Mapping):
        return [DefinitionError("a strategy must be an object")]
    problems = _rule_problems(strategy, custom_strategies)
    problems += _each("constraints", strategy.get("constraints"), _constraint_problems)
    problems += _segment_reference_problems(strategy.get("segments"), segments)
    try:
        strategy_variants(strategy, "flag", Compilation())
    except DefinitionError as exc:
        problems.append(exc)
    else:
        problems += _payload_problems(strategy.get("variants"))
    return problems


def _rule_problems(strategy: Mapping[str, Any], custom_strategies: Collection[str]) -> Problems:
    name = strategy.get("name")
    if isinstance(name, str) and name not in BUILT_IN_STRATEGIES and name not in custom_strategies:
        known = ", ".join((*BUILT_IN_STRATEGIES, *custom_strategies))
        return [DefinitionError(f"unknown strategy {name!r}; expected one of {known}", "name")]
    compilation = Compilation(custom_strategies=dict.fromkeys(custom_strategies, _never_called))
    try:
        parameters = strategy_parameters(strategy)
        strategy_rule(name, parameters, "flag", compilation)
    except DefinitionError as exc:
        return [exc]
    listed = _LISTS.get(name)
    if listed is None:
        return []
    key, noun = listed
    entries = comma_separated(parameters, key)
    if not entries:
        return [DefinitionError(f"needs at least one {noun}", f"parameters.{key}")]
    return _bad_networks(entries, f"parameters.{key}") if key == "IPs" else []


def _segment_reference_problems(segment_ids: Any, segments: Segments | None) -> Problems:
    if segment_ids is None:
        return []
    if not isinstance(segment_ids, list):
        return [DefinitionError("must be a list of segment ids", "segments")]
    if segments is None:
        return []
    return [
        DefinitionError(f"segment {segment_id!r} does not exist", "segments")
        for segment_id in segment_ids
        if not isinstance(segment_id, int | str) or segment_id not in segments
    ]


def _variant_problems(variants: Any) -> Problems:
    try:
        compile_variants(variants, group_id="flag")
    except DefinitionError as exc:
        return [exc]
    return _payload_problems(variants)


def _payload_problems(variants: Any) -> Problems:
    problems = []
    for index, variant in enumerate(variants or ()):
        payload = variant.get("payload")
        if payload is not None:
            problems += [
                problem.within(f"variants[{index}].payload") for problem in _payload(payload)
            ]
    return problems


def _payload(payload: Mapping[str, Any]) -> Problems:
    kind, value = payload.get("type"), payload.get("value")
    if kind not in PAYLOAD_TYPES:
        return [DefinitionError(f"{kind!r} is not one of {', '.join(PAYLOAD_TYPES)}", "type")]
    if not isinstance(value, str):
        return [DefinitionError("must be a string", "value")]
    if kind == "json" and not _is_json(value):
        return [DefinitionError("is not valid JSON", "value")]
    if kind == "number" and not _is_number(value):
        return [DefinitionError(f"{value!r} is not a number", "value")]
    return []


def _feature_problems(
    feature: Mapping[str, Any],
    features: Mapping[str, Mapping[str, Any]],
    segments: Segments,
    custom_strategies: Collection[str],
) -> Problems:
    problems = []
    if not isinstance(feature.get("enabled"), bool):
        problems.append(DefinitionError("must be true or false", "enabled"))
    problems += _each(
        "strategies",
        feature.get("strategies"),
        lambda strategy: _strategy_problems(strategy, segments, custom_strategies),
    )
    problems += _variant_problems(feature.get("variants"))
    problems += _dependency_problems(feature, features)
    return problems


def _dependency_problems(
    feature: Mapping[str, Any], features: Mapping[str, Mapping[str, Any]]
) -> Problems:
    try:
        dependencies = parse_dependencies(feature.get("dependencies"))
    except DefinitionError as exc:
        return [exc]
    problems = []
    for index, dependency in enumerate(dependencies):
        path = f"dependencies[{index}].feature"
        parent = features.get(dependency.feature)
        if dependency.feature == feature.get("name"):
            problems.append(DefinitionError("a flag cannot depend on itself", path))
        elif parent is None:
            problems.append(DefinitionError(f"flag {dependency.feature!r} does not exist", path))
        elif parent.get("dependencies"):
            message = (
                f"flag {dependency.feature!r} has parents of its own; "
                "only one level of dependencies is supported"
            )
            problems.append(DefinitionError(message, path))
    return problems


def _each(path: str, items: Any, check: Callable[[Any], Problems]) -> Problems:
    if items is None:
        return []
    if not isinstance(items, list):
        return [DefinitionError("must be a list", path)]
    return [
        problem.within(f"{path}[{index}]")
        for index, item in enumerate(items)
        for problem in check(item)
    ]


def _bad_networks(entries: Iterable[str], path: str) -> Problems:
    return [
        DefinitionError(f"{entry!r} is not an IP address or CIDR range", path)
        for entry in entries
        if parse_network(entry) is None
    ]


def _duplicate_names(state: Any) -> list[str]:
    features = state.get("features")
    if not isinstance(features, list):
        return []
    names = [feature.get("name") for feature in features]
    return sorted({name for name in names if names.count(name) > 1})


def _render(problems: Problems) -> list[str]:
    return [str(problem) for problem in problems]


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _never_called(parameters: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    return False
