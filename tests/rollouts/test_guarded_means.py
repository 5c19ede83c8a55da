"""Comparisons of means read from Prometheus: latency per arm from a real Prometheus (its sum,
count and sum of squares per {variant="on"} / {variant="off"}), the normal-mixture confidence
sequence for the difference of means checked against an independent computation (scipy), a
regression rolling back and a healthy release advancing."""

import math
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from tests.rollouts.conftest import SYSTEM
from tests.rollouts.test_guarded import create
from tests.support.prometheus import real_prometheus_server
from tminus.core.errors import ValidationFailed
from tminus.rollouts import services
from tminus.rollouts.choices import RolloutStatus

MARGIN = 20.0  # milliseconds
LATENCY_AGAINST_CONTROL = {
    "source": "prometheus", "compare": "control", "aggregation": "avg",
    "query": 'sum(request_ms_sum{variant="$arm"})',
    "of_query": 'sum(request_ms_count{variant="$arm"})',
    "squares_query": 'sum(request_ms_squares_total{variant="$arm"})',
    "comparator": "<=", "margin": MARGIN, "min_sample": 50, "on_regression": "rollback"}


def latencies(seed: int, treatment_ms: float) -> dict[str, np.ndarray]:
    """Fixed samples of request latency: 400 requests served the flag, 3,600 not."""
    generator = np.random.default_rng(seed)
    return {"on": generator.normal(treatment_ms, 40, 400).round(1),
            "off": generator.normal(200, 40, 3600).round(1)}


def openmetrics(samples: dict[str, np.ndarray], at: float) -> str:
    """Each arm's latency as an exporter would give it: sum and count (a summary) and the sum
    of squares (a counter), one sample each at `at` (seconds)."""
    lines = ["# TYPE request_ms summary", "# TYPE request_ms_squares counter"]
    for arm, values in samples.items():
        lines += [f'request_ms_sum{{variant="{arm}"}} {float(values.sum())!r} {at:.3f}',
                  f'request_ms_count{{variant="{arm}"}} {len(values)} {at:.3f}',
                  f'request_ms_squares_total{{variant="{arm}"}} {float((values ** 2).sum())!r} '
                  f'{at:.3f}']
    return "\n".join([*lines, "# EOF", ""])


def confidence_sequence_by_scipy(treatment, control, *, margin: float, alpha: float):
    """(difference, low, high) computed independently: the arms' means and sample variances
    from scipy.stats.describe, and the edges where the normal mixture's likelihood ratio,
    integrated numerically over N(0, margin**2), reaches 1 / alpha."""
    t, c = stats.describe(treatment), stats.describe(control)
    difference = t.mean - c.mean
    s2 = t.variance / t.nobs + c.variance / c.nobs
    sd, tau = math.sqrt(s2), margin

    def ratio(theta: float) -> float:
        def integrand(delta):
            # The likelihood of the difference at theta + delta over that at theta (normal
            # densities, in logs so that far tails stay finite), weighted by N(0, tau**2).
            log_ratio = ((difference - theta) ** 2
                         - (difference - theta - delta) ** 2) / (2 * s2)
            weight = -delta ** 2 / (2 * tau ** 2)
            return math.exp(log_ratio + weight) / (tau * math.sqrt(2 * math.pi))
        return integrate.quad(integrand, -12 * tau, 12 * tau, limit=200)[0]

    reach = difference + 20 * sd
    high = optimize.brentq(lambda theta: ratio(theta) - 1 / alpha, difference, reach)
    low = optimize.brentq(lambda theta: ratio(theta) - 1 / alpha, 2 * difference - reach,
                          difference)
    return difference, low, high


def definition(min_duration: str) -> dict:
    return {"name": "Faster downloads", "stages": [
        {"name": "Canary", "percentage": 10, "min_duration": min_duration,
         "criteria": [LATENCY_AGAINST_CONTROL]},
        {"name": "Everyone", "percentage": 100}]}


def checked_against(flag, release, samples, *, min_duration: str = "30m"):
    """A plan started 30 minutes ago, checked once against a real Prometheus holding the
    samples; the plan and what the worker did."""
    now = datetime.now(UTC).replace(microsecond=0)
    with real_prometheus_server(openmetrics(samples, time.time() - 60)) as url:
        plan = create(flag, release, {**definition(min_duration)})
        criterion = plan.stages.get(order=0).criteria.get()
        criterion.url = url
        criterion.save(update_fields=["url"])
        services.rollout_start(plan=plan, actor=SYSTEM, reason="go",
                               now=now - timedelta(minutes=30))
        said = services.rollouts_check(now=now)[plan.key]
    plan.refresh_from_db()
    return plan, said


