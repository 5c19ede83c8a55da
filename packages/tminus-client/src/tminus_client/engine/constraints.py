"""Constraints: compiled once into predicates over a context.

Each operator's values (sets, numbers, dates, versions, regexes, networks) are parsed when the
state is loaded, so evaluating a constraint only reads the context field and compares. ``IN``
and ``NOT_IN`` compile to a ``FieldIn`` step, which a flag's evaluator writes inline (see
``evaluators``); the other operators compile to predicates.
"""

import ipaddress
import operator as op
import re
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .context import FieldReader, as_text, field_reader
from .errors import DefinitionError
from .evaluators import FieldIn, Step, predicate_of
from .predicates import Predicate, negate
from .regex_syntax import UnsupportedRegexError, compile_regex
from .semver import parse_semver

MEMBERSHIP_OPERATORS = ("IN", "NOT_IN")
STRING_OPERATORS = ("STR_CONTAINS", "STR_STARTS_WITH", "STR_ENDS_WITH")
NUMBER_OPERATORS = ("NUM_EQ", "NUM_GT", "NUM_GTE", "NUM_LT", "NUM_LTE")
DATE_OPERATORS = ("DATE_AFTER", "DATE_BEFORE")
SEMVER_OPERATORS = ("SEMVER_EQ", "SEMVER_GT", "SEMVER_GTE", "SEMVER_LT", "SEMVER_LTE")
OPERATORS = (
    *MEMBERSHIP_OPERATORS,
    *STRING_OPERATORS,
    *NUMBER_OPERATORS,
    *DATE_OPERATORS,
    *SEMVER_OPERATORS,
    "REGEX",
    "IN_CIDR",
)
# Operators that compare against one ``value``; the others take a ``values`` list.
SINGLE_VALUE_OPERATORS = frozenset((*NUMBER_OPERATORS, *DATE_OPERATORS, *SEMVER_OPERATORS, "REGEX"))

_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "EQ": op.eq,
    "GT": op.gt,
    "GTE": op.ge,
    "LT": op.lt,
    "LTE": op.le,
}

# Versions in contexts repeat a lot (one per deployed build), so parsing is memoised.
parse_semver_cached = lru_cache(maxsize=4096)(parse_semver)

Builder = Callable[[str, Mapping[str, Any], str, FieldReader], Step]


def compile_constraint(spec: Any, defaults: Mapping[str, Any] | None = None) -> Predicate:
    """Compile one constraint into a predicate; raise DefinitionError if it can't be evaluated."""
    return predicate_of(constraint_step(spec, defaults))


def constraint_step(spec: Any, defaults: Mapping[str, Any] | None = None) -> Step:
    """Compile one constraint into a step of a strategy; raise DefinitionError as above."""
    if not isinstance(spec, Mapping):
        raise DefinitionError("a constraint must be an object")
    operator = spec.get("operator")
    build = _BUILDERS.get(operator) if isinstance(operator, str) else None
    if build is None:
        expected = ", ".join(OPERATORS)
        message = f"unknown operator {operator!r}; expected one of {expected}"
        raise DefinitionError(message, "operator")
    name = spec.get("contextName")
    if not isinstance(name, str) or not name:
        raise DefinitionError("must be a non-empty string", "contextName")
    step = build(operator, spec, name, field_reader(name, defaults))
    if not spec.get("inverted"):
        return step
    return step.inverted() if isinstance(step, FieldIn) else negate(step)


def text_values(spec: Mapping[str, Any]) -> list[str]:
    """The constraint's ``values`` list as text (a missing list is an empty one)."""
    values = spec.get("values")
    if values is None:
        return []
    if not isinstance(values, list):
        raise DefinitionError("must be a list of strings", "values")
    for index, value in enumerate(values):
        if value is None or isinstance(value, dict | list):
            raise DefinitionError("must be a string", f"values[{index}]")
    return [as_text(value) for value in values]


def single_value(spec: Mapping[str, Any]) -> str:
    """The constraint's one ``value`` as text (a one-item ``values`` list is accepted too)."""
    value = spec.get("value")
    if value is None:
        values = spec.get("values")
        if isinstance(values, list) and len(values) == 1:
            value = values[0]
    if value is None or isinstance(value, dict | list | bool):
        raise DefinitionError("must be a single value", "value")
    return as_text(value)


def parse_number(text: str | None) -> float | None:
    """Parse a number the way Unleash does: no surrounding spaces, no digit separators."""
    if text is None or "_" in text or text != text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        return None


