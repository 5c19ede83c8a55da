"""Every write to test plans, cases, runs and results. Each runs in a transaction, audited."""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import CONTRIBUTE
from tminus.audit.services import audit_record, snapshot
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, ValidationFailed
from tminus.environments.models import Environment
from tminus.environments.services import environment_for_write
from tminus.releases.models import Release
from tminus.testing.choices import Outcome, RunSource, TestKind, kind_from_text
from tminus.testing.junit import JUnitError, JUnitReport, parse_junit
from tminus.testing.models import LoadTestResult, TestCase, TestPlan, TestResult, TestRun

CASE_FIELDS = ["title", "steps", "expected", "kind", "environment", "owner"]
PLAN_FIELDS = ["approach", "test_data"]
RUN_FIELDS = ["name", "environment", "source", "executed_at", "evidence_link", "notes",
              "passed", "failed", "blocked", "skipped"]
RESULT_FIELDS = ["result", "evidence_link", "notes"]


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def _kind(value: str) -> str:
    kind = kind_from_text(value)
    if kind is None:
        raise ValidationFailed({"kind": editing.choice_error(value, TestKind, "test kind")})
    return kind


def _environment(release: Release, environment, actor: Actor) -> Environment:
    """The release's product environment, named by key or given; refused when unknown."""
    try:
        return environment_for_write(release.product, environment, actor=actor)
    except NotFound as error:
        raise ValidationFailed({"environment": error.message}) from None


def _link_errors(**links) -> dict:
    return {field: "A link must start with http:// or https://."
            for field, link in links.items()
            if link and not link.startswith(("http://", "https://"))}


def _case_errors(case: TestCase) -> dict:
    errors = {}
    if not case.title.strip():
        errors["title"] = "A test case needs a title."
    kind_error = editing.choice_error(case.kind, TestKind, "test kind")
    if kind_error:
        errors["kind"] = kind_error
    return errors


def _tidy(values: dict) -> dict:
    """A case's title without surrounding blanks, and its kind as people type it ('e2e',
    'UAT') turned into the stored value; anything else is left for the edit path to judge."""
    values = dict(values)
    if isinstance(values.get("title"), str):
        values["title"] = values["title"].strip()
    if isinstance(values.get("kind"), str):
        values["kind"] = kind_from_text(values["kind"]) or values["kind"]
    return values


TEST_PLAN = editing.Kind(model=TestPlan, action="test_plan", fields=PLAN_FIELDS,
                         capability=CONTRIBUTE)
TEST_CASE = editing.Kind(model=TestCase, action="test_case", fields=CASE_FIELDS,
                         capability=CONTRIBUTE, validate=_case_errors)


@transaction.atomic
def test_plan_update(*, release: Release, changes: dict, revision: int | None,
                     actor: Actor) -> TestPlan:
    """Change the approach or test data of a release's test plan (made on its first edit)."""
    plan, _ = TestPlan.objects.get_or_create(release=release)
    return editing.update(TEST_PLAN, plan, revision=revision, changes=changes, actor=actor)


@transaction.atomic
def test_case_add(*, release: Release, title: str, kind: str = TestKind.UAT, steps: str = "",
                  expected: str = "", environment=None, owner=None, actor: Actor) -> TestCase:
    """Add a test case (title, steps, expected result, kind, environment, owner) to a release."""
    require(actor, CONTRIBUTE)
    errors = {}
    if environment:
        try:
            environment = _environment(release, environment, actor)
        except ValidationFailed as error:
            errors, environment = error.errors, None
    values = _tidy({"title": title, "kind": kind})
    case = TestCase(release=release, steps=steps, expected=expected,
                    environment=environment or None, owner=owner,
                    order=release.test_cases.count(), **values)
    return editing.create(TEST_CASE, case, actor=actor, errors=errors)


@transaction.atomic
def test_case_update(*, case: TestCase, revision: int | None, changes: dict,
                     actor: Actor) -> TestCase:
    """Edit a test case; a stale edit gets a conflict."""
    require(actor, CONTRIBUTE)
    changes = _tidy(changes)
    if changes.get("environment"):
        changes["environment"] = _environment(case.release, changes["environment"], actor)
    return editing.update(TEST_CASE, case, revision=revision, changes=changes, actor=actor)


