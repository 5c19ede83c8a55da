"""Guarded rollouts by simulation: false rollbacks, time to catch a regression, cost of a round.

    python bench/guarded_rollouts.py [--rollouts 1000] [--traffic 1000] [--stage-minutes 60]
                                     [--plans 50] [--seed 4]

Simulates rollouts at 10% then 50% of users (each stage `--stage-minutes` long), `--traffic`
exposures a minute (each exposure a download click that fails at the arm's error rate), the
worker checking once a minute, with two ways to guard them:

- sequential: the comparing criterion "download_error per download_click no worse than control
  by more than 0.5 points, at 95% confidence", the mSPRT confidence sequence of
  tminus.rollouts.statistics, measured over the stage so far (the code the worker runs);
- threshold: today's absolute trigger "% download errors above 1.2 over the last 5 minutes,
  with at least 200 clicks", on the treatment's clicks (the only clicks the new code makes).

Scenarios: A/A (both arms at 1%: every rollback is a false alarm) and A/B (the new code at 2%:
how many treatment exposures, and minutes, until the rollback). The same for a mean, with
each exposure a request whose latency is normal around 200 ms (sd 100 ms) and the new code
at 230 ms in A/B: "latency no worse than control by more than 20 ms" (sequential, the
normal-mixture sequence for a difference of means) against "average latency above 220 ms over
the last 5 minutes, at least 200 requests" (threshold). Then the cost of one real
evaluation round (`rollouts_check`) with `--plans` running plans on a scratch SQLite database.
Prints one line per scenario and method; asserts nothing.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tminus.rollouts import statistics as st  # noqa: E402  (pure: no Django needed)

BASELINE = 0.01
REGRESSED = 0.02
MARGIN, CONFIDENCE = 0.5, 0.95
THRESHOLD, WINDOW, THRESHOLD_SAMPLE = 1.2, 5, 200
STAGES = (0.10, 0.50)
LATENCY_MS, LATENCY_SD, SLOWER_MS = 200.0, 100.0, 230.0
LATENCY_MARGIN, LATENCY_THRESHOLD = 20.0, 220.0


def simulate(rng, *, rollouts: int, traffic: int, minutes: int, treatment_rate: float):
    """Per method, the round at which each rollout was rolled back (-1: never), and the
    treatment exposures by then."""
    rounds = minutes * len(STAGES)
    share = np.repeat(STAGES, minutes)
    n_t = np.round(traffic * share).astype(int)
    n_c = traffic - n_t
    errors_t = rng.binomial(n_t, treatment_rate, (rollouts, rounds))
    errors_c = rng.binomial(n_c, BASELINE, (rollouts, rounds))
    exposures = np.cumsum(n_t)
    return {"sequential": _sequential(errors_t, errors_c, n_t, n_c, minutes),
            "threshold": _threshold(errors_t, n_t)}, exposures


def _first(alarms: np.ndarray) -> np.ndarray:
    """The first round with an alarm in each row, -1 where there is none."""
    return np.where(alarms.any(axis=1), alarms.argmax(axis=1), -1)


def _sequential(errors_t, errors_c, n_t, n_c, minutes: int) -> np.ndarray:
    verdicts = []
    for stage in range(len(STAGES)):  # each stage measures from its own start
        part = slice(stage * minutes, (stage + 1) * minutes)
        t_err, c_err = errors_t[:, part].cumsum(axis=1), errors_c[:, part].cumsum(axis=1)
        t_n, c_n = n_t[part].cumsum(), n_c[part].cumsum()
        treatment, control = st.proportion_arms(t_err, t_n, c_err, c_n, scale=100)
        _, low, high = st.interval(treatment, control, margin=MARGIN, confidence=CONFIDENCE)
        verdict = st.verdict_of(low, high, margin=MARGIN, direction=st.LOWER_IS_BETTER)
        enough = np.minimum(t_n, c_n) >= st.MIN_ARM_SAMPLE
        verdicts.append((verdict == st.REGRESSION) & enough)
    return _first(np.concatenate(verdicts, axis=1))


def _threshold(errors_t, n_t) -> np.ndarray:
    kernel = np.ones(WINDOW)
    windowed_errors = np.apply_along_axis(lambda r: np.convolve(r, kernel)[:len(r)], 1,
                                          errors_t)
    windowed_clicks = np.convolve(n_t, kernel)[:len(n_t)]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 100 * windowed_errors / windowed_clicks
    return _first((rate > THRESHOLD) & (windowed_clicks >= THRESHOLD_SAMPLE))


def simulate_means(rng, *, rollouts: int, traffic: int, minutes: int, treatment_ms: float):
    """The same for latency: per round and arm, the sum and the sum of squared deviations of
    its requests, drawn exactly for normal latencies (a normal sum, a chi-square spread)."""
    rounds = minutes * len(STAGES)
    n_t = np.round(traffic * np.repeat(STAGES, minutes)).astype(int)
    n_c = traffic - n_t
    arms = [_latency_sums(rng, n, mean, (rollouts, rounds))
            for n, mean in ((n_t, treatment_ms), (n_c, LATENCY_MS))]
    return {"sequential": _sequential_means(*arms, n_t, n_c, minutes),
            "threshold": _threshold_means(arms[0][0], n_t)}, np.cumsum(n_t)


def _latency_sums(rng, n: np.ndarray, mean: float, shape) -> tuple[np.ndarray, np.ndarray]:
    """(sums, sums of squares) of n normal latencies per round."""
    sums = rng.normal(n * mean, LATENCY_SD * np.sqrt(n), shape)
    spread = LATENCY_SD ** 2 * rng.chisquare(np.maximum(n - 1, 1), shape)
    return sums, spread + sums ** 2 / np.maximum(n, 1)


def _sequential_means(treatment, control, n_t, n_c, minutes: int) -> np.ndarray:
    verdicts = []
    for stage in range(len(STAGES)):
        part = slice(stage * minutes, (stage + 1) * minutes)
        t_n, c_n = n_t[part].cumsum(), n_c[part].cumsum()
        arm_t = st.mean_arm(t_n, treatment[0][:, part].cumsum(axis=1),
                            treatment[1][:, part].cumsum(axis=1))
        arm_c = st.mean_arm(c_n, control[0][:, part].cumsum(axis=1),
                            control[1][:, part].cumsum(axis=1))
        _, low, high = st.interval(arm_t, arm_c, margin=LATENCY_MARGIN, confidence=CONFIDENCE)
        verdict = st.verdict_of(low, high, margin=LATENCY_MARGIN, direction=st.LOWER_IS_BETTER)
        enough = np.minimum(t_n, c_n) >= st.MIN_ARM_SAMPLE
        verdicts.append((verdict == st.REGRESSION) & enough)
    return _first(np.concatenate(verdicts, axis=1))


def _threshold_means(sums_t, n_t) -> np.ndarray:
    kernel = np.ones(WINDOW)
    windowed_sums = np.apply_along_axis(lambda r: np.convolve(r, kernel)[:len(r)], 1, sums_t)
    windowed_requests = np.convolve(n_t, kernel)[:len(n_t)]
    with np.errstate(divide="ignore", invalid="ignore"):
        average = windowed_sums / windowed_requests
    return _first((average > LATENCY_THRESHOLD) & (windowed_requests >= THRESHOLD_SAMPLE))


def report_false_alarms(found: dict, rollouts: int, *, scenario: str = "A/A",
                        baseline: str = f"baseline {100 * BASELINE:g}% in both arms") -> None:
    for method, rounds in found.items():
        share = 100 * (rounds >= 0).mean()
        print(f"{scenario} {method}: {share:.1f}% of {rollouts:,} rolled back "
              f"(every one a false alarm; {baseline})")


def report_detection(found: dict, exposures: np.ndarray, rollouts: int, traffic: int, *,
                     scenario: str = "A/B", unit: str = "exposures",
                     change: str = f"new code at {100 * REGRESSED:g}% errors against "
                                   f"{100 * BASELINE:g}%") -> None:
    for method, rounds in found.items():
        caught = rounds[rounds >= 0]
        if not len(caught):
            print(f"{scenario} {method}: no rollback in {rollouts:,} rollouts")
            continue
        median_round = float(np.median(caught))
        median_exposures = float(np.median(exposures[caught]))
        print(f"{scenario} {method}: median {median_exposures:,.0f} {unit} to rollback "
              f"({median_round + 1:.0f} minutes at {traffic:,} {unit} a minute; "
              f"{100 * len(caught) / rollouts:.1f}% of {rollouts:,} rolled back; {change})")


# -- the cost of one evaluation round ------------------------------------------------------


def setup_django() -> None:
    os.environ["TMINUS_DATA_DIR"] = tempfile.mkdtemp(prefix="tminus-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tminus.settings"
    os.environ["TMINUS_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_plans(count: int, rng) -> None:
    """`count` plans in their 10% stage, each with a comparing criterion and a threshold
    trigger, and half an hour of exposures and events from both arms (200 a minute)."""
    from django.utils import timezone

    from tminus.core.actors import Actor
    from tminus.flags import services as flags
    from tminus.metrics import services as metrics
    from tminus.releases import services as releases
    from tminus.rollouts import services

    actor = Actor.cli()
    product = releases.product_create(key="bench", name="Bench", actor=actor)
    release = releases.release_create(product=product, name="Bench 1", template_key="minor",
                                      go_live=None, actor=actor)
    project = flags.project_create(key="bench", actor=actor)
    for key in ("download_click", "download_error"):
        metrics.metric_declare(key=key, actor=actor)
    _token, secret = flags.client_token_create(name="sdk", environment="production",
                                               projects=["bench"], actor=actor)
    from tminus.flags.metrics import metrics_record
    from tminus.flags.tokens import token_scope

    scope = token_scope(secret)
    start = timezone.now() - timedelta(minutes=31)
    compare = {"metric": "download_error", "aggregation": "ratio", "of": "download_click",
               "compare": "control", "comparator": "<=", "margin": MARGIN, "min_sample": 400}
    # A trigger far from the baseline, so that every plan stays live for the timing.
    trigger = {"metric": "download_error", "aggregation": "ratio", "of": "download_click",
               "comparator": ">", "threshold": 5, "window_minutes": WINDOW,
               "min_sample": THRESHOLD_SAMPLE, "action": "rollback"}
    for n in range(count):
        flag = flags.flag_create(project=project, key=f"bench-{n}", release=release,
                                 actor=actor)
        plan = services.rollout_plan_create(
            release=release, flag=flag, environment="production", actor=actor,
            definition_data={"stages": [
                {"percentage": 10, "min_duration": "1d", "criteria": [compare]},
                {"percentage": 100}], "triggers": [trigger]})
        services.rollout_start(plan=plan, actor=actor, reason="bench", now=start)
        events = []
        for minute in range(30):
            at = start + timedelta(minutes=minute, seconds=30)
            metrics_record(scope=scope, body={"appName": "web", "bucket": {
                "start": at.isoformat(), "stop": (at + timedelta(minutes=1)).isoformat(),
                "toggles": {flag.key: {"yes": 20, "no": 180}}}})
            for arm, clicks in (("treatment", 20), ("control", 180)):
                errors = int(rng.binomial(clicks, BASELINE))
                events += [{"id": f"{n}-{minute}-{arm}-c{i}", "name": "download_click",
                            "time": at.isoformat(), "flag": flag.key, "arm": arm,
                            "environment": "production"} for i in range(clicks)]
                events += [{"id": f"{n}-{minute}-{arm}-e{i}", "name": "download_error",
                            "time": at.isoformat(), "flag": flag.key, "arm": arm,
                            "environment": "production"} for i in range(errors)]
        for first in range(0, len(events), 5000):
            metrics.events_record(events=events[first:first + 5000])


def time_rounds(count: int, repeat: int = 5) -> tuple[float, dict]:
    from tminus.rollouts import services

    said = services.rollouts_check()  # warm up
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        said = services.rollouts_check()
        timings.append(time.perf_counter() - began)
    return float(np.median(timings)), said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rollouts", type=int, default=1000)
    parser.add_argument("--traffic", type=int, default=1000, help="exposures a minute")
    parser.add_argument("--stage-minutes", type=int, default=60)
    parser.add_argument("--plans", type=int, default=50)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    common = {"rollouts": args.rollouts, "traffic": args.traffic, "minutes": args.stage_minutes}

    found, _ = simulate(rng, treatment_rate=BASELINE, **common)
    report_false_alarms(found, args.rollouts)
    found, exposures = simulate(rng, treatment_rate=REGRESSED, **common)
    report_detection(found, exposures, args.rollouts, args.traffic)
    found, _ = simulate_means(rng, treatment_ms=LATENCY_MS, **common)
    report_false_alarms(found, args.rollouts, scenario="A/A means",
                        baseline=f"latency {LATENCY_MS:g} ms in both arms")
    found, requests = simulate_means(rng, treatment_ms=SLOWER_MS, **common)
    report_detection(found, requests, args.rollouts, args.traffic, scenario="A/B means",
                     unit="requests", change=f"new code at {SLOWER_MS:g} ms against "
                                              f"{LATENCY_MS:g} ms, margin {LATENCY_MARGIN:g} ms")

    setup_django()
    build_plans(args.plans, rng)
    from django.conf import settings

    seconds, said = time_rounds(args.plans)
    verdicts = {word: list(said.values()).count(word) for word in set(said.values())}
    print(f"Round with {args.plans} plans: {1000 * seconds:,.0f} ms per evaluation round "
          f"({1000 * seconds / args.plans:.1f} ms per plan; "
          f"{seconds / settings.ROLLOUT_CHECK_SECONDS:.2f}x the "
          f"{settings.ROLLOUT_CHECK_SECONDS} s check interval; worker said {verdicts})")


if __name__ == "__main__":
    main()
