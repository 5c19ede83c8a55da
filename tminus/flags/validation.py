"""Checking definitions before they are saved, with the shared engine's own validators.

The engine reports problems as `path: message` (e.g. `parameters.rollout: 'abc' is not ...`);
here they become form errors keyed by the first part of the path.
"""

import re

from tminus_client.engine import (
    BUILT_IN_STRATEGIES,
    validate_constraint,
    validate_strategy,
    validate_variants,
)

from tminus.core.errors import ValidationFailed
from tminus.flags.models import Segment

KEY_PATTERN = re.compile(r"^[^\s/\\?#%]+$")
# A custom strategy's name: what SDKs register it under (`MyStrategy`, `region.eu`).
CUSTOM_STRATEGY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,99}$")
_FIELD = re.compile(r"^([A-Za-z]+)")


def segments_by_id(ids=None) -> dict[int, dict]:
    """Segments as the engine sees them (id and constraints), by id."""
    segments = Segment.objects.all()
    if ids is not None:
        segments = segments.filter(pk__in=[i for i in ids if isinstance(i, int)])
    return {s.pk: {"id": s.pk, "name": s.name, "constraints": s.constraints} for s in segments}


def is_custom_strategy(name) -> bool:
    """A strategy the engine does not know: SDKs evaluate it only if they register it."""
    return isinstance(name, str) and name not in BUILT_IN_STRATEGIES


def custom_name_problem(name: str) -> str | None:
    """Why a custom strategy name is refused: not a name SDKs can register, or a near miss of
    a built-in one (a typo would otherwise switch the strategy off without a word)."""
    if not CUSTOM_STRATEGY_NAME.match(name):
        return (f"{name!r} is not a strategy name: start with a letter, then letters, digits, "
                "'_', '.', ':' or '-' (at most 100).")
    for built_in in BUILT_IN_STRATEGIES:
        if name.lower() == built_in.lower():
            return f"{name!r} is not a strategy; did you mean {built_in!r}?"
    return None


def strategy_errors(definition: dict) -> dict[str, list[str]]:
    """Problems in a strategy definition, by field; empty when the engine can evaluate it.

    A custom strategy (a name the engine does not know) is accepted as SDKs accept it: its
    parameters are kept as given, and the rest (constraints, segments, variants) is checked.
    """
    name = definition.get("name")
    custom = [name] if is_custom_strategy(name) else []
    if custom and (problem := custom_name_problem(name)):
        return {"name": [problem]}
    problems = validate_strategy(definition, segments=segments_by_id(definition.get("segments")),
                                 custom_strategies=custom)
    return _by_field(problems, default="name")


def check_strategy(definition: dict) -> None:
    """Raise ValidationFailed with readable messages unless the strategy can be evaluated."""
    errors = strategy_errors(definition)
    if errors:
        raise ValidationFailed(errors)


def check_variants(variants) -> None:
    """Raise ValidationFailed unless a variants list (weights, payloads, overrides) is valid."""
    problems = validate_variants(variants) or _weight_problems(variants)
    if problems:
        raise ValidationFailed({"variants": problems})


def _weight_problems(variants) -> list[str]:
    """What Unleash refuses beyond the engine's checks: fixed weights over 1000, twin names."""
    names = [v.get("name") for v in variants]
    problems = [f"variant name {name!r} is used twice" for name in sorted(
        {n for n in names if names.count(n) > 1}, key=str)]
    fixed = sum(v.get("weight") or 0 for v in variants if v.get("weightType") == "fix")
    if fixed > 1000:
        problems.append(f"fixed weights add up to {fixed}, more than 1000 (100%)")
    elif fixed < 1000 and variants and all(v.get("weightType") == "fix" for v in variants):
        problems.append(f"fixed weights add up to {fixed}; with no variable variant they must "
                        "add up to 1000 (100%)")
    return problems


def check_constraints(constraints) -> None:
    """Raise ValidationFailed unless every constraint is valid (operators, values, regex ...)."""
    if not isinstance(constraints, list):
        raise ValidationFailed({"constraints": "Constraints must be a list."})
    problems = [
        f"constraints[{index}].{problem}"
        for index, constraint in enumerate(constraints)
        for problem in validate_constraint(constraint)
    ]
    if problems:
        raise ValidationFailed({"constraints": problems})


def check_flag_key(key: str) -> None:
    """Flag names go into URLs and SDK calls: no spaces, slashes or URL delimiters."""
    if not key:
        raise ValidationFailed({"key": "A flag needs a name."})
    if len(key) > 255:
        raise ValidationFailed({"key": "A flag name has at most 255 characters."})
    if not KEY_PATTERN.match(key):
        raise ValidationFailed({"key": f"{key!r} is not a valid flag name: use no spaces, "
                                       "slashes, '?', '#' or '%'."})


def _by_field(problems: list[str], default: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        match = _FIELD.match(problem)
        field = match.group(1) if match and ":" in problem else default
        errors.setdefault(field, []).append(problem)
    return errors
