"""Criteria that compare the treatment arm with the control arm, and the sample ratio check.

Each arm's numbers come from the metrics store by arm: events placed in an arm (by the SDK that
served it, or by the server with the SDK's engine), and exposures per arm from the SDKs' yes/no
counts. The statistics are in tminus.rollouts.statistics; this module reads the arms and says
in a sentence what the test concluded and why.
"""

from dataclasses import dataclass

from tminus.metrics.measures import (
    AVG,
    PROMETHEUS,
    RATIO,
    Measure,
    Reading,
    Scope,
    measure,
    totals_by_arm,
)
from tminus.rollouts import statistics as st
from tminus.rollouts.arms import CONTROL, TREATMENT
from tminus.rollouts.choices import Comparator

LOWER = (Comparator.LT, Comparator.LTE)


@dataclass(frozen=True)
class ArmComparison:
    verdict: str
    treatment_value: float | None
    control_value: float | None
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    treatment_n: int
    control_n: int
    met: bool | None
    sentence: str

    @property
    def reading(self) -> Reading:
        return Reading(self.difference, self.treatment_n,
                       "" if self.difference is not None else self.sentence)

    def as_dict(self) -> dict:
        def rounded(value):
            return None if value is None else round(value, 6)

        return {"verdict": self.verdict, "treatment": rounded(self.treatment_value),
                "control": rounded(self.control_value), "difference": rounded(self.difference),
                "low": rounded(self.low), "high": rounded(self.high),
                "p_value": rounded(self.p_value), "treatment_sample": self.treatment_n,
                "control_sample": self.control_n, "sentence": self.sentence}


def _sample_name(spec: Measure) -> str:
    if spec.source == PROMETHEUS:
        return "samples"
    return spec.denominator if spec.aggregation == RATIO else spec.metric


def direction_of(check) -> str:
    return st.LOWER_IS_BETTER if check.comparator in LOWER else st.HIGHER_IS_BETTER


def comparison_label(check, spec: Measure) -> str:
    """'% download_error of download_click no worse than control by more than 0.5 points
    (95% confidence)'."""
    unit = " points" if spec.aggregation == RATIO else ""
    way = "higher" if direction_of(check) == st.LOWER_IS_BETTER else "lower"
    text = (f"{spec.describe()} no worse than control by more than {check.threshold:g}{unit} "
            f"({way} is worse; {check.confidence * 100:g}% confidence)")
    if check.min_sample:
        text += f", at least {check.min_sample:,} {_sample_name(spec)} per arm"
    return text


PROMETHEUS_ARMS = {TREATMENT: "on", CONTROL: "off"}


def prometheus_arm_measures(spec: Measure, scope: Scope) -> list[Measure]:
    """A Prometheus comparison's four instant queries: numerator and denominator of the
    treatment ($arm = on), then of the control ($arm = off), over the window ($window)."""
    if spec.source != PROMETHEUS:
        return []
    window = f"{max(int((scope.end - scope.start).total_seconds()), 1)}s"
    return [Measure(source=PROMETHEUS, url=spec.url,
                    query=query.replace("$arm", label).replace("$window", window))
            for label in PROMETHEUS_ARMS.values() for query in (spec.query, spec.of_query)]


def _prometheus_counts(spec: Measure, scope: Scope) -> list[int] | str:
    """[treatment events, treatment trials, control events, control trials], or why not."""
    counts = []
    for query in prometheus_arm_measures(spec, scope):
        reading = measure(query, scope)
        if reading.value is None:
            return f"{query.query}: {reading.error}"
        counts.append(round(reading.value))
    return counts


def arms_of(spec: Measure, scope: Scope) -> tuple[st.Arm, st.Arm]:
    """(treatment, control) of a ratio (in %) or an average."""
    if spec.source == PROMETHEUS:
        counts = _prometheus_counts(spec, scope)
        if isinstance(counts, str):
            raise Unmeasurable(counts)
        return st.proportion_arms(*counts, scale=100)
    if spec.aggregation == RATIO:
        found = totals_by_arm([spec.metric, spec.denominator], scope)
        counts = [(found[(spec.metric, arm)].count, found[(spec.denominator, arm)].count)
                  for arm in (TREATMENT, CONTROL)]
        return st.proportion_arms(*counts[0], *counts[1], scale=100)
    assert spec.aggregation == AVG
    found = totals_by_arm([spec.metric], scope)
    return tuple(st.mean_arm(t.count, t.total, t.total_squares)
                 for t in (found[(spec.metric, arm)] for arm in (TREATMENT, CONTROL)))


class Unmeasurable(Exception):
    """An arm could not be read (a Prometheus that is down, or a query without one number)."""


