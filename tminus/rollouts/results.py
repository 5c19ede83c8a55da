"""What a stage (or a post-launch check-in) measured, written into the plan as plain data.

The numbers of seed 004's results sections: unique users, exposures, each criterion's value
against its threshold, and the errors the plan guards against (the metrics its triggers watch),
plus any problem met while measuring.
"""

from datetime import datetime

from tminus.metrics.builtin import is_builtin
from tminus.metrics.measures import EVENTS, Scope, count_of
from tminus.metrics.selectors import unique_users
from tminus.rollouts.checks import CheckResult


def _event_metrics(checks) -> list[str]:
    keys = []
    for check in checks:
        if check.source == EVENTS:
            keys += [check.metric, check.denominator, check.sample_metric]
    return [key for key in dict.fromkeys(keys) if key and not is_builtin(key)]


def window_results(plan, start: datetime, end: datetime, checks: list[CheckResult],
                   triggers) -> dict:
    """The plan's numbers over [start, end), with the given check results."""
    scope = Scope(environment=plan.environment.key, flag=plan.flag.key, start=start, end=end)
    watched = _event_metrics([r.check for r in checks] + list(triggers))
    # The errors of a plan are what its triggers watch: "download errors above 2%".
    error_metrics = [t.metric for t in triggers if t.source == EVENTS and not is_builtin(t.metric)]
    counts = {key: count_of(key, scope) for key in watched}
    return {
        "window": {"start": start.isoformat(), "end": end.isoformat()},
        "unique_users": unique_users(flag=plan.flag.key, environment=plan.environment.key,
                                     start=start, end=end),
        "exposures": count_of("exposures", scope),
        "evaluations": count_of("evaluations", scope),
        "metrics": counts,
        "criteria": [result.as_dict() for result in checks],
        "errors": {key: counts.get(key, count_of(key, scope))
                   for key in dict.fromkeys(error_metrics)},
        "problems": [f"{result.as_dict()['label']}: {result.why}" for result in checks
                     if result.met is None],
    }