def parse_date(text: str | None) -> datetime | None:
    """Parse an ISO 8601 date-time that carries a UTC offset; anything else is None."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """Parse an IP address or CIDR range (host bits allowed), or None if it is neither."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Parse an IP address, or None if ``text`` is not one."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def compile_regex_value(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """Compile a REGEX constraint's pattern, reporting failures as DefinitionError."""
    try:
        return compile_regex(pattern, ignore_case=ignore_case)
    except UnsupportedRegexError as exc:
        raise DefinitionError(f"regex {pattern!r}: {exc}", "value") from None


def _membership(operator: str, spec: Mapping[str, Any], name: str, read: FieldReader) -> Step:
    # caseInsensitive does not apply to IN / NOT_IN in any Unleash SDK.
    return FieldIn(name, frozenset(text_values(spec)), read, negated=operator == "NOT_IN")


def _string_match(
    operator: str, spec: Mapping[str, Any], name: str, read: FieldReader
) -> Predicate:
    fold = bool(spec.get("caseInsensitive"))
    values = tuple(value.lower() if fold else value for value in text_values(spec))
    if operator == "STR_STARTS_WITH":
        test = _starts_with(values)
    elif operator == "STR_ENDS_WITH":
        test = _ends_with(values)
    else:
        test = _contains(values)

    def matches(context: Mapping[str, Any]) -> bool:
        text = read(context)
        if text is None:
            return False
        return test(text.lower() if fold else text)

    return matches


def _starts_with(values: tuple[str, ...]) -> Callable[[str], bool]:
    return lambda text: text.startswith(values)


def _ends_with(values: tuple[str, ...]) -> Callable[[str], bool]:
    return lambda text: text.endswith(values)


def _contains(values: tuple[str, ...]) -> Callable[[str], bool]:
    return lambda text: any(value in text for value in values)


def _number_compare(
    operator: str, spec: Mapping[str, Any], name: str, read: FieldReader
) -> Predicate:
    raw = single_value(spec)
    target = parse_number(raw)
    if target is None:
        raise DefinitionError(f"{raw!r} is not a number", "value")
    compare = _number_equal if operator == "NUM_EQ" else _ORDERINGS[operator.removeprefix("NUM_")]

    def matches(context: Mapping[str, Any]) -> bool:
        number = parse_number(read(context))
        return number is not None and compare(number, target)

    return matches


def _number_equal(left: float, right: float) -> bool:
    return abs(left - right) < sys.float_info.epsilon


def _date_compare(
    operator: str, spec: Mapping[str, Any], name: str, read: FieldReader
) -> Predicate:
    raw = single_value(spec)
    target = parse_date(raw)
    if target is None:
        raise DefinitionError(f"{raw!r} is not an ISO 8601 date-time with a UTC offset", "value")
    # Only currentTime defaults to "now"; another date field that is missing never matches.
    defaults_to_now = name == "currentTime"
    after = operator == "DATE_AFTER"

    def matches(context: Mapping[str, Any]) -> bool:
        text = read(context)
        if text is None and defaults_to_now:
            moment = datetime.now(UTC)
        else:
            moment = parse_date(text)
            if moment is None:
                return False
        return moment > target if after else moment < target

    return matches


def _semver_compare(
    operator: str, spec: Mapping[str, Any], name: str, read: FieldReader
) -> Predicate:
    raw = single_value(spec)
    target = parse_semver_cached(raw)
    if target is None:
        raise DefinitionError(f"{raw!r} is not a semantic version such as 1.2.3", "value")
    compare = _ORDERINGS[operator.removeprefix("SEMVER_")]

    def matches(context: Mapping[str, Any]) -> bool:
        text = read(context)
        version = parse_semver_cached(text) if text is not None else None
        return version is not None and compare(version, target)

    return matches


def _regex_match(
    operator: str, spec: Mapping[str, Any], name: str, read: FieldReader
) -> Predicate:
    search = compile_regex_value(single_value(spec), bool(spec.get("caseInsensitive"))).search

    def matches(context: Mapping[str, Any]) -> bool:
        text = read(context)
        return text is not None and search(text) is not None

    return matches


def _in_cidr(
    operator: str, spec: Mapping[str, Any], name: str, read: FieldReader
) -> Predicate:
    # Entries that are not addresses or ranges are skipped, as Unleash SDKs do.
    networks = tuple(
        network for network in map(parse_network, text_values(spec)) if network is not None
    )

    def matches(context: Mapping[str, Any]) -> bool:
        text = read(context)
        address = parse_ip(text) if text is not None else None
        return address is not None and any(address in network for network in networks)

    return matches


_BUILDERS: dict[str, Builder] = {
    **dict.fromkeys(MEMBERSHIP_OPERATORS, _membership),
    **dict.fromkeys(STRING_OPERATORS, _string_match),
    **dict.fromkeys(NUMBER_OPERATORS, _number_compare),
    **dict.fromkeys(DATE_OPERATORS, _date_compare),
    **dict.fromkeys(SEMVER_OPERATORS, _semver_compare),
    "REGEX": _regex_match,
    "IN_CIDR": _in_cidr,
}
