"""The sequential test on fixed data, against computations written independently of the module:
numerical integration of the mixture likelihood, Howard et al.'s form of the normal-mixture
boundary, the chi-square survival function written with erfc, and simulation."""

import math

import numpy as np
import pytest
from scipy import integrate

from tminus.rollouts import statistics as st


def mixture_by_integration(d: float, s2: float, tau2: float, theta: float = 0.0) -> float:
    """The mixture likelihood ratio integrated numerically, as Johari et al. define it:
    the likelihood of d under theta + delta, delta ~ N(0, tau2), over its likelihood under theta."""
    def integrand(delta):
        ratio = math.exp((delta * (d - theta) - delta**2 / 2) / s2)
        prior = math.exp(-delta**2 / (2 * tau2)) / math.sqrt(2 * math.pi * tau2)
        return ratio * prior

    width = 12 * math.sqrt(tau2)
    return integrate.quad(integrand, -width, width, limit=200)[0]


@pytest.mark.parametrize(("d", "s2", "tau2"), [
    (0.3, 0.04, 0.25), (-1.2, 0.5, 1.0), (0.01, 1e-4, 2.5e-5), (2.0, 1.0, 0.1)])
def test_mixture_likelihood_ratio_equals_the_integral_it_stands_for(d, s2, tau2):
    assert st.mixture_likelihood_ratio(d, s2, tau2) == pytest.approx(
        mixture_by_integration(d, s2, tau2), rel=1e-6)


def test_confidence_sequence_matches_howards_normal_mixture_boundary():
    # Howard et al. 2021: |S_v| < sqrt((v + rho) log((v + rho) / (rho alpha^2))) with the
    # sum S = v (d - theta), intrinsic time v = 1 / s2 and rho = 1 / tau2.
    for s2, tau2, alpha in [(0.04, 0.25, 0.05), (1e-5, 2.5e-5, 0.05), (2.0, 0.5, 0.01)]:
        v, rho = 1 / s2, 1 / tau2
        boundary = math.sqrt((v + rho) * math.log((v + rho) / (rho * alpha**2)))
        assert st.half_width(s2, tau2, alpha) == pytest.approx(boundary / v, rel=1e-12)


def test_likelihood_ratio_at_the_edge_of_the_sequence_is_one_over_alpha():
    d, s2, tau2, alpha = 0.7, 0.09, 0.16, 0.05
    edge = d + st.half_width(s2, tau2, alpha)
    assert st.mixture_likelihood_ratio(d, s2, tau2, theta=edge) == pytest.approx(1 / alpha)
    assert st.always_valid_p_value(d, s2, tau2, theta=edge) == pytest.approx(alpha)


def test_sequence_is_wider_than_the_fixed_sample_interval_it_replaces():
    s2, tau2 = 0.01, 0.01
    fixed = 1.959964 * math.sqrt(s2)
    assert st.half_width(s2, tau2, 0.05) > fixed


def test_a_a_simulation_with_a_look_after_every_batch_stays_within_alpha():
    """Time-uniform coverage: 2,000 A/A paths of 200 looks each, 1% error rate in both arms."""
    rng = np.random.default_rng(13)
    paths, looks, per_look = 2000, 200, 100
    t = rng.binomial(per_look, 0.01, (paths, looks)).cumsum(axis=1)
    c = rng.binomial(per_look * 9, 0.01, (paths, looks)).cumsum(axis=1)
    n = np.arange(1, looks + 1) * per_look
    treatment, control = st.proportion_arms(t, n, c, 9 * n, scale=100)
    s2 = treatment.variance / treatment.n + control.variance / control.n
    width = st.half_width(s2, 0.5**2, 0.05)
    difference = treatment.mean - control.mean
    ever_excluded = (np.abs(difference) > width).any(axis=1).mean()
    assert ever_excluded <= 0.05
    # Each arm's own variance alone (no pooled floor) errs more often at the first looks.
    own = st.proportion_arm(t, n, scale=100), st.proportion_arm(c, 9 * n, scale=100)
    own_s2 = own[0].variance / n + own[1].variance / (9 * n)
    assert (np.abs(difference) > st.half_width(own_s2, 0.5**2, 0.05)).any(axis=1).mean() > 0.05
    # The same data looked at with a fixed-sample interval at every look errs far more often.
    naive = (np.abs(difference) > 1.959964 * np.sqrt(s2)).any(axis=1).mean()
    assert naive > 0.15


