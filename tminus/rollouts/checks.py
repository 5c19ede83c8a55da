"""Evaluating a plan's criteria and triggers against the metrics.

A check is met, not met, or unknown. Unknown (too small a sample, no data for a ratio, a
Prometheus that is down) never counts as met: a stage does not advance on it, and a trigger does
not fire on it either; the reason is shown next to the value.
"""

import operator
from dataclasses import dataclass
from datetime import datetime, timedelta

from tminus.metrics.measures import Measure, Reading, Scope, measure, prometheus_prefetch
from tminus.rollouts import comparing
from tminus.rollouts import statistics as st
from tminus.rollouts.choices import Comparator

COMPARE = {Comparator.LT: operator.lt, Comparator.LTE: operator.le,
           Comparator.GT: operator.gt, Comparator.GTE: operator.ge}


@dataclass(frozen=True)
class CheckResult:
    check: object  # the Criterion or Trigger row
    reading: Reading
    met: bool | None  # None: unknown
    why: str = ""
    comparison: comparing.ArmComparison | None = None  # a comparing criterion's test

    @property
    def value(self) -> float | None:
        return self.reading.value

    @property
    def regression(self) -> bool:
        return self.comparison is not None and self.comparison.verdict == st.REGRESSION

    def as_dict(self) -> dict:
        """For stage results, check-ins and the API."""
        data = {"label": label(self.check), "measure": measure_of(self.check).describe(),
                "comparator": self.check.comparator, "threshold": self.check.threshold,
                "value": _rounded(self.reading.value), "sample": self.reading.sample,
                "min_sample": self.check.min_sample, "met": self.met, "why": self.why}
        if self.comparison is not None:
            data["comparison"] = self.comparison.as_dict()
        return data


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def measure_of(check) -> Measure:
    return Measure(metric=check.metric, aggregation=check.aggregation,
                   denominator=check.denominator, sample_metric=check.sample_metric,
                   source=check.source, query=check.query, url=check.url,
                   of_query=check.of_query, squares_query=check.squares_query,
                   per_user=getattr(check, "per_user", False))


def label(check) -> str:
    """'% download_error of download_click below 2 (at least 200 exposures)'."""
    spec = measure_of(check)
    if getattr(check, "compare", False):
        return comparing.comparison_label(check, spec)
    text = f"{spec.describe()} {Comparator(check.comparator).label} {check.threshold:g}{spec.unit}"
    if check.min_sample:
        sample = spec.sample_metric or (spec.denominator if spec.aggregation == "ratio"
                                        else spec.metric)
        text += f" (at least {check.min_sample} {sample or 'samples'})"
    return text


def scope_for(plan, check, start: datetime, end: datetime) -> Scope:
    return Scope(environment=plan.environment.key,
                 flag=None if check.all_flags else plan.flag.key, start=start, end=end)


def evaluate(plan, check, start: datetime, end: datetime) -> CheckResult:
    """Measure a check over [start, end) and compare it with its threshold (or, for a
    comparing criterion, the treatment arm with the control arm)."""
    if getattr(check, "compare", False):
        found = comparing.arms_compare(check, measure_of(check),
                                       scope_for(plan, check, start, end))
        return CheckResult(check, found.reading, found.met, found.sentence, found)
    reading = measure(measure_of(check), scope_for(plan, check, start, end))
    if not reading.known:
        return CheckResult(check, reading, None, reading.error or "no value")
    if check.min_sample and (reading.sample or 0) < check.min_sample:
        return CheckResult(check, reading, None,
                           f"not enough data yet: {reading.sample or 0} of {check.min_sample}")
    met = COMPARE[check.comparator](reading.value, check.threshold)
    return CheckResult(check, reading, met)


def prefetch(plan, stage, triggers, now: datetime) -> bool:
    """Start the Prometheus queries the plan's next look needs; whether it has any."""
    windows = [(c, plan.stage_started_at or now) for c in stage.criteria.all()]
    windows += [(t, _trigger_start(plan, t, now)) for t in triggers]
    started = []
    for check, start in windows:
        scope = scope_for(plan, check, start, now)
        specs = (comparing.prometheus_arm_measures(measure_of(check), scope)
                 if getattr(check, "compare", False) else [measure_of(check)])
        started += [prometheus_prefetch(spec, scope) for spec in specs]
    return any(started)


def criteria_results(plan, stage, now: datetime) -> list[CheckResult]:
    """Each criterion of a stage over the stage's window so far."""
    start = plan.stage_started_at or now
    return [evaluate(plan, criterion, start, now) for criterion in stage.criteria.all()]


def trigger_results(plan, triggers, now: datetime) -> list[CheckResult]:
    """Each trigger over its last minutes; a trigger that is met has fired."""
    return [evaluate(plan, trigger, _trigger_start(plan, trigger, now), now)
            for trigger in triggers]


def _trigger_start(plan, trigger, now: datetime) -> datetime:
    start = now - timedelta(minutes=trigger.window_minutes)
    if plan.watch_from and plan.watch_from > start:
        start = plan.watch_from
    return start


def sample_ratio(plan, stage, now: datetime) -> comparing.SampleRatioCheck | None:
    """The stage's split of exposures against its percentage, over the stage so far."""
    start = plan.stage_started_at or now
    scope = Scope(environment=plan.environment.key, flag=plan.flag.key, start=start, end=now)
    return comparing.sample_ratio_check(stage, scope)
