"""The statistics of guarded rollouts: comparing the new behaviour (treatment) with the old one
(control) so that the answer stays valid however often the worker looks.

The test is the mixture sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis and
Walsh ("Peeking at A/B tests", KDD 2017), inverted into a confidence sequence: the normal-mixture
boundary of Howard, Ramdas, McAuliffe and Sekhon ("Time-uniform, nonparametric, nonasymptotic
confidence sequences", Annals of Statistics 2021). For a difference of means estimated as `d`
with variance `s2` (treatment variance over its sample plus control variance over its sample),
and a normal mixing distribution N(0, tau2) over the true difference, the likelihood ratio is

    L(theta) = sqrt(s2 / (s2 + tau2)) * exp(tau2 * (d - theta)**2 / (2 * s2 * (s2 + tau2)))

The always-valid p-value for "no difference" is min(1, 1 / L(0)), and every theta with
L(theta) < 1 / alpha forms the confidence sequence

    d +- sqrt(s2 * (s2 + tau2) / tau2 * (2 * log(1 / alpha) + log((s2 + tau2) / s2)))

which covers the true difference at every look at once with probability 1 - alpha (in the
normal approximation, with the variance estimated from the data as Johari et al. do).

Every function takes numpy arrays as well as numbers, so the benchmark simulates a thousand
rollouts at once with the same code the worker runs.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

# Below this many per arm the normal approximation is not trusted: the comparison waits.
MIN_ARM_SAMPLE = 30
# Sample ratio mismatch is tested at this strict level: a false alarm pauses a healthy rollout.
SRM_LEVEL = 0.001

LOWER_IS_BETTER, HIGHER_IS_BETTER = "lower", "higher"
REGRESSION, NON_INFERIOR, INCONCLUSIVE, TOO_FEW = (
    "regression", "non_inferior", "inconclusive", "too_few")


@dataclass(frozen=True)
class Arm:
    """One arm's summary: its sample size, the mean of the measure and the mean's variance."""

    n: float
    mean: float
    variance: float  # of one observation

    @property
    def variance_of_mean(self) -> float:
        return self.variance / self.n if self.n else math.inf


def proportion_arm(successes, trials, *, scale: float = 1.0) -> Arm:
    """An arm of a rate (errors per click): the proportion and its binomial variance.

    The variance uses (successes + 1) / (trials + 2), so that an arm that has seen no error yet
    does not claim to know its rate exactly (a zero variance would make any difference look
    certain). Counts above the trials (events per click over 1) use the Poisson variance.
    `scale` is 100 for rates shown in %.
    """
    successes, trials = np.asarray(successes, float), np.asarray(trials, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(trials > 0, successes / np.maximum(trials, 1), np.nan)
        smoothed = (successes + 1) / (trials + 2)
        variance = np.where(smoothed <= 1, smoothed * (1 - smoothed), smoothed)
    return Arm(n=_plain(trials), mean=_plain(mean * scale), variance=_plain(variance * scale**2))


def proportion_arms(treatment_successes, treatment_trials, control_successes, control_trials,
                    *, scale: float = 1.0) -> tuple[Arm, Arm]:
    """Both arms of a rate, each arm's variance at least that of the two arms pooled.

    With few events an arm's own estimate is noisy, and one that happens to be low makes the
    difference look more certain than it is: in simulated A/A rollouts looked at after every
    batch that alone raised false alarms above alpha. The pooled rate is the arms' common rate
    when there is no difference, so flooring at it keeps the test valid where it matters, and
    only widens the interval a little when the rates do differ.
    """
    treatment = proportion_arm(treatment_successes, treatment_trials, scale=scale)
    control = proportion_arm(control_successes, control_trials, scale=scale)
    pooled = proportion_arm(np.add(treatment_successes, control_successes),
                            np.add(treatment_trials, control_trials), scale=scale).variance
    return (Arm(treatment.n, treatment.mean, _plain(np.maximum(treatment.variance, pooled))),
            Arm(control.n, control.mean, _plain(np.maximum(control.variance, pooled))))


def mean_arm(count, total, total_squares) -> Arm:
    """An arm of a mean (latency): the average and the sample variance of the values."""
    count, total, squares = (np.asarray(v, float) for v in (count, total, total_squares))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        variance = np.where(count > 1, (squares - count * mean**2) / np.maximum(count - 1, 1),
                            np.nan)
    return Arm(n=_plain(count), mean=_plain(mean), variance=_plain(np.maximum(variance, 0)))


def _plain(value):
    return float(value) if np.ndim(value) == 0 else value


def mixture_likelihood_ratio(difference, variance, tau2, theta=0.0):
    """Johari et al.'s mSPRT statistic for a difference `difference` with variance `variance`."""
    difference, variance = np.asarray(difference, float), np.asarray(variance, float)
    total = variance + tau2
    exponent = tau2 * (difference - theta) ** 2 / (2 * variance * total)
    return _plain(np.sqrt(variance / total) * np.exp(np.minimum(exponent, 700)))