@transaction.atomic
def test_run_start(*, release: Release, environment, name: str = "", evidence_link: str = "",
                   notes: str = "", executed_at: datetime | None = None,
                   actor: Actor) -> TestRun:
    """Start a run recorded by hand (a UAT session, a manual regression pass) in an environment."""
    require(actor, CONTRIBUTE)
    errors = _link_errors(evidence_link=evidence_link)
    if errors:
        raise ValidationFailed(errors)
    target = _environment(release, environment, actor)
    executed_at = executed_at or timezone.now()
    run = TestRun.objects.create(
        release=release, environment=target, source=RunSource.MANUAL,
        name=(name or "").strip()[:300] or f"{target.name} run {executed_at:%Y-%m-%d}",
        executed_at=executed_at, recorded_by=_user(actor), recorded_by_label=actor.label,
        evidence_link=evidence_link, notes=notes or "",
    )
    audit_record(actor=actor, action="test_run.start", obj=run, release_id=release.pk,
                 after=snapshot(run, RUN_FIELDS))
    return run


def _recount(run: TestRun) -> None:
    counts = {outcome: 0 for outcome in Outcome.values}
    for outcome in run.results.values_list("result", flat=True):
        counts[outcome] += 1
    TestRun.objects.filter(pk=run.pk).update(**counts)
    for outcome, count in counts.items():
        setattr(run, outcome, count)


@transaction.atomic
def test_result_record(*, run: TestRun, case: TestCase, result: str, evidence_link: str = "",
                       notes: str = "", actor: Actor) -> TestResult:
    """Record (or correct) how one case went in a run: passed, failed, blocked or skipped."""
    require(actor, CONTRIBUTE)
    errors = _link_errors(evidence_link=evidence_link)
    if result not in Outcome.values:
        errors["result"] = f"Unknown result {result!r}; use one of {', '.join(Outcome.values)}."
    if case.release_id != run.release_id:
        errors["case"] = f"Test case {case.pk} belongs to another release."
    if errors:
        raise ValidationFailed(errors)
    existing = TestResult.objects.filter(run=run, case=case).first()
    before = snapshot(existing, RESULT_FIELDS) if existing else None
    row, _ = TestResult.objects.update_or_create(
        run=run, case=case,
        defaults={"result": result, "evidence_link": evidence_link, "notes": notes or "",
                  "recorded_by": _user(actor), "recorded_at": timezone.now()},
    )
    _recount(run)
    audit_record(actor=actor, action="test_result.record", obj=row, release_id=run.release_id,
                 before=before, after={**snapshot(row, RESULT_FIELDS), "case": case.title,
                                       "run": run.name})
    return row


def _upload_size_check(content: bytes) -> None:
    limit = settings.JUNIT_MAX_BYTES
    if len(content) > limit:
        raise ValidationFailed({"file": f"The file is {len(content):,} bytes; the limit is "
                                        f"{limit:,} (TMINUS_JUNIT_MAX_BYTES)."})


def _executed_at(report: JUnitReport) -> datetime:
    now = timezone.now()
    stamp = report.timestamp
    if stamp is None:
        return now
    if timezone.is_naive(stamp):
        stamp = timezone.make_aware(stamp)
    # A runner's clock far ahead of ours is wrong; the upload time is the better guess.
    return now if stamp > now + timedelta(minutes=5) else stamp


def _cases_for(release: Release, report: JUnitReport, *, kind: str,
               environment: Environment) -> tuple[dict[str, TestCase], int]:
    """The release's case for every test in the report, creating the missing ones."""
    def automated():
        return {c.automated_key: c for c in release.test_cases.exclude(automated_key="")}

    known = automated()
    start = release.test_cases.count()
    missing = [
        TestCase(release=release, title=case.name[:500], kind=kind, environment=environment,
                 steps=f"Automated test {case.classname}".strip(),
                 automated_key=case.key[:1000], order=start + index)
        for index, case in enumerate(c for c in report.cases if c.key[:1000] not in known)
    ]
    if missing:
        # Two uploads of new tests at once may race; the unique key lets one of them win.
        TestCase.objects.bulk_create(missing, ignore_conflicts=True)
        known = automated()
    return known, len(missing)


