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
    users_by_arm,
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
    # Distinct users of each arm, where known: exposed users where SDKs report them; for a
    # comparison per user, the sample itself.
    treatment_users: int | None = None
    control_users: int | None = None

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
                "control_sample": self.control_n, "treatment_users": self.treatment_users,
                "control_users": self.control_users, "sentence": self.sentence}


def sample_name(spec: Measure) -> str:
    """What one unit of an arm's sample is: a click, an exposed user, an observation."""
    if spec.source == PROMETHEUS:
        return "observations" if spec.aggregation == AVG else "samples"
    if spec.per_user:
        return "exposed users" if spec.denominator in ("exposures", "evaluations") else "users"
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
        text += f", at least {check.min_sample:,} {sample_name(spec)} per arm"
    return text


PROMETHEUS_ARMS = {TREATMENT: "on", CONTROL: "off"}


def _prometheus_queries(spec: Measure) -> tuple[str, ...]:
    """Per arm: (events, trials) of a ratio; (sum, count, sum of squares) of an average."""
    if spec.aggregation == AVG:
        return spec.query, spec.of_query, spec.squares_query
    return spec.query, spec.of_query


def prometheus_arm_measures(spec: Measure, scope: Scope) -> list[Measure]:
    """A Prometheus comparison's instant queries: those of the treatment ($arm = on), then
    those of the control ($arm = off), over the window ($window)."""
    if spec.source != PROMETHEUS:
        return []
    window = f"{max(int((scope.end - scope.start).total_seconds()), 1)}s"
    return [Measure(source=PROMETHEUS, url=spec.url,
                    query=query.replace("$arm", label).replace("$window", window))
            for label in PROMETHEUS_ARMS.values() for query in _prometheus_queries(spec)]


def _prometheus_numbers(spec: Measure, scope: Scope) -> list[float]:
    """The queries' values in prometheus_arm_measures' order; Unmeasurable when one fails."""
    numbers = []
    for query in prometheus_arm_measures(spec, scope):
        reading = measure(query, scope)
        if reading.value is None:
            raise Unmeasurable(f"{query.query}: {reading.error}")
        numbers.append(reading.value)
    return numbers


def _prometheus_arms(spec: Measure, scope: Scope) -> tuple[st.Arm, st.Arm]:
    numbers = _prometheus_numbers(spec, scope)
    if spec.aggregation == AVG:
        # sum, count and sum of squares per arm: the mean and its variance, as from events.
        total_t, count_t, squares_t, total_c, count_c, squares_c = numbers
        return (st.mean_arm(round(count_t), total_t, squares_t),
                st.mean_arm(round(count_c), total_c, squares_c))
    return st.proportion_arms(*(round(n) for n in numbers), scale=100)


def arms_of(spec: Measure, scope: Scope) -> tuple[st.Arm, st.Arm]:
    """(treatment, control) of a ratio (in %) or an average."""
    if spec.source == PROMETHEUS:
        return _prometheus_arms(spec, scope)
    if spec.per_user:
        # Users with the event of those with the trial (or exposed): each user one trial.
        found = users_by_arm([spec.metric, spec.denominator], scope)
        counts = [(found[(spec.metric, arm)], found[(spec.denominator, arm)])
                  for arm in (TREATMENT, CONTROL)]
        return st.proportion_arms(*counts[0], *counts[1], scale=100)
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


def arm_users(spec: Measure, scope: Scope) -> tuple[int | None, int | None]:
    """(treatment, control) exposed users of each arm where SDKs report them, else None.

    Read from the SDKs' reports only (one indexed count): counting the distinct users of the
    raw events at every round would cost a scan of the stage's events for a number shown
    beside the sample; a comparison per user pays that because it is its sample.
    """
    if spec.source == PROMETHEUS:
        return None, None
    found = users_by_arm(["exposures"], scope)
    users = (found[("exposures", TREATMENT)], found[("exposures", CONTROL)])
    return (None, None) if not any(users) else users


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
    users = ((result.treatment_n, result.control_n) if spec.per_user
             else arm_users(spec, scope))
    return ArmComparison(
        verdict=result.verdict, treatment_value=_finite(treatment.mean),
        control_value=_finite(control.mean), difference=result.difference, low=result.low,
        high=result.high, p_value=result.p_value, treatment_n=result.treatment_n,
        control_n=result.control_n, met=met,
        sentence=_sentence(check, spec, result, (treatment, control), users),
        treatment_users=users[0], control_users=users[1])


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


def _in_users(spec: Measure, users: tuple[int | None, int | None]) -> str:
    """' (1,950 and 17,400 exposed users)': the users behind a sample that is not users."""
    if spec.per_user or users[0] is None:
        return ""
    return f" ({users[0]:,} and {users[1]:,} exposed users)"


def _sentence(check, spec, result: st.Comparison, arms, users) -> str:
    treatment, control = arms
    unit = "%" if spec.aggregation == RATIO else ""
    points = " points" if spec.aggregation == RATIO else ""
    sample = sample_name(spec)
    needed = max(check.min_sample, st.MIN_ARM_SAMPLE)
    if result.verdict == st.TOO_FEW:
        return (f"Waiting for at least {needed:,} {sample} in each arm (treatment "
                f"{result.treatment_n:,}, control {result.control_n:,}).")
    margin = check.threshold if direction_of(check) == st.LOWER_IS_BETTER else -check.threshold
    measured = (f"Treatment {treatment.mean:.3g}{unit} against control {control.mean:.3g}{unit}"
                f" over {result.treatment_n:,} and {result.control_n:,} {sample}"
                f"{_in_users(spec, users)}: a difference "
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
