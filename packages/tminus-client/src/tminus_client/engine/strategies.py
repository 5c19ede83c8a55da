"""Activation strategies: compiled once into steps, each checked against a context.

A strategy matches when all of its constraints (its own, then those of its segments) match and
its own rule does. Its variants, if it has any, replace the feature's variants.
"""

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .compilation import Compilation, CustomStrategy
from .constraints import constraint_step, parse_ip, parse_network
from .context import Context, as_text, field_reader
from .errors import DefinitionError
from .evaluators import FieldIn, Step, StickyRollout, predicate_of
from .predicates import Predicate, all_of, always, broken, never
from .variants import BrokenVariantSet, VariantSet, compile_variants

BUILT_IN_STRATEGIES = (
    "default",
    "userWithId",
    "gradualRolloutUserId",
    "gradualRolloutSessionId",
    "gradualRolloutRandom",
    "flexibleRollout",
    "remoteAddress",
    "applicationHostname",
)

_WHOLE_NUMBER = re.compile(r"[0-9]+")

Segments = Mapping[Any, Mapping[str, Any]]
RuleBuilder = Callable[[Mapping[str, Any], str, Compilation], Step | None]


@dataclass(frozen=True, slots=True)
class CompiledStrategy:
    """A strategy ready to evaluate: whether it matches, and the variants it brings.

    ``steps`` are what ``matches`` checks, in order: the constraints, then the rule.
    """

    name: str
    matches: Predicate
    variants: VariantSet | BrokenVariantSet | None
    steps: tuple[Step, ...]


def compile_strategy(
    spec: Any, feature_name: str, segments: Segments, compilation: Compilation
) -> CompiledStrategy:
    """Compile one strategy. A broken one still compiles: it is off and counts an error."""
    name = spec.get("name") if isinstance(spec, Mapping) else None
    try:
        steps = tuple(strategy_steps(spec, feature_name, segments, compilation))
    except DefinitionError as exc:
        reason = f"flag {feature_name!r}, strategy {name!r}: {exc}"
        compilation.warn(reason)
        steps = (broken(reason, compilation.errors),)
    try:
        variants = strategy_variants(spec, feature_name, compilation)
    except DefinitionError as exc:
        reason = f"flag {feature_name!r}, strategy {name!r}: {exc}"
        compilation.warn(reason)
        variants = BrokenVariantSet(reason, compilation.errors)
    return CompiledStrategy(str(name), all_of([predicate_of(s) for s in steps]), variants, steps)


def strategy_predicate(
    spec: Any, feature_name: str, segments: Segments, compilation: Compilation
) -> Predicate:
    """Build the predicate for a strategy; raise DefinitionError if it can't be evaluated."""
    steps = strategy_steps(spec, feature_name, segments, compilation)
    return all_of([predicate_of(step) for step in steps])


def strategy_steps(
    spec: Any, feature_name: str, segments: Segments, compilation: Compilation
) -> list[Step]:
    """What a strategy checks, in order; raise DefinitionError if it can't be evaluated."""
    if not isinstance(spec, Mapping):
        raise DefinitionError("a strategy must be an object")
    parameters = strategy_parameters(spec)
    rule = strategy_rule(spec.get("name"), parameters, feature_name, compilation)
    steps = [
        _constraint(constraint, path, compilation)
        for path, constraint in strategy_constraints(spec, segments)
    ]
    # Constraints first: they are cheaper than hashing and usually narrow the audience.
    if rule is not None:
        steps.append(rule)
    return steps


