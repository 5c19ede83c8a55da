"""A release's test plan: cases, runs with a result per case, and load-test figures."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tminus.environments.models import Environment
from tminus.releases.models import Release
from tminus.testing.choices import Outcome, RunSource, TestKind

USER = settings.AUTH_USER_MODEL


class TestPlan(models.Model):
    """What a release's test plan says beyond its cases: the approach and the test data."""

    __test__ = False

    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="test_plan")
    approach = models.TextField(blank=True)
    test_data = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Test plan of {self.release}"


class TestCase(models.Model):
    """Something to verify: by hand (steps, expected result) or by a test runner (from JUnit)."""

    __test__ = False

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="test_cases")
    title = models.CharField(max_length=500)
    steps = models.TextField(blank=True)
    expected = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=TestKind.choices, default=TestKind.UAT,
                            db_index=True)
    environment = models.ForeignKey(Environment, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    # "classname::name" for cases a JUnit upload created; the same test in the next upload
    # finds its case by this key.
    automated_key = models.CharField(max_length=1000, blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(
            fields=["release", "automated_key"], condition=~Q(automated_key=""),
            name="test_case_unique_automated_key")]

    def __str__(self) -> str:
        return self.title


class TestRun(models.Model):
    """One pass over some cases in one environment: by hand, or one uploaded JUnit file."""

    __test__ = False

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="test_runs")
    environment = models.ForeignKey(Environment, on_delete=models.PROTECT,
                                    related_name="test_runs")
    name = models.CharField(max_length=300)
    source = models.CharField(max_length=10, choices=RunSource.choices,
                              default=RunSource.MANUAL)
    executed_at = models.DateTimeField(db_index=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_by_label = models.CharField(max_length=150)
    evidence_link = models.URLField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    filename = models.CharField(max_length=255, blank=True)
    # SHA-256 of an uploaded file: the same file uploaded twice is one run.
    content_hash = models.CharField(max_length=64, blank=True)
    # Counts kept with the run so that lists and the trend need no aggregation over results.
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    blocked = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-executed_at", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["release", "environment", "content_hash"], condition=~Q(content_hash=""),
            name="test_run_unique_upload")]

    def __str__(self) -> str:
        return self.name

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.blocked + self.skipped

    @property
    def executed(self) -> int:
        return self.passed + self.failed + self.blocked

    @property
    def pass_rate(self) -> float | None:
        """Passed out of executed (skipped cases did not run), in percent."""
        return round(100 * self.passed / self.executed, 1) if self.executed else None


class TestResult(models.Model):
    """The result of one case in one run."""

    __test__ = False

    run = models.ForeignKey(TestRun, on_delete=models.CASCADE, related_name="results")
    case = models.ForeignKey(TestCase, on_delete=models.CASCADE, related_name="results")
    result = models.CharField(max_length=10, choices=Outcome.choices)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField()
    evidence_link = models.URLField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    message = models.TextField(blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "case__order", "case_id"]
        constraints = [models.UniqueConstraint(fields=["run", "case"],
                                               name="test_result_one_per_case_and_run")]

    def __str__(self) -> str:
        return f"{self.case}: {self.result}"


class LoadTestResult(models.Model):
    """Figures from a load test, each against its target."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="load_tests")
    environment = models.ForeignKey(Environment, on_delete=models.PROTECT, related_name="+")
    scenario = models.CharField(max_length=300)
    executed_at = models.DateTimeField()
    requests_per_second = models.FloatField()
    p95_latency_ms = models.FloatField()
    error_rate_percent = models.FloatField()
    target_requests_per_second = models.FloatField(null=True, blank=True)
    target_p95_latency_ms = models.FloatField(null=True, blank=True)
    target_error_rate_percent = models.FloatField(null=True, blank=True)
    evidence_link = models.URLField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-executed_at", "-id"]

    def __str__(self) -> str:
        return self.scenario

    def checks(self) -> list[dict]:
        """Each figure with its target and whether it was met (None: no target)."""
        figures = [
            ("Requests per second", self.requests_per_second,
             self.target_requests_per_second, "at least"),
            ("p95 latency (ms)", self.p95_latency_ms, self.target_p95_latency_ms, "at most"),
            ("Error rate (%)", self.error_rate_percent, self.target_error_rate_percent,
             "at most"),
        ]
        return [
            {"figure": name, "value": value, "target": target, "rule": rule,
             "met": None if target is None else
             (value >= target if rule == "at least" else value <= target)}
            for name, value, target, rule in figures
        ]

    @property
    def met(self) -> bool | None:
        """True when every figure with a target meets it; None when none has a target."""
        verdicts = [check["met"] for check in self.checks() if check["met"] is not None]
        return all(verdicts) if verdicts else None