def _run_counts(report: JUnitReport) -> dict:
    return {"passed": report.count("passed"), "failed": report.count("failed"),
            "skipped": report.count("skipped"), "blocked": 0}


@transaction.atomic
def test_run_junit_upload(*, release: Release, environment, content: bytes, filename: str = "",
                          kind: str = "", actor: Actor) -> tuple[TestRun, bool]:
    """Record a run from a JUnit XML file; returns (run, created).

    The same file (by content hash) uploaded again for the same release and environment is the
    same run: it is returned with created=False and nothing is counted twice.
    """
    require(actor, CONTRIBUTE)
    content = content.encode() if isinstance(content, str) else bytes(content or b"")
    _upload_size_check(content)
    kind = _kind(kind) if kind else TestKind.UNIT
    try:
        report = parse_junit(content)
    except JUnitError as error:
        raise ValidationFailed({"file": str(error)}) from None
    target = _environment(release, environment, actor)
    digest = hashlib.sha256(content).hexdigest()
    existing = TestRun.objects.filter(release=release, environment=target,
                                      content_hash=digest).first()
    if existing is not None:
        return existing, False
    cases, created_cases = _cases_for(release, report, kind=kind, environment=target)
    try:
        with transaction.atomic():
            run = TestRun.objects.create(
                release=release, environment=target, source=RunSource.JUNIT,
                name=(f"JUnit: {filename or report.suite_name or 'upload'}")[:300],
                executed_at=_executed_at(report), recorded_by=_user(actor),
                recorded_by_label=actor.label, filename=(filename or "")[:255],
                content_hash=digest, **_run_counts(report),
            )
    except IntegrityError:
        # The same file arrived twice at once; the other upload recorded it.
        return TestRun.objects.get(release=release, environment=target, content_hash=digest), False
    recorded_at = timezone.now()
    TestResult.objects.bulk_create(
        TestResult(run=run, case=cases[case.key[:1000]], result=case.outcome,
                   message=case.message, duration_seconds=case.duration,
                   recorded_by=_user(actor), recorded_at=recorded_at)
        for case in report.cases
    )
    audit_record(actor=actor, action="test_run.junit_upload", obj=run, release_id=release.pk,
                 after={**snapshot(run, RUN_FIELDS), "filename": run.filename,
                        "content_hash": digest, "cases_created": created_cases})
    return run, True


def _figure_errors(values: dict) -> dict:
    errors = {}
    for field, value in values.items():
        if value is None:
            continue
        if value < 0:
            errors[field] = "Must not be negative."
        elif "error_rate" in field and value > 100:
            errors[field] = "An error rate is a percentage between 0 and 100."
    return errors


@transaction.atomic
def load_test_record(*, release: Release, environment, scenario: str,
                     requests_per_second: float, p95_latency_ms: float,
                     error_rate_percent: float, target_requests_per_second: float | None = None,
                     target_p95_latency_ms: float | None = None,
                     target_error_rate_percent: float | None = None,
                     executed_at: datetime | None = None, evidence_link: str = "",
                     notes: str = "", actor: Actor) -> LoadTestResult:
    """Record a load test's figures (requests per second, p95 latency, error rate) and targets."""
    require(actor, CONTRIBUTE)
    figures = {
        "requests_per_second": requests_per_second, "p95_latency_ms": p95_latency_ms,
        "error_rate_percent": error_rate_percent,
        "target_requests_per_second": target_requests_per_second,
        "target_p95_latency_ms": target_p95_latency_ms,
        "target_error_rate_percent": target_error_rate_percent,
    }
    errors = _figure_errors(figures)
    errors.update(_link_errors(evidence_link=evidence_link))
    if not (scenario or "").strip():
        errors["scenario"] = "Name the scenario that was load-tested."
    if errors:
        raise ValidationFailed(errors)
    target = _environment(release, environment, actor)
    result = LoadTestResult.objects.create(
        release=release, environment=target, scenario=scenario.strip()[:300],
        executed_at=executed_at or timezone.now(), evidence_link=evidence_link,
        notes=notes or "", recorded_by=_user(actor), **figures,
    )
    audit_record(actor=actor, action="load_test.record", obj=result, release_id=release.pk,
                 after={**figures, "scenario": result.scenario, "met": result.met})
    return result
