"""Reads of test plans: cases, runs, pass rates (now and over time) and load tests.

Pass rates count each case's latest result: passed out of executed, where executed is passed,
failed and blocked, plus cases planned for an environment that have no result there yet.
Skipped cases did not run and count in neither.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, QuerySet

from tminus.core.errors import NotFound
from tminus.environments.models import Environment
from tminus.releases.models import Release
from tminus.testing.choices import Outcome, TestKind
from tminus.testing.models import LoadTestResult, TestCase, TestPlan, TestResult, TestRun


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0
    not_run: int = 0

    def add(self, outcome: str | None) -> None:
        name = outcome or "not_run"
        setattr(self, name, getattr(self, name) + 1)

    @property
    def ran(self) -> int:
        return self.passed + self.failed + self.blocked

    @property
    def executed(self) -> int:
        return self.ran + self.not_run

    @property
    def total(self) -> int:
        return self.executed + self.skipped

    @property
    def rate(self) -> float | None:
        return round(100 * self.passed / self.executed, 1) if self.executed else None

    def as_dict(self) -> dict:
        return {"passed": self.passed, "failed": self.failed, "blocked": self.blocked,
                "skipped": self.skipped, "not_run": self.not_run, "executed": self.executed,
                "rate": self.rate}


@dataclass
class PassRates:
    environments: list[Environment]
    by_kind: dict[str, Tally] = field(default_factory=dict)
    by_environment: dict[int, Tally] = field(default_factory=dict)
    matrix: dict[tuple[str, int], Tally] = field(default_factory=dict)

    def cell(self, kind: str, environment_id: int) -> Tally:
        return self.matrix.get((kind, environment_id), Tally())


def test_plan(release: Release) -> TestPlan:
    """The release's test plan (an empty one when nothing was written yet; not saved)."""
    return TestPlan.objects.filter(release=release).first() or TestPlan(release=release)


def test_cases(release: Release, *, kind: str = "", environment: str = "") -> QuerySet[TestCase]:
    cases = TestCase.objects.filter(release=release).select_related("environment", "owner")
    if kind:
        cases = cases.filter(kind=kind)
    if environment:
        cases = cases.filter(environment__key=environment)
    return cases


def test_runs(release: Release, limit: int | None = None) -> QuerySet[TestRun]:
    runs = TestRun.objects.filter(release=release).select_related("environment", "recorded_by")
    return runs[:limit] if limit else runs


def test_run_get(run_id: int) -> TestRun:
    run = (TestRun.objects.select_related("release", "release__product", "environment")
           .filter(pk=run_id).first())
    if run is None:
        raise NotFound(f"No test run {run_id}.")
    return run


def run_results(run: TestRun) -> QuerySet[TestResult]:
    return (TestResult.objects.filter(run=run)
            .select_related("case", "case__environment", "recorded_by"))


def _latest_results(release: Release) -> list[dict]:
    """Every result of the release, oldest first, as plain rows (one query)."""
    return list(
        TestResult.objects.filter(run__release=release)
        .order_by("run__executed_at", "run_id", "id")
        .values("case_id", "run__environment_id", "result")
    )


def pass_rates(release: Release) -> PassRates:
    """Pass rate by kind, by environment and per kind and environment, from latest results."""
    environments = list(Environment.objects.filter(product_id=release.product_id))
    cases = {c["id"]: c for c in TestCase.objects.filter(release=release)
             .values("id", "kind", "environment_id")}
    latest_anywhere: dict[int, str] = {}
    latest_in: dict[tuple[int, int], str] = {}
    for row in _latest_results(release):
        latest_anywhere[row["case_id"]] = row["result"]
        latest_in[(row["case_id"], row["run__environment_id"])] = row["result"]
    rates = PassRates(environments=environments)
    for case_id, case in cases.items():
        rates.by_kind.setdefault(case["kind"], Tally()).add(latest_anywhere.get(case_id))
        planned_in = case["environment_id"]
        if planned_in and (case_id, planned_in) not in latest_in:
            _add_cell(rates, case["kind"], planned_in, None)
    for (case_id, environment_id), outcome in latest_in.items():
        _add_cell(rates, cases[case_id]["kind"], environment_id, outcome)
    return rates


def _add_cell(rates: PassRates, kind: str, environment_id: int, outcome: str | None) -> None:
    rates.by_environment.setdefault(environment_id, Tally()).add(outcome)
    rates.matrix.setdefault((kind, environment_id), Tally()).add(outcome)


def kind_environment_tally(release: Release, kind: str, environment: Environment) -> Tally:
    """How the cases of one kind stand in one environment (for readiness criteria)."""
    return pass_rates(release).cell(kind, environment.pk)


@dataclass
class TrendPoint:
    run: TestRun
    tally: Tally

    @property
    def at(self) -> datetime:
        return self.run.executed_at


def pass_rate_trend(release: Release, *, kind: str = "") -> dict[Environment, list[TrendPoint]]:
    """Each run's pass rate over time, per environment; only cases of `kind` when given."""
    runs = list(TestRun.objects.filter(release=release).select_related("environment")
                .order_by("executed_at", "id"))
    results = TestResult.objects.filter(run__release=release)
    if kind:
        results = results.filter(case__kind=kind)
    tallies: dict[int, Tally] = {}
    for row in results.values("run_id", "result").annotate(n=Count("id")):
        tally = tallies.setdefault(row["run_id"], Tally())
        setattr(tally, row["result"], getattr(tally, row["result"]) + row["n"])
    series: dict[Environment, list[TrendPoint]] = {}
    for run in runs:
        tally = tallies.get(run.pk)
        if tally is not None and tally.executed:
            series.setdefault(run.environment, []).append(TrendPoint(run, tally))
    return series


def load_tests(release: Release) -> QuerySet[LoadTestResult]:
    return LoadTestResult.objects.filter(release=release).select_related("environment")


def kinds() -> list[tuple[str, str]]:
    return list(TestKind.choices)


def outcomes() -> list[tuple[str, str]]:
    return list(Outcome.choices)


def latest_result_by_case(release: Release) -> dict[int, str]:
    """Each case's latest result in any environment (one query)."""
    return {row["case_id"]: row["result"] for row in _latest_results(release)}
