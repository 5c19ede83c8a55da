"""The registry of readiness criterion kinds.

Every kind, built-in or added by another area (testing registers `test_pass_rate`), is
registered here with `register_criterion_kind(kind, label, evaluate)`, where
`evaluate(release, params) -> (met, why)`. Optional `clean(params) -> params` checks a
criterion's parameters when it is added (raise ValueError with a message), and
`describe(params) -> str` gives the default label.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

Evaluate = Callable[[object, dict], tuple[bool, str]]


@dataclass(frozen=True)
class CriterionKind:
    kind: str
    label: str
    evaluate: Evaluate
    clean: Callable[[dict], dict] | None = None
    describe: Callable[[dict], str] | None = None


_kinds: dict[str, CriterionKind] = {}


def register_criterion_kind(kind: str, label: str, evaluate: Evaluate, *,
                            clean: Callable[[dict], dict] | None = None,
                            describe: Callable[[dict], str] | None = None) -> CriterionKind:
    """Make a kind of readiness criterion available to every release."""
    entry = CriterionKind(kind, label, evaluate, clean, describe)
    _kinds[kind] = entry
    return entry


def criterion_kinds() -> list[CriterionKind]:
    return sorted(_kinds.values(), key=lambda entry: entry.label)


def criterion_kind(kind: str) -> CriterionKind | None:
    return _kinds.get(kind)


def clean_params(kind: str, params: dict) -> dict:
    """A criterion's parameters checked by its kind; ValueError saying what is wrong."""
    entry = _kinds.get(kind)
    if entry is None:
        known = ", ".join(sorted(_kinds))
        raise LookupError(f"Unknown criterion kind {kind!r}; use one of {known}.")
    if not isinstance(params, dict):
        raise ValueError("Parameters must be an object of names and values.")
    return entry.clean(params) if entry.clean else params


def default_label(kind: str, params: dict) -> str:
    entry = _kinds.get(kind)
    if entry is None:
        return kind
    return entry.describe(params) if entry.describe else entry.label


def evaluate(release, kind: str, params: dict) -> tuple[bool, str]:
    """(met, why) for one criterion. A kind that is missing or fails counts as not met."""
    entry = _kinds.get(kind)
    if entry is None:
        return False, f"Unknown criterion kind {kind!r}: the area providing it is not installed."
    try:
        met, why = entry.evaluate(release, params or {})
    except Exception as error:  # a gate fails closed: a broken check never lets a release through
        log.exception("readiness criterion %s failed on release %s", kind, release.pk)
        return False, f"Could not be evaluated: {error}"
    return bool(met), why