def arms_compare(check, spec: Measure, scope: Scope) -> ArmComparison:
    """The comparing criterion measured over the scope, with its verdict in a sentence."""
    try:
        treatment, control = arms_of(spec, scope)
    except Unmeasurable as error:
        return ArmComparison(st.TOO_FEW, None, None, None, None, None, None, 0, 0, None,
                             f"Could not read the arms: {error}")
    result = st.compare(treatment, control, margin=check.threshold,
                        direction=direction_of(check), confidence=check.confidence,
                        min_sample=check.min_sample)
    met = _met(result, check.min_sample)
    return ArmComparison(
        verdict=result.verdict, treatment_value=_finite(treatment.mean),
        control_value=_finite(control.mean), difference=result.difference, low=result.low,
        high=result.high, p_value=result.p_value, treatment_n=result.treatment_n,
        control_n=result.control_n, met=met, sentence=_sentence(check, spec, result, treatment,
                                                                control))


def _finite(value: float) -> float | None:
    return value if value == value else None  # NaN: no data in that arm


def _met(result: st.Comparison, min_sample: int) -> bool | None:
    """Met when conclusive (non-inferior), or when each arm reached the criterion's sample with
    no regression; never met on a regression; unknown with too few."""
    if result.verdict == st.NON_INFERIOR:
        return True
    if result.verdict == st.REGRESSION:
        return False
    if result.verdict == st.INCONCLUSIVE and min(result.treatment_n,
                                                 result.control_n) >= min_sample:
        return True
    return None


def _number(value: float, unit: str) -> str:
    return f"{value:+.3g}{unit}" if abs(value) < 1000 else f"{value:+,.0f}{unit}"


def _sentence(check, spec, result: st.Comparison, treatment, control) -> str:
    unit = "%" if spec.aggregation == RATIO else ""
    points = " points" if spec.aggregation == RATIO else ""
    sample = _sample_name(spec)
    needed = max(check.min_sample, st.MIN_ARM_SAMPLE)
    if result.verdict == st.TOO_FEW:
        return (f"Waiting for at least {needed:,} {sample} in each arm (treatment "
                f"{result.treatment_n:,}, control {result.control_n:,}).")
    margin = check.threshold if direction_of(check) == st.LOWER_IS_BETTER else -check.threshold
    measured = (f"Treatment {treatment.mean:.3g}{unit} against control {control.mean:.3g}{unit}"
                f" over {result.treatment_n:,} and {result.control_n:,} {sample}: a difference "
                f"of {_number(result.difference, points)}, "
                f"{check.confidence * 100:g}% interval {_number(result.low, '')} to "
                f"{_number(result.high, points)}")
    allowed = f"the allowed {_number(margin, points)}"
    if result.verdict == st.REGRESSION:
        return f"{measured}. The whole interval is beyond {allowed}: a regression."
    if result.verdict == st.NON_INFERIOR:
        return f"{measured}. The whole interval is within {allowed}: no worse than control."
    if min(result.treatment_n, result.control_n) >= check.min_sample:
        return (f"{measured}. Not conclusive yet, and no regression with the sample each arm "
                f"needs.")
    return (f"{measured}. Not conclusive yet: the interval still reaches past {allowed}; it "
            f"counts as no regression from {check.min_sample:,} {sample} in each arm.")


@dataclass(frozen=True)
class SampleRatioCheck:
    result: st.SampleRatio
    sentence: str

    @property
    def mismatch(self) -> bool:
        return self.result.mismatch

    def as_dict(self) -> dict:
        r = self.result
        return {"treatment": r.treatment, "control": r.control,
                "expected_share": r.expected_share, "observed_share": r.observed_share,
                "p_value": r.p_value, "mismatch": r.mismatch, "sentence": self.sentence}


def sample_ratio_check(stage, scope: Scope) -> SampleRatioCheck | None:
    """Does the split of exposures match the stage's percentage? None where there is no split
    to check (no percentage between 0 and 100, or no comparing criterion)."""
    if stage.percentage is None or not 0 < stage.percentage < 100:
        return None
    if not any(c.compare for c in stage.criteria.all()):
        return None
    found = totals_by_arm(["exposures"], scope)
    treatment, control = (found[("exposures", arm)].count for arm in (TREATMENT, CONTROL))
    result = st.sample_ratio_mismatch(treatment, control, stage.percentage / 100)
    if result.p_value is None:
        sentence = (f"Sample ratio: not enough exposures yet to check the {stage.percentage}% "
                    f"split ({treatment:,} on, {control:,} off).")
    else:
        observed = f"{100 * result.observed_share:.2f}%"
        verdict = (f"below {st.SRM_LEVEL:g}: a sample ratio mismatch. Assignment is broken or "
                   f"metrics are lost, so no comparison can be trusted."
                   if result.mismatch else f"as expected (p = {result.p_value:.3g}).")
        sentence = (f"Sample ratio: {observed} of {treatment + control:,} exposures were "
                    f"served the flag where {stage.percentage}% was expected; "
                    + (f"p = {result.p_value:.2g}, " if result.mismatch else "") + verdict)
    return SampleRatioCheck(result, sentence)
