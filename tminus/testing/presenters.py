"""Plain dicts of test plans, runs and pass rates for the API."""

from tminus.testing.models import LoadTestResult, TestCase, TestResult, TestRun
from tminus.testing.selectors import PassRates


def _username(user) -> str | None:
    return user.username if user else None


def case_dict(case: TestCase) -> dict:
    return {
        "id": case.pk,
        "title": case.title,
        "steps": case.steps,
        "expected": case.expected,
        "kind": case.kind,
        "environment": case.environment.key if case.environment else None,
        "owner": _username(case.owner),
        "automated_key": case.automated_key,
        "revision": case.revision,
    }


def run_dict(run: TestRun) -> dict:
    return {
        "id": run.pk,
        "name": run.name,
        "environment": run.environment.key,
        "source": run.source,
        "executed_at": run.executed_at,
        "recorded_by": run.recorded_by_label,
        "evidence_link": run.evidence_link,
        "notes": run.notes,
        "filename": run.filename,
        "passed": run.passed,
        "failed": run.failed,
        "blocked": run.blocked,
        "skipped": run.skipped,
        "total": run.total,
        "pass_rate": run.pass_rate,
    }


def result_dict(result: TestResult) -> dict:
    return {
        "id": result.pk,
        "case_id": result.case_id,
        "case": result.case.title,
        "kind": result.case.kind,
        "result": result.result,
        "recorded_by": _username(result.recorded_by),
        "recorded_at": result.recorded_at,
        "evidence_link": result.evidence_link,
        "notes": result.notes,
        "message": result.message,
        "duration_seconds": result.duration_seconds,
    }


def pass_rates_dict(rates: PassRates) -> dict:
    names = {e.pk: e.key for e in rates.environments}
    return {
        "by_kind": {kind: tally.as_dict() for kind, tally in rates.by_kind.items()},
        "by_environment": {names[env]: tally.as_dict()
                           for env, tally in rates.by_environment.items() if env in names},
        "by_kind_and_environment": [
            {"kind": kind, "environment": names[env], **tally.as_dict()}
            for (kind, env), tally in sorted(rates.matrix.items()) if env in names
        ],
    }


def trend_dict(series: dict) -> list[dict]:
    return [
        {"environment": environment.key, "run_id": point.run.pk, "run": point.run.name,
         "executed_at": point.at, **point.tally.as_dict()}
        for environment, points in series.items() for point in points
    ]


def load_test_dict(result: LoadTestResult) -> dict:
    return {
        "id": result.pk,
        "scenario": result.scenario,
        "environment": result.environment.key,
        "executed_at": result.executed_at,
        "requests_per_second": result.requests_per_second,
        "p95_latency_ms": result.p95_latency_ms,
        "error_rate_percent": result.error_rate_percent,
        "target_requests_per_second": result.target_requests_per_second,
        "target_p95_latency_ms": result.target_p95_latency_ms,
        "target_error_rate_percent": result.target_error_rate_percent,
        "checks": result.checks(),
        "met": result.met,
        "evidence_link": result.evidence_link,
        "notes": result.notes,
    }