def test_compare_finds_a_doubled_error_rate_a_regression():
    # 1% of 40,000 clicks in control, 2% of 10,000 in treatment, margin 0.5 points.
    result = st.compare(*st.proportion_arms(200, 10000, 400, 40000, scale=100),
                        margin=0.5, direction=st.LOWER_IS_BETTER)
    assert result.difference == pytest.approx(1.0)
    assert result.low > 0.5
    assert result.verdict == st.REGRESSION
    assert result.p_value < 0.001


def test_compare_of_equal_rates_with_much_data_is_non_inferior():
    result = st.compare(*st.proportion_arms(500, 50000, 5000, 500000, scale=100),
                        margin=0.5, direction=st.LOWER_IS_BETTER)
    assert result.verdict == st.NON_INFERIOR
    assert result.low < 0 < result.high < 0.5


def test_compare_with_little_data_is_inconclusive_and_with_none_too_few():
    small = st.compare(*st.proportion_arms(2, 100, 9, 900, scale=100),
                       margin=0.5, direction=st.LOWER_IS_BETTER)
    assert small.verdict == st.INCONCLUSIVE
    none = st.compare(*st.proportion_arms(0, 10, 9, 900, scale=100),
                      margin=0.5, direction=st.LOWER_IS_BETTER)
    assert none.verdict == st.TOO_FEW and none.low is None


def test_compare_higher_is_better_mirrors_the_margin():
    result = st.compare(*st.proportion_arms(1000, 10000, 20000, 100000, scale=100),
                        margin=1, direction=st.HIGHER_IS_BETTER)
    assert result.difference == pytest.approx(-10)
    assert result.verdict == st.REGRESSION


def test_mean_arm_variance_equals_numpys_sample_variance():
    values = np.array([120.0, 80, 95, 300, 110, 105])
    arm = st.mean_arm(len(values), values.sum(), (values**2).sum())
    assert arm.mean == pytest.approx(values.mean())
    assert arm.variance == pytest.approx(values.var(ddof=1))


def test_compare_of_latency_means_finds_a_slower_treatment():
    rng = np.random.default_rng(4)
    slow, fast = rng.normal(130, 20, 400), rng.normal(100, 20, 4000)
    arms = [st.mean_arm(len(v), v.sum(), (v**2).sum()) for v in (slow, fast)]
    result = st.compare(*arms, margin=10, direction=st.LOWER_IS_BETTER)
    assert result.verdict == st.REGRESSION
    assert result.low < 30 < result.high


def chi_square_one_df_p(treatment: int, control: int, share: float) -> float:
    total = treatment + control
    expected = (share * total, (1 - share) * total)
    statistic = sum((o - e) ** 2 / e for o, e in zip((treatment, control), expected, strict=True))
    return math.erfc(math.sqrt(statistic / 2))


def test_sample_ratio_mismatch_p_value_equals_the_chi_square_by_hand():
    result = st.sample_ratio_mismatch(821, 9179, 0.10)
    assert result.p_value == pytest.approx(chi_square_one_df_p(821, 9179, 0.10), rel=1e-9)
    assert result.mismatch  # 8.2% where 10% was expected, over 10,000 exposures


def test_sample_ratio_within_noise_is_no_mismatch():
    result = st.sample_ratio_mismatch(1012, 8988, 0.10)
    assert result.p_value == pytest.approx(chi_square_one_df_p(1012, 8988, 0.10), rel=1e-9)
    assert not result.mismatch


def test_sample_ratio_needs_enough_expected_in_each_arm():
    assert st.sample_ratio_mismatch(0, 20, 0.10).p_value is None
    assert st.sample_ratio_mismatch(10, 0, 1.0).p_value is None