def always_valid_p_value(difference, variance, tau2, theta=0.0):
    """min(1, 1 / L): the p-value at this look (the running minimum over looks stays valid)."""
    return _plain(np.minimum(1.0, 1.0 / np.asarray(
        mixture_likelihood_ratio(difference, variance, tau2, theta))))


def half_width(variance, tau2, alpha):
    """Half the width of the confidence sequence at this look (see the module docstring)."""
    variance = np.asarray(variance, float)
    total = variance + tau2
    return _plain(np.sqrt(variance * total / tau2
                          * (2 * math.log(1 / alpha) + np.log(total / variance))))


@dataclass(frozen=True)
class Comparison:
    """Treatment minus control, with its confidence sequence and what it means for the margin."""

    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None  # always-valid, for "no difference"
    verdict: str  # REGRESSION, NON_INFERIOR, INCONCLUSIVE or TOO_FEW
    treatment_n: int
    control_n: int


def compare(treatment: Arm, control: Arm, *, margin: float, direction: str,
            confidence: float = 0.95, min_sample: int = 0) -> Comparison:
    """Is the treatment worse than the control by more than `margin`, at `confidence`?

    With `direction` LOWER_IS_BETTER (error rates, latency) the allowed difference is at most
    +margin: a regression when the whole interval is above it, non-inferior when the whole
    interval is below it. HIGHER_IS_BETTER mirrors that around -margin. The mixing scale of the
    test is the margin itself: the test is most sensitive to differences of about that size.
    No verdict (TOO_FEW) until each arm has `min_sample`, and at least MIN_ARM_SAMPLE.
    """
    min_sample = max(min_sample, MIN_ARM_SAMPLE)
    counts = (int(treatment.n), int(control.n))
    if min(counts) < min_sample or not (_finite(treatment) and _finite(control)):
        return Comparison(None, None, None, None, TOO_FEW, *counts)
    difference, low, high = interval(treatment, control, margin=margin, confidence=confidence)
    p_value = always_valid_p_value(difference, _variance(treatment, control), margin**2)
    return Comparison(difference, low, high, p_value,
                      verdict_of(low, high, margin=margin, direction=direction), *counts)


def _variance(treatment: Arm, control: Arm):
    return np.maximum(np.asarray(treatment.variance) / treatment.n
                      + np.asarray(control.variance) / control.n, 1e-300)


def interval(treatment: Arm, control: Arm, *, margin: float, confidence: float = 0.95):
    """(difference, low, high): the confidence sequence of treatment minus control at this
    look, mixing over N(0, margin**2). Arms of arrays give arrays (one per simulated rollout)."""
    difference = np.asarray(treatment.mean) - np.asarray(control.mean)
    width = half_width(_variance(treatment, control), margin**2, 1 - confidence)
    return _plain(difference), _plain(difference - width), _plain(difference + width)


def _finite(arm: Arm) -> bool:
    return math.isfinite(arm.mean) and math.isfinite(arm.variance)


def verdict_of(low, high, *, margin: float, direction: str):
    """REGRESSION, NON_INFERIOR or INCONCLUSIVE for an interval (arrays give arrays)."""
    low, high = np.asarray(low, float), np.asarray(high, float)
    if direction == LOWER_IS_BETTER:
        worse, fine = low > margin, high < margin
    else:
        worse, fine = high < -margin, low > -margin
    verdict = np.where(worse, REGRESSION, np.where(fine, NON_INFERIOR, INCONCLUSIVE))
    return str(verdict) if verdict.ndim == 0 else verdict


@dataclass(frozen=True)
class SampleRatio:
    treatment: int
    control: int
    expected_share: float  # of the treatment
    p_value: float | None
    mismatch: bool

    @property
    def observed_share(self) -> float | None:
        total = self.treatment + self.control
        return self.treatment / total if total else None


def sample_ratio_mismatch(treatment: int, control: int, expected_share: float, *,
                          level: float = SRM_LEVEL, min_expected: float = 5) -> SampleRatio:
    """Pearson's chi-square test of the observed split against the stage's percentage.

    No verdict (p_value None) until each arm expects at least `min_expected` observations,
    where the chi-square approximation is accepted.
    """
    total = treatment + control
    expected = np.array([expected_share, 1 - expected_share]) * total
    if total == 0 or not 0 < expected_share < 1 or expected.min() < min_expected:
        return SampleRatio(treatment, control, expected_share, None, False)
    p_value = float(stats.chisquare([treatment, control], expected).pvalue)
    return SampleRatio(treatment, control, expected_share, p_value, p_value < level)
