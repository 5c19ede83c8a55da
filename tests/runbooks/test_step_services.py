from datetime import timedelta

import pytest
from django.utils import timezone

from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, NotAllowed, TransitionNotAllowed, ValidationFailed
from tminus.runbooks import selectors, services

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


@pytest.fixture
def run(ready_release):
    return services.deployment_start(release=ready_release, actor=CLI)


def _phase_steps(run, name):
    return list(run.steps.filter(phase_run__name=name).order_by("order"))


def test_step_start_and_finish_record_times_people_duration_and_notes(run, contributor):
    step = run.steps.order_by("phase_run__order", "order").first()
    started = timezone.now() - timedelta(minutes=12)
    actor = Actor(contributor, "web")

    services.step_start(step=step, at=started, actor=actor)
    done = services.step_finish(step=step, outcome="succeeded", notes="All five present",
                                actor=actor)

    assert done.status == "succeeded"
    assert (done.started_by_label, done.finished_by_label) == ("carl-contributor",) * 2
    assert 12 * 60 <= done.duration_seconds < 13 * 60
    assert done.notes == "All five present"
    assert AuditEvent.objects.filter(action="step_run.finish", interface="web").count() == 1


def test_step_finish_before_it_started_is_refused(run):
    step = run.steps.first()

    with pytest.raises(TransitionNotAllowed, match="has not been started"):
        services.step_finish(step=step, outcome="succeeded", actor=CLI)

    step.refresh_from_db()
    assert step.status == "pending" and step.finished_at is None


def test_step_finish_with_a_time_before_its_start_is_refused(run):
    step = services.step_start(step=run.steps.first(), actor=CLI)

    with pytest.raises(ValidationFailed) as refused:
        services.step_finish(step=step, outcome="succeeded",
                             at=step.started_at - timedelta(minutes=5), actor=CLI)

    assert "cannot finish" in refused.value.errors["at"][0]
    step.refresh_from_db()
    assert step.status == "running" and step.finished_at is None


def test_step_start_in_the_future_is_refused(run):
    with pytest.raises(ValidationFailed, match="in the future"):
        services.step_start(step=run.steps.first(), at=timezone.now() + timedelta(hours=1),
                            actor=CLI)


def test_step_start_twice_is_a_conflict_with_the_current_state(run):
    step = run.steps.first()
    services.step_start(step=step, actor=CLI)

    with pytest.raises(Conflict) as conflict:
        services.step_start(step=step, actor=CLI)

    assert conflict.value.current["status"] == "running"


def test_step_finish_with_unknown_outcome_is_refused(run):
    step = run.steps.first()
    services.step_start(step=step, actor=CLI)

    with pytest.raises(ValidationFailed, match="Unknown outcome"):
        services.step_finish(step=step, outcome="meh", actor=CLI)


def test_step_actions_need_a_contributor(run, viewer):
    with pytest.raises(NotAllowed):
        services.step_start(step=run.steps.first(), actor=Actor(viewer, "web"))


def test_phase_status_success_when_every_step_ended_failed_when_one_failed(run):
    checks = _phase_steps(run, "Final checks")
    migration = _phase_steps(run, "Phase 1: Database migration")
    t0 = timezone.now() - timedelta(hours=1)
    for index, step in enumerate(checks):
        if index == 4:
            services.step_skip(step=step, notes="No maintenance window needed", actor=CLI)
            continue
        services.step_start(step=step, at=t0 + timedelta(minutes=index), actor=CLI)
        services.step_finish(step=step, outcome="succeeded",
                             at=t0 + timedelta(minutes=index + 1), actor=CLI)
    services.step_start(step=migration[0], at=t0 + timedelta(minutes=20), actor=CLI)
    services.step_finish(step=migration[0], outcome="failed", notes="Disk full", actor=CLI)

    view = selectors.run_view(run)
    phases = {p.phase.name: p for p in view.phases}
    final = phases["Final checks"]
    assert final.status == "success"
    assert final.started_at == t0
    assert final.duration_seconds == 6 * 60
    assert phases["Phase 1: Database migration"].status == "failed"
    assert phases["Phase 2: Application deployment"].status == "pending"
    assert phases["Team readiness"].status == "pending"
    assert view.failed == 1 and view.ended == len(checks) + 1


def test_phase_status_running_while_a_step_is_under_way(run):
    services.step_start(step=_phase_steps(run, "Team readiness")[0], actor=CLI)

    phase = selectors.run_view(run).phases[0]
    assert (phase.status, phase.finished_at) == ("running", None)


def test_steps_of_a_run_followed_by_a_retry_are_a_record_and_cannot_change(ready_release):
    first = services.deployment_start(release=ready_release, actor=CLI)
    services.deployment_fail(release=ready_release, reason="x", actor=CLI)
    services.deployment_start(release=ready_release, actor=CLI)

    with pytest.raises(TransitionNotAllowed, match="followed by run #2"):
        services.step_start(step=first.steps.first(), actor=CLI)


def test_steps_can_still_be_recorded_after_the_deployment_finished(run, ready_release):
    services.deployment_finish(release=ready_release, actor=CLI)
    step = run.steps.filter(phase_run__name="Phase 4: Monitoring setup").first()

    services.step_start(step=step, actor=CLI)
    assert services.step_finish(step=step, outcome="succeeded", actor=CLI).status == "succeeded"


def test_step_note_add_appends_to_the_notes(run):
    step = run.steps.first()
    services.step_note_add(step=step, notes="Bridge open", actor=CLI)
    services.step_note_add(step=step, notes="Everyone joined", actor=CLI)

    step.refresh_from_db()
    assert step.notes == "Bridge open\nEveryone joined"
    with pytest.raises(ValidationFailed):
        services.step_note_add(step=step, notes="  ", actor=CLI)