def strategy_parameters(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    """The strategy's parameters (an absent map is an empty one)."""
    parameters = spec.get("parameters")
    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        raise DefinitionError("must be an object", "parameters")
    return parameters


def strategy_constraints(
    spec: Mapping[str, Any], segments: Segments
) -> list[tuple[str, Any]]:
    """The strategy's own constraints, then its segments' constraints, each with its path."""
    constraints = spec.get("constraints") or []
    if not isinstance(constraints, list):
        raise DefinitionError("must be a list", "constraints")
    result = [(f"constraints[{index}]", item) for index, item in enumerate(constraints)]
    segment_ids = spec.get("segments") or []
    if not isinstance(segment_ids, list):
        raise DefinitionError("must be a list of segment ids", "segments")
    for segment_id in segment_ids:
        segment = segments.get(segment_id) if isinstance(segment_id, int | str) else None
        if segment is None:
            raise DefinitionError(f"segment {segment_id!r} does not exist", "segments")
        segment_constraints = segment.get("constraints") or []
        if not isinstance(segment_constraints, list):
            raise DefinitionError(f"segment {segment_id!r} has no list of constraints", "segments")
        result.extend(
            (f"segments[{segment_id}].constraints[{index}]", item)
            for index, item in enumerate(segment_constraints)
        )
    return result


def strategy_variants(
    spec: Any, feature_name: str, compilation: Compilation
) -> VariantSet | None:
    """The strategy's own variants, keyed on its stickiness and groupId; None if it has none."""
    if not isinstance(spec, Mapping):
        return None
    parameters = strategy_parameters(spec)
    group_id = parameters.get("groupId")
    return compile_variants(
        spec.get("variants"),
        group_id=feature_name if group_id is None else as_text(group_id),
        stickiness=as_text(parameters.get("stickiness")) or "default",
        defaults=compilation.defaults,
        with_overrides=False,
    )


def percentage(parameters: Mapping[str, Any], key: str) -> int:
    """Read a whole-number percentage from 0 to 100."""
    raw = parameters.get(key)
    if raw is None:
        raise DefinitionError("is required", f"parameters.{key}")
    text = raw if isinstance(raw, str) else None
    if isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    if text is None or not _WHOLE_NUMBER.fullmatch(text) or int(text) > 100:
        raise DefinitionError(
            f"{raw!r} is not a whole number from 0 to 100", f"parameters.{key}"
        )
    return int(text)


def comma_separated(parameters: Mapping[str, Any], key: str) -> list[str]:
    """Split a comma-separated parameter into trimmed, non-empty entries."""
    raw = parameters.get(key)
    if raw is None:
        raise DefinitionError("is required", f"parameters.{key}")
    if not isinstance(raw, str):
        raise DefinitionError("must be a comma-separated string", f"parameters.{key}")
    return [entry.strip() for entry in raw.split(",") if entry.strip()]


def _constraint(spec: Any, path: str, compilation: Compilation) -> Step:
    try:
        return constraint_step(spec, compilation.defaults)
    except DefinitionError as exc:
        raise exc.within(path) from None


def strategy_rule(
    name: Any, parameters: Mapping[str, Any], feature_name: str, compilation: Compilation
) -> Step | None:
    """The strategy's own rule; None when it matches everyone (the default strategy)."""
    if not isinstance(name, str):
        raise DefinitionError("must be the strategy's name", "name")
    build = _RULES.get(name)
    if build is not None:
        return build(parameters, feature_name, compilation)
    custom = compilation.custom_strategies.get(name)
    if custom is not None:
        return _custom_rule(name, custom, parameters, compilation)
    raise DefinitionError(f"unknown strategy {name!r}", "name")


def _default(parameters: Mapping[str, Any], feature_name: str, compilation: Compilation) -> None:
    return None


def _user_with_id(
    parameters: Mapping[str, Any], feature_name: str, compilation: Compilation
) -> Step:
    user_ids = frozenset(comma_separated(parameters, "userIds"))
    return FieldIn("userId", user_ids, field_reader("userId", compilation.defaults))


def _flexible_rollout(
    parameters: Mapping[str, Any], feature_name: str, compilation: Compilation
) -> Step:
    group_id = parameters.get("groupId")
    return rollout(
        percentage(parameters, "rollout"),
        feature_name if group_id is None else as_text(group_id),
        as_text(parameters.get("stickiness")) or "default",
        compilation.defaults,
    )


def _gradual_rollout(stickiness: str) -> RuleBuilder:
    def build(
        parameters: Mapping[str, Any], feature_name: str, compilation: Compilation
    ) -> Step:
        group_id = parameters.get("groupId")
        if group_id is None:
            raise DefinitionError("is required", "parameters.groupId")
        return rollout(
            percentage(parameters, "percentage"),
            as_text(group_id),
            stickiness,
            compilation.defaults,
        )

    return build


def _random_rollout(
    parameters: Mapping[str, Any], feature_name: str, compilation: Compilation
) -> Step:
    return rollout(percentage(parameters, "percentage"), "", "random", compilation.defaults)


def rollout(
    percent: int, group_id: str, stickiness: str, defaults: Mapping[str, Any]
) -> Step:
    """Match the ``percent`` of contexts whose stickiness value hashes into buckets 1..percent.

    ``default`` stickiness uses userId, then sessionId, then a coin toss; ``random`` always
    tosses; any other stickiness names a context field, and a context without it never matches.
    """
    if percent == 0:
        return never
    if stickiness == "random":
        return _random_percent(percent)
    if stickiness != "default":
        return StickyRollout(percent, group_id, stickiness, field_reader(stickiness, defaults))
    read_user = field_reader("userId", defaults)
    read_session = field_reader("sessionId", defaults)

    def read_user_or_session(context: Context) -> str | None:
        identifier = read_user(context)
        return read_session(context) if identifier is None else identifier

    return StickyRollout(percent, group_id, stickiness, read_user_or_session)


def _random_percent(percent: int) -> Predicate:
    def coin_toss(context: Context) -> bool:
        return random.random() * 100 < percent

    return coin_toss


def _remote_address(
    parameters: Mapping[str, Any], feature_name: str, compilation: Compilation
) -> Predicate:
    entries = comma_separated(parameters, "IPs")
    exact = frozenset(entries)
    # Entries that are neither addresses nor ranges are skipped, as Unleash SDKs do.
    networks = tuple(network for network in map(parse_network, entries) if network is not None)
    read_address = field_reader("remoteAddress", compilation.defaults)

    def from_listed_address(context: Context) -> bool:
        text = read_address(context)
        if text is None:
            return False
        if text in exact:
            return True
        address = parse_ip(text)
        return address is not None and any(address in network for network in networks)

    return from_listed_address


def _application_hostname(
    parameters: Mapping[str, Any], feature_name: str, compilation: Compilation
) -> Predicate:
    raw = parameters.get("hostNames") or ""
    host_names = {entry.strip().lower() for entry in str(raw).split(",")}
    # The host does not change while the process runs, so the answer is fixed at load time.
    return always if compilation.hostname.lower() in host_names else never


def _custom_rule(
    name: str, strategy: CustomStrategy, parameters: Mapping[str, Any], compilation: Compilation
) -> Predicate:
    frozen_parameters = dict(parameters)

    def custom(context: Context) -> bool:
        try:
            return bool(strategy(frozen_parameters, context))
        except Exception as exc:
            compilation.errors.record(f"custom strategy {name!r} raised {exc!r}")
            return False

    return custom


_RULES: dict[str, RuleBuilder] = {
    "default": _default,
    "userWithId": _user_with_id,
    "gradualRolloutUserId": _gradual_rollout("userId"),
    "gradualRolloutSessionId": _gradual_rollout("sessionId"),
    "gradualRolloutRandom": _random_rollout,
    "flexibleRollout": _flexible_rollout,
    "remoteAddress": _remote_address,
    "applicationHostname": _application_hostname,
}
