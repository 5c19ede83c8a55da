"""T-Minus metrics as a source of KPI values for a release's outcomes (the KPI's "query").

    download_click                          the count over the KPI's window
    count(download_click) / sum(x) / avg(x) count, sum or average of the values
    rate(download_click)                    events per minute
    ratio(download_error/download_click)    the first as a % of the second
    ... @production                         one environment (default: all of them)

The window is the KPI's (`window_hours`), or the last 24 hours, ending at the check-in.
"""

import re
from datetime import datetime, timedelta

from tminus.metrics.measures import COUNT, RATIO, Measure, Scope, measure, measure_problems

_QUERY = re.compile(
    r"^\s*(?:(?P<agg>count|sum|avg|rate|ratio)\(\s*(?P<metric>[a-z][a-z0-9_.-]*)\s*"
    r"(?:/\s*(?P<of>[a-z][a-z0-9_.-]*)\s*)?\)|(?P<bare>[a-z][a-z0-9_.-]*))"
    r"\s*(?:@\s*(?P<environment>\S+))?\s*$")
DEFAULT_WINDOW_HOURS = 24


def parse_kpi_query(text: str) -> tuple[Measure | None, str | None, str]:
    """(measure, environment, "") or (None, None, why the query cannot be read)."""
    match = _QUERY.match(text or "")
    if match is None:
        return None, None, (f"{text!r} is not a metrics query: use download_click, "
                            "ratio(download_error/download_click) or rate(x)@production.")
    aggregation = match["agg"] or COUNT
    if (aggregation == RATIO) != bool(match["of"]):
        return None, None, "Only ratio() takes two metrics: ratio(download_error/download_click)."
    spec = Measure(metric=match["metric"] or match["bare"], aggregation=aggregation,
                   denominator=match["of"] or "")
    problems = measure_problems(spec)
    if problems:
        return None, None, " ".join(problems.values())
    return spec, match["environment"], ""


def kpi_value(kpi, at: datetime) -> tuple[float | None, str]:
    """The KPI's value over its window ending at `at`, or None and why."""
    spec, environment, error = parse_kpi_query(kpi.query)
    if spec is None:
        return None, error
    hours = getattr(kpi, "window_hours", None) or DEFAULT_WINDOW_HOURS
    reading = measure(spec, Scope(environment=environment, flag=None,
                                  start=at - timedelta(hours=hours), end=at))
    return reading.value, reading.error
