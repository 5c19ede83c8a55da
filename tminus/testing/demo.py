"""Demo test results: a week of JUnit uploads on layby-1.0 whose pass rate climbs, a UAT
session recorded by hand, and load tests against their targets."""

from datetime import timedelta

from django.utils import timezone

from tminus.core.actors import Actor
from tminus.releases.models import Release
from tminus.testing import services
from tminus.testing.choices import Outcome

_SUITE = ["create_layby", "record_payment", "balance_updates", "complete_layby",
          "cancel_layby_refund", "reminder_schedule", "business_rules", "order_link",
          "inventory_reserve", "report_totals", "permission_checks", "automation_jobs"]

_UAT = [
    ("Create a new layby for a customer", Outcome.PASSED),
    ("Record a payment and see the balance updated", Outcome.PASSED),
    ("Business rules page loads and saves", Outcome.PASSED),
    ("Automation page schedules reminders", Outcome.FAILED),
    ("Cancel a layby and refund the deposit", Outcome.BLOCKED),
]


def _junit(name: str, failing: int, when) -> bytes:
    cases = []
    for index, test in enumerate(_SUITE):
        body = ('<failure message="AssertionError">assert expected == actual</failure>'
                if index < failing else "")
        cases.append(f'<testcase classname="tests.test_layby" name="test_{test}" '
                     f'time="0.{index + 1}">{body}</testcase>')
    return (f'<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="{name}" '
            f'tests="{len(_SUITE)}" failures="{failing}" timestamp="{when.isoformat()}">'
            f'{"".join(cases)}</testsuite></testsuites>').encode()


def load() -> None:
    release = Release.objects.filter(key="layby-1.0").first()
    if release is None:
        return
    actor, now = Actor.cli(), timezone.now()
    for days_ago, environment, failing in [(9, "qa", 5), (7, "qa", 3), (5, "qa", 2),
                                           (4, "staging", 2), (3, "qa", 1), (2, "staging", 1),
                                           (1, "qa", 0), (0, "staging", 0)]:
        when = now - timedelta(days=days_ago, hours=2)
        services.test_run_junit_upload(
            release=release, environment=environment, content=_junit("layby", failing, when),
            filename=f"layby-{when:%Y%m%d}.xml", kind="integration", actor=actor)
    _uat_session(release, actor, now)
    _load_tests(release, actor, now)


def _uat_session(release, actor, now) -> None:
    run = services.test_run_start(release=release, environment="staging",
                                  name="UAT session 1", executed_at=now - timedelta(days=1),
                                  notes="Key users from two pilot businesses.", actor=actor)
    for title, outcome in _UAT:
        case = services.test_case_add(release=release, title=title, kind="uat",
                                      environment="staging", actor=actor)
        services.test_result_record(run=run, case=case, result=outcome, actor=actor,
                                    notes="Reminder email not sent" if outcome == "failed"
                                    else "")


def _load_tests(release, actor, now) -> None:
    services.load_test_record(
        release=release, environment="staging", scenario="Peak hour: 200 businesses",
        requests_per_second=142, p95_latency_ms=420, error_rate_percent=0.4,
        target_requests_per_second=120, target_p95_latency_ms=500,
        target_error_rate_percent=1, executed_at=now - timedelta(days=3), actor=actor)
    shop = Release.objects.filter(key="va-1095b-rollout").first()
    if shop is not None:
        services.load_test_record(
            release=shop, environment="staging", scenario="Checkout under sale traffic",
            requests_per_second=310, p95_latency_ms=640, error_rate_percent=1.8,
            target_requests_per_second=300, target_p95_latency_ms=500,
            target_error_rate_percent=1, executed_at=now - timedelta(days=2), actor=actor)
