from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ProductFactory
from tests.runbooks.conftest import release_at
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from tminus.readiness.services import freeze_window_add
from tminus.releases import workflow
from tminus.runbooks import services
from tminus.runbooks.models import RunbookRun, StepRun

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def test_deployment_start_moves_release_to_deploying_and_copies_the_runbook(ready_release, events):
    run = services.deployment_start(release=ready_release, environment="production", actor=CLI)

    ready_release.refresh_from_db()
    assert ready_release.status == "deploying"
    assert (run.number, run.status, run.environment) == (1, "running", "production")
    steps = StepRun.objects.filter(run=run)
    assert steps.count() == sum(p.steps.count() for p in ready_release.runbook.phases.all())
    assert set(steps.values_list("status", flat=True)) == {"pending"}
    assert events.named("deployment.started")[0]["payload"]["run"] == 1
    assert AuditEvent.objects.filter(action="deployment.start",
                                     release_id=ready_release.pk).exists()


def test_deployment_start_refused_by_the_go_guard_says_why_and_changes_nothing(
        ready_release, monkeypatch, events):
    monkeypatch.setattr(workflow, "_guards", [
        lambda release, to: "No Go decision has been recorded." if to == "deploying" else None])

    with pytest.raises(TransitionNotAllowed) as refused:
        services.deployment_start(release=ready_release, actor=CLI)

    assert refused.value.message == (
        f"Cannot start the deployment of {ready_release.key}: No Go decision has been recorded.")
    ready_release.refresh_from_db()
    assert ready_release.status == "ready"
    assert not RunbookRun.objects.exists()
    assert not events


def test_deployment_start_from_planning_is_refused_by_the_workflow(db, open_gate):
    release = release_at("planning")

    with pytest.raises(TransitionNotAllowed, match="cannot move to deploying"):
        services.deployment_start(release=release, actor=CLI)
    assert not RunbookRun.objects.exists()


def test_deployment_start_while_a_run_is_running_is_refused(ready_release):
    services.deployment_start(release=ready_release, actor=CLI)

    with pytest.raises(TransitionNotAllowed, match=r"run #1 .* is already running"):
        services.deployment_start(release=ready_release, actor=CLI)
    assert RunbookRun.objects.count() == 1


def test_deployment_start_inside_a_freeze_window_is_refused_without_override(ready_release):
    now = timezone.now()
    freeze_window_add(name="Black Friday", starts_at=now - timedelta(hours=1),
                      ends_at=now + timedelta(days=1), actor=CLI)

    with pytest.raises(TransitionNotAllowed, match="inside a freeze window: Black Friday"):
        services.deployment_start(release=ready_release, actor=CLI)

    ready_release.refresh_from_db()
    assert ready_release.status == "ready" and not RunbookRun.objects.exists()


def test_deployment_start_overriding_a_freeze_needs_a_reason(ready_release):
    now = timezone.now()
    freeze_window_add(name="Black Friday", starts_at=now - timedelta(hours=1),
                      ends_at=now + timedelta(days=1), actor=CLI)

    with pytest.raises(ValidationFailed) as refused:
        services.deployment_start(release=ready_release, override_freeze=True, reason=" ",
                                  actor=CLI)

    assert "needs a reason" in refused.value.errors["reason"][0]
    assert not RunbookRun.objects.exists()


def test_deployment_start_with_freeze_override_and_reason_is_audited(ready_release, events):
    now = timezone.now()
    freeze_window_add(name="Black Friday", starts_at=now - timedelta(hours=1),
                      ends_at=now + timedelta(days=1), actor=CLI)

    run = services.deployment_start(release=ready_release, override_freeze=True,
                                    reason="Security fix cannot wait", actor=CLI)

    assert run.freeze_override_reason == "Security fix cannot wait"
    override = AuditEvent.objects.get(action="deployment.freeze_override")
    assert override.reason == "Security fix cannot wait"
    assert "Black Friday" in override.after["windows"][0]
    assert events.named("deployment.started")[0]["payload"]["freeze_override"] is True


def test_deployment_start_checks_the_freeze_over_the_expected_deployment_time(ready_release):
    # The window opens in 40 minutes; the minor runbook's execution phases take up to 100.
    now = timezone.now()
    freeze_window_add(name="Evening freeze", starts_at=now + timedelta(minutes=40),
                      ends_at=now + timedelta(hours=5), actor=CLI)

    with pytest.raises(TransitionNotAllowed, match="Evening freeze"):
        services.deployment_start(release=ready_release, actor=CLI)


def test_deployment_start_ignores_a_freeze_of_another_product(ready_release):
    now = timezone.now()
    freeze_window_add(name="Other product", product=ProductFactory(key="other"),
                      starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1),
                      actor=CLI)

    assert services.deployment_start(release=ready_release, actor=CLI).status == "running"


