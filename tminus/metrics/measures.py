"""Measuring a metric over a window: the numbers that rollout criteria and triggers compare.

A measure is a metric and an aggregation (count, sum, average, rate per minute, or the ratio of
two metrics in %), read from the per-minute totals (events, and the SDKs' exposures), or an
instant query to Prometheus. Its reading is a value with the sample it rests on, or no value and
the reason: no data yet, a ratio over zero, a Prometheus that is down. Callers treat a reading
without a value as unknown, never as zero.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings

from tminus.core.outbound import url_problem
from tminus.metrics import builtin, selectors
from tminus.metrics.prometheus import PendingQuery

EVENTS, PROMETHEUS = "events", "prometheus"
SOURCES = {EVENTS: "T-Minus events and exposures", PROMETHEUS: "Prometheus query"}

COUNT, SUM, AVG, RATE, RATIO = "count", "sum", "avg", "rate", "ratio"
ARMS = ("treatment", "control")
AGGREGATIONS = {
    COUNT: "count of",
    SUM: "sum of",
    AVG: "average of",
    RATE: "per minute:",
    RATIO: "% of",
}


@dataclass(frozen=True)
class Measure:
    metric: str = ""
    aggregation: str = COUNT
    denominator: str = ""  # the "of" of a ratio: download_error of download_click
    sample_metric: str = ""  # whose count is the sample, when not the measure's own
    source: str = EVENTS
    query: str = ""  # PromQL, for the Prometheus source
    url: str = ""  # a Prometheus server other than TMINUS_PROMETHEUS_URL
    of_query: str = ""  # PromQL of a ratio's denominator, or of an average's count (by arm)
    squares_query: str = ""  # PromQL of the sum of squares of an average (by arm)
    per_user: bool = False  # a ratio of users (with an error, of those exposed), not events

    def describe(self) -> str:
        """'% download_error of download_click', 'count of download_click'."""
        if self.source == PROMETHEUS:
            return f"Prometheus: {self.query}"
        if self.aggregation == RATIO and self.per_user:
            of = ("exposed users" if builtin.is_builtin(self.denominator)
                  else f"users with {self.denominator}")
            return f"% users with {self.metric} of {of}"
        if self.aggregation == RATIO:
            return f"% {self.metric} of {self.denominator}"
        if self.aggregation == RATE:
            return f"{self.metric} per minute"
        return f"{AGGREGATIONS.get(self.aggregation, self.aggregation)} {self.metric}"

    @property
    def unit(self) -> str:
        return "%" if self.aggregation == RATIO and self.source == EVENTS else ""


@dataclass(frozen=True)
class Scope:
    """Where and when to measure: an environment (None: all), a flag (None: any), a window,
    and a rollout arm (None: everyone; "treatment" or "control")."""

    environment: str | None
    flag: str | None
    start: datetime
    end: datetime
    arm: str | None = None

    @property
    def first_minute(self) -> datetime:
        return self.start.replace(second=0, microsecond=0)

    @property
    def first_whole_minute(self) -> datetime:
        """Where per-minute totals take over from raw events: a window counts from its exact
        start, never from the whole minute it starts in (that minute may belong to the stage
        before, or to the errors a resume is meant to leave behind)."""
        first = self.first_minute
        return first if first == self.start else first + timedelta(minutes=1)

    def for_arm(self, arm: str) -> "Scope":
        return replace(self, arm=arm)

    @property
    def minutes(self) -> float:
        return max((self.end - self.start).total_seconds() / 60, 1.0)


@dataclass(frozen=True)
class Reading:
    value: float | None
    sample: int | None = None
    error: str = ""

    @property
    def known(self) -> bool:
        return self.value is not None


def totals_by_arm(metrics: list[str], scope: Scope
                  ) -> dict[tuple[str, str], selectors.WindowTotals]:
    """(metric, arm) -> totals of the scope for "treatment" and "control", built-in metrics
    (exposures and evaluations: an arm's answers) included; a few queries in all."""
    window = {"environment": scope.environment, "flag": scope.flag, "end": scope.end}
    declared = [m for m in metrics if not builtin.is_builtin(m)]
    found = selectors.totals_by_arm(metrics=declared, start=scope.start,
                                    whole_from=scope.first_whole_minute, **window) \
        if declared else {}
    if len(declared) < len(metrics):
        counts = builtin.arm_counts(start=scope.first_whole_minute, **window)
        for metric in metrics:
            if builtin.is_builtin(metric):
                for arm, count in zip(ARMS, counts, strict=True):
                    found[(metric, arm)] = selectors.WindowTotals(
                        count, float(count), None, None, float(count))
    empty = selectors.WindowTotals(0, 0.0, None, None)
    return {(m, arm): found.get((m, arm), empty) for m in metrics for arm in ARMS}


def users_by_arm(metrics: list[str], scope: Scope) -> dict[tuple[str, str], int]:
    """(metric, arm) -> distinct users in the scope: for exposures and evaluations the users
    SDKs reported answering on and off (by whole minutes), for declared metrics the users
    whose events the arm holds (from the window's exact start)."""
    declared = [m for m in metrics if not builtin.is_builtin(m)]
    found = selectors.users_by_arm(metrics=declared, environment=scope.environment,
                                   start=scope.start, end=scope.end, flag=scope.flag) \
        if declared else {}
    if len(declared) < len(metrics):
        users = builtin.exposed_users(environment=scope.environment, flag=scope.flag,
                                      start=scope.first_whole_minute, end=scope.end)
        for metric in metrics:
            if builtin.is_builtin(metric):
                found.update({(metric, arm): n for arm, n in zip(ARMS, users, strict=True)})
    return {(m, arm): found.get((m, arm), 0) for m in metrics for arm in ARMS}


def count_of(metric: str, scope: Scope) -> int:
    """How many events (or exposures, or evaluations) of a metric fall in the scope."""
    return totals_of(metric, scope).count


def totals_of(metric: str, scope: Scope) -> selectors.WindowTotals:
    """Count, sum and sum of squares of a metric in the scope, from its exact start.

    Events of the minute the window starts in are read raw, from the start on; SDKs report
    exposures per whole minute, so those count from the first whole minute.
    """
    whole = scope.first_whole_minute
    window = {"environment": scope.environment, "flag": scope.flag, "start": whole,
              "end": scope.end, "arm": scope.arm}
    if builtin.is_builtin(metric):
        count = builtin.builtin_count(metric=metric, **window)
        return selectors.WindowTotals(count=count, total=float(count), minimum=None,
                                      maximum=None, total_squares=float(count))
    totals = selectors.metric_totals(metric=metric, **window)
    if whole > scope.start:
        totals = totals + selectors.event_totals(metric=metric, **{
            **window, "start": scope.start, "end": min(whole, scope.end)})
    return totals


def measure(spec: Measure, scope: Scope) -> Reading:
    """The measure's value in the scope, with its sample, or None and why."""
    if spec.source == PROMETHEUS:
        return _prometheus(spec, scope)
    totals = totals_of(spec.metric, scope)
    reading = _aggregate(spec, scope, totals)
    if spec.sample_metric:
        reading = Reading(reading.value, count_of(spec.sample_metric, scope), reading.error)
    return reading


def _aggregate(spec: Measure, scope: Scope, totals: selectors.WindowTotals) -> Reading:
    if spec.aggregation == RATIO:
        base = count_of(spec.denominator, scope)
        if not base:
            return Reading(None, 0, f"no {spec.denominator} yet, so no ratio")
        return Reading(100.0 * totals.count / base, base)
    if spec.aggregation == AVG:
        if not totals.count:
            return Reading(None, 0, f"no {spec.metric} yet, so no average")
        return Reading(totals.average, totals.count)
    if spec.aggregation == SUM:
        return Reading(totals.total, totals.count)
    if spec.aggregation == RATE:
        return Reading(totals.count / scope.minutes, totals.count)
    return Reading(float(totals.count), totals.count)


# Queries started ahead by `prometheus_prefetch`, within a `prometheus_batch`.
_started: ContextVar[dict | None] = ContextVar("prometheus_started", default=None)


@contextmanager
def prometheus_batch():
    """Queries prefetched inside are started at once and read by `measure` when needed."""
    token = _started.set({})
    try:
        yield
    finally:
        _started.reset(token)


def _prometheus_url(spec: Measure) -> str:
    return spec.url or getattr(settings, "PROMETHEUS_URL", "")


def _start(url: str, spec: Measure, scope: Scope) -> PendingQuery:
    return PendingQuery(url, spec.query, scope.end,
                        timeout=getattr(settings, "PROMETHEUS_TIMEOUT_SECONDS", 5))


def prometheus_prefetch(spec: Measure, scope: Scope) -> bool:
    """Start the measure's Prometheus query now (inside a batch); whether there is one."""
    started, url = _started.get(), _prometheus_url(spec)
    if spec.source != PROMETHEUS or not url or started is None:
        return False
    key = (url, spec.query, scope.end)
    if key not in started:
        started[key] = _start(url, spec, scope)
    return True


def _prometheus(spec: Measure, scope: Scope) -> Reading:
    url = _prometheus_url(spec)
    sample = count_of(spec.sample_metric, scope) if spec.sample_metric else None
    if not url:
        return Reading(None, sample, "No Prometheus server: set TMINUS_PROMETHEUS_URL or the "
                                     "criterion's own URL.")
    pending = (_started.get() or {}).get((url, spec.query, scope.end)) or _start(url, spec, scope)
    value, error = pending.result()
    return Reading(value, sample, error)


def measure_problems(spec: Measure) -> dict[str, str]:
    """What is wrong with a measure's definition, per field; empty when it can be measured."""
    problems: dict[str, str] = {}
    if spec.source not in SOURCES:
        problems["source"] = f"Unknown source {spec.source!r}; use events or prometheus."
    elif spec.source == PROMETHEUS:
        if not (spec.query or "").strip():
            problems["query"] = "A Prometheus criterion needs a query."
        if spec.url and url_problem(spec.url):
            problems["url"] = url_problem(spec.url)
    else:
        problems.update(_events_problems(spec))
    if spec.sample_metric and not selectors.metric_known(spec.sample_metric):
        problems["sample_metric"] = _unknown(spec.sample_metric)
    return problems


def _events_problems(spec: Measure) -> dict[str, str]:
    problems = {}
    if spec.aggregation not in AGGREGATIONS:
        problems["aggregation"] = (f"Unknown aggregation {spec.aggregation!r}; use one of "
                                   f"{', '.join(AGGREGATIONS)}.")
    if not spec.metric:
        problems["metric"] = "Name the metric to measure."
    elif not selectors.metric_known(spec.metric):
        problems["metric"] = _unknown(spec.metric)
    if spec.aggregation == RATIO:
        if not spec.denominator:
            problems["of"] = "A ratio needs the metric it is a share of (of: download_click)."
        elif not selectors.metric_known(spec.denominator):
            problems["of"] = _unknown(spec.denominator)
    return problems


def _unknown(key: str) -> str:
    return (f"There is no metric {key!r}: declare it first (tminus metrics declare {key}), "
            f"or use a built-in one ({', '.join(builtin.BUILTIN_METRICS)}).")