def test_slower_treatment_rolls_back_with_the_interval_scipy_computes(flag, release, viewer):
    from tests.conftest import signed_in

    samples = latencies(3, treatment_ms=260)

    plan, said = checked_against(flag, release, samples)

    assert said == "rolled back" and plan.status == RolloutStatus.ROLLED_BACK
    comparison = plan.runs.get().results["criteria"][0]["comparison"]
    difference, low, high = confidence_sequence_by_scipy(samples["on"], samples["off"],
                                                         margin=MARGIN, alpha=0.05)
    assert comparison["difference"] == pytest.approx(difference, abs=1e-5)
    assert comparison["low"] == pytest.approx(low, abs=1e-4)
    assert comparison["high"] == pytest.approx(high, abs=1e-4)
    assert comparison["low"] > MARGIN and comparison["verdict"] == "regression"
    assert (comparison["treatment_sample"], comparison["control_sample"]) == (400, 3600)
    assert comparison["treatment"] == pytest.approx(samples["on"].mean(), abs=1e-5)
    assert "over 400 and 3,600 observations" in plan.status_reason
    page = signed_in(viewer).get(f"/rollouts/{plan.key}/").content.decode()
    assert 'class="band"' in page and "allowed margin +20" in page
    assert "sample treatment 400, control 3600 observations" in page


def test_equally_fast_treatment_is_no_worse_and_the_stage_advances(flag, release):
    samples = latencies(5, treatment_ms=200)

    plan, said = checked_against(flag, release, samples, min_duration="0")

    assert said == "advanced" and plan.stage_index == 1
    comparison = plan.runs.get(stage__order=0).results["criteria"][0]["comparison"]
    _, low, high = confidence_sequence_by_scipy(samples["on"], samples["off"], margin=MARGIN,
                                                alpha=0.05)
    assert (comparison["low"], comparison["high"]) == (pytest.approx(low, abs=1e-4),
                                                       pytest.approx(high, abs=1e-4))
    assert comparison["verdict"] == "non_inferior" and high < MARGIN


def test_prometheus_comparison_of_means_asks_six_queries(flag, release, prometheus, settings):
    settings.PROMETHEUS_URL = prometheus.url
    plan = create(flag, release, definition("30m"))
    start = datetime.now(UTC) - timedelta(minutes=40)
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=start)
    samples = latencies(3, treatment_ms=260)
    for arm, values in samples.items():
        prometheus.set_value(f'sum(request_ms_sum{{variant="{arm}"}})', repr(float(values.sum())))
        prometheus.set_value(f'sum(request_ms_count{{variant="{arm}"}})', str(len(values)))
        prometheus.set_value(f'sum(request_ms_squares_total{{variant="{arm}"}})',
                             repr(float((values ** 2).sum())))

    assert services.rollouts_check(now=start + timedelta(minutes=30))[plan.key] == "rolled back"
    assert sorted(asked["query"] for asked in prometheus.asked) == sorted(
        query.replace("$arm", arm) for arm in ("on", "off")
        for query in (LATENCY_AGAINST_CONTROL["query"], LATENCY_AGAINST_CONTROL["of_query"],
                      LATENCY_AGAINST_CONTROL["squares_query"]))


def test_prometheus_comparison_of_means_needs_the_sum_of_squares_per_arm(flag, release):
    check = {**LATENCY_AGAINST_CONTROL, "squares_query": "sum(request_ms_squares_total)"}
    with pytest.raises(ValidationFailed) as refused:
        create(flag, release, {**definition("30m"), "stages": [
            {"name": "Canary", "percentage": 10, "criteria": [check]}]})
    assert "$arm" in str(refused.value.errors["stages.0.criteria.0.squares_query"])


def test_prometheus_comparison_of_means_round_trips_through_the_definition(flag, release):
    plan = create(flag, release, definition("30m"))
    written = services.plan_definition(plan)["stages"][0]["criteria"][0]
    assert written == {**LATENCY_AGAINST_CONTROL, "metric": "", "confidence": 95}
