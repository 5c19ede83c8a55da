"""Readiness criteria this area provides: a pass rate per kind and environment, no failures.

`test_pass_rate` {kind, environment, min_rate}: "UAT 100% on staging".
`no_failed_tests` {kind (optional), environment}: "no failed smoke test on production".
Both read each case's latest result in the environment; cases planned for the environment that
never ran there count as not passed, and no result at all is never a pass.
"""

from tminus.core.keys import make_key
from tminus.testing import selectors
from tminus.testing.choices import TestKind, kind_from_text


def _kind_param(params: dict, *, required: bool) -> str:
    value = str(params.get("kind") or "").strip()
    if not value:
        if required:
            raise ValueError(f"Name the kind of test: one of {', '.join(TestKind.values)}.")
        return ""
    kind = kind_from_text(value)
    if kind is None:
        raise ValueError(f"Unknown test kind {value!r}; use one of {', '.join(TestKind.values)}.")
    return kind


def _environment_param(params: dict) -> str:
    key = make_key(str(params.get("environment") or ""))
    if not key:
        raise ValueError("Name the environment, such as staging or production.")
    return key


def _rate_param(params: dict) -> float:
    value = params.get("min_rate", 100)
    try:
        rate = float(str(value).strip().rstrip("%"))
    except ValueError:
        raise ValueError(f"min_rate must be a percentage from 0 to 100, not {value!r}.") from None
    if not 0 <= rate <= 100:
        raise ValueError(f"min_rate must be a percentage from 0 to 100, not {value!r}.")
    return rate


def pass_rate_clean(params: dict) -> dict:
    """The parameters of a pass-rate criterion, checked; ValueError says what is wrong."""
    return {"kind": _kind_param(params, required=True),
            "environment": _environment_param(params), "min_rate": _rate_param(params)}


def no_failed_clean(params: dict) -> dict:
    """The parameters of a no-failed-tests criterion, checked."""
    return {"kind": _kind_param(params, required=False),
            "environment": _environment_param(params)}


def _label(kind: str) -> str:
    return TestKind(kind).label if kind in TestKind.values else (kind or "all")


def pass_rate_describe(params: dict) -> str:
    rate = f"{float(params.get('min_rate', 100)):g}"
    return f"{_label(params.get('kind', ''))} tests {rate}% passed on {params.get('environment')}"


def no_failed_describe(params: dict) -> str:
    kind = params.get("kind")
    what = f"{_label(kind)} test" if kind else "test"
    return f"No failed {what} on {params.get('environment')}"


def _environment(release, key: str):
    return release.product.environments.filter(key=make_key(key or "")).first()


def _counts(tally) -> str:
    parts = [f"{tally.passed} of {tally.executed} passed ({tally.rate}%)"]
    for name in ("failed", "blocked", "not_run", "skipped"):
        count = getattr(tally, name)
        if count:
            parts.append(f"{count} {name.replace('_', ' ')}")
    return ", ".join(parts)


def _tally(release, params: dict):
    """(environment, tally) for the criterion's kind (or every kind) and environment."""
    environment = _environment(release, params.get("environment", ""))
    if environment is None:
        return None, None
    rates = selectors.pass_rates(release)
    kind = kind_from_text(params.get("kind") or "") if params.get("kind") else ""
    if kind:
        return environment, rates.cell(kind, environment.pk)
    return environment, rates.by_environment.get(environment.pk, selectors.Tally())


def pass_rate_evaluate(release, params: dict) -> tuple[bool, str]:
    """Met when the kind's latest results in the environment pass at least min_rate percent."""
    environment, tally = _tally(release, params)
    if environment is None:
        return False, f"{release.product.name} has no environment {params.get('environment')!r}."
    what = f"{_label(params.get('kind', ''))} tests on {environment.name}"
    if not tally.executed:
        return False, f"No results for {what} yet."
    needed = _rate_param(params)
    met = tally.rate >= needed
    return met, f"{what}: {_counts(tally)}; needs {needed:g}%."


def no_failed_evaluate(release, params: dict) -> tuple[bool, str]:
    """Met when the environment has results of the kind and none of the latest ones failed."""
    environment, tally = _tally(release, params)
    if environment is None:
        return False, f"{release.product.name} has no environment {params.get('environment')!r}."
    kind = params.get("kind")
    what = f"{_label(kind)} tests on {environment.name}" if kind else f"tests on {environment.name}"
    if not tally.ran:
        return False, f"No results for {what} yet."
    if tally.failed:
        return False, f"{tally.failed} {what} failed in their latest run."
    return True, f"No failed {what}: {_counts(tally)}."


def register() -> None:
    """Offer the criteria to readiness when that area is installed."""
    try:
        from tminus.readiness.criteria import register_criterion_kind
    except ImportError:
        return
    register_criterion_kind("test_pass_rate", "Test pass rate", pass_rate_evaluate,
                            clean=pass_rate_clean, describe=pass_rate_describe)
    register_criterion_kind("no_failed_tests", "No failed tests", no_failed_evaluate,
                            clean=no_failed_clean, describe=no_failed_describe)