def test_deployment_finish_moves_release_live_and_closes_the_run(ready_release, events):
    services.deployment_start(release=ready_release, actor=CLI)

    run = services.deployment_finish(release=ready_release, notes="Smooth", actor=CLI)

    ready_release.refresh_from_db()
    assert ready_release.status == "live"
    assert run.status == "succeeded" and run.finished_at >= run.started_at
    assert run.notes == "Smooth"
    assert [e["event"] for e in events if e["event"].startswith("deployment.")] == [
        "deployment.started", "deployment.finished"]


def test_deployment_finish_with_environment_records_the_version_there(ready_release):
    from tminus.environments.models import Environment

    services.deployment_start(release=ready_release, actor=CLI)
    services.deployment_finish(release=ready_release, environment="production", actor=CLI)

    production = Environment.objects.get(product=ready_release.product, key="production")
    assert production.current_version == "1.1"
    assert production.current_release == ready_release


def test_deployment_finish_uses_the_environment_the_run_started_with(ready_release):
    from tminus.environments.models import Environment

    services.deployment_start(release=ready_release, environment="production", actor=CLI)
    run = services.deployment_finish(release=ready_release, actor=CLI)

    assert run.environment == "production"
    assert Environment.objects.get(key="production",
                                   product=ready_release.product).current_version == "1.1"


def test_deployment_finish_with_an_unknown_environment_is_refused_and_changes_nothing(
        ready_release, events):
    run = services.deployment_start(release=ready_release, actor=CLI)

    with pytest.raises(ValidationFailed) as refused:
        services.deployment_finish(release=ready_release, environment="mars", actor=CLI)

    assert "no environment 'mars'" in refused.value.errors["environment"][0]
    run.refresh_from_db()
    ready_release.refresh_from_db()
    assert (run.status, ready_release.status) == ("running", "deploying")
    assert [e["event"] for e in events] == ["release.status_changed", "deployment.started"]


def test_deployment_finish_that_never_started_is_refused_and_changes_nothing(ready_release,
                                                                            events):
    with pytest.raises(TransitionNotAllowed, match=r"No deployment of shop-1\.1 has started"):
        services.deployment_finish(release=ready_release, actor=CLI)

    ready_release.refresh_from_db()
    assert ready_release.status == "ready"
    assert not events


def test_deployment_finish_after_a_failed_run_says_a_new_run_is_needed(ready_release):
    services.deployment_start(release=ready_release, actor=CLI)
    services.deployment_fail(release=ready_release, reason="migration failed", actor=CLI)

    with pytest.raises(TransitionNotAllowed, match="run #1 already failed"):
        services.deployment_finish(release=ready_release, actor=CLI)


def test_deployment_fail_keeps_release_deploying_and_a_retry_is_a_new_run(ready_release, events):
    services.deployment_start(release=ready_release, actor=CLI)

    failed = services.deployment_fail(release=ready_release, reason="Migration timed out",
                                      actor=CLI)
    ready_release.refresh_from_db()
    assert ready_release.status == "deploying"
    assert (failed.status, failed.failure_reason) == ("failed", "Migration timed out")
    assert events.named("deployment.failed")[0]["payload"]["reason"] == "Migration timed out"

    retry = services.deployment_start(release=ready_release, actor=CLI)
    services.deployment_finish(release=ready_release, actor=CLI)

    assert retry.number == 2
    assert list(RunbookRun.objects.order_by("number").values_list("status", flat=True)) == [
        "failed", "succeeded"]
    ready_release.refresh_from_db()
    assert ready_release.status == "live"


def test_deployment_fail_when_nothing_runs_is_refused(ready_release):
    with pytest.raises(TransitionNotAllowed, match="has started"):
        services.deployment_fail(release=ready_release, reason="x", actor=CLI)


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_deployment_start_needs_a_release_manager(ready_release, users, role):
    with pytest.raises(NotAllowed):
        services.deployment_start(release=ready_release, actor=Actor(users[role], "api"))
    assert not RunbookRun.objects.exists()


def test_run_keeps_its_copy_when_the_runbook_is_edited_afterwards(ready_release):
    run = services.deployment_start(release=ready_release, actor=CLI)
    step = ready_release.runbook.phases.first().steps.first()
    title = step.title

    services.runbook_step_update(step=step, revision=step.revision,
                                 changes={"title": "Renamed later"}, actor=CLI)

    assert run.steps.get(step=step).title == title


def test_deployment_start_on_an_environment_without_a_version_is_refused_and_changes_nothing(
        open_gate, events):
    # An environment records which version it runs; without one the finish would be refused
    # and the run could never end well, so the start says so first.
    release = release_at("ready", version="")
    events.clear()

    with pytest.raises(ValidationFailed) as refused:
        services.deployment_start(release=release, environment="production", actor=CLI)

    assert "version" in refused.value.errors["environment"][0]
    release.refresh_from_db()
    assert (release.status, RunbookRun.objects.count(), events) == ("ready", 0, [])
