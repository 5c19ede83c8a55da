"""Predicates over a context, and the small combinators that build them."""

from collections.abc import Callable, Sequence

from .context import Context
from .errors import EvaluationErrors

Predicate = Callable[[Context], bool]


def always(context: Context) -> bool:
    """Match every context."""
    return True


def never(context: Context) -> bool:
    """Match no context."""
    return False


def broken(reason: str, errors: EvaluationErrors) -> Predicate:
    """A predicate for a definition that cannot be evaluated: it is off and counts an error."""

    def evaluate(context: Context) -> bool:
        errors.record(reason)
        return False

    return evaluate


def negate(predicate: Predicate) -> Predicate:
    """Match exactly the contexts that ``predicate`` does not."""

    def inverted(context: Context) -> bool:
        return not predicate(context)

    return inverted


def all_of(predicates: Sequence[Predicate]) -> Predicate:
    """Match when every predicate matches, checking them in order."""
    if not predicates:
        return always
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        # Most strategies have one constraint: spare them the loop.
        first, second = predicates

        def both(context: Context) -> bool:
            return first(context) and second(context)

        return both
    checks = tuple(predicates)

    def every(context: Context) -> bool:
        # A plain loop: all() over a generator costs more than the checks themselves.
        for check in checks:  # noqa: SIM110
            if not check(context):
                return False
        return True

    return every


def any_of(predicates: Sequence[Predicate]) -> Predicate:
    """Match when at least one predicate matches, checking them in order."""
    if not predicates:
        return never
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates

        def either(context: Context) -> bool:
            return first(context) or second(context)

        return either
    checks = tuple(predicates)

    def some(context: Context) -> bool:
        for check in checks:  # noqa: SIM110 (see ``every``)
            if check(context):
                return True
        return False

    return some
