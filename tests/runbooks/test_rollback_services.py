import pytest

from tests.runbooks.conftest import release_at
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from tminus.people.models import Person
from tminus.runbooks import services
from tminus.runbooks.models import Rollback

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


@pytest.fixture
def live_release(db, open_gate):
    release = release_at("ready")
    services.deployment_start(release=release, actor=CLI)
    services.deployment_finish(release=release, actor=CLI)
    release.refresh_from_db()
    return release


def test_rollback_execute_sets_rolled_back_records_it_and_emits_the_event(live_release, events,
                                                                          manager):
    plan = live_release.rollback_plan
    steps = list(plan.steps.all())

    rollback = services.rollback_execute(
        release=live_release, reason="Checkout errors at 60%",
        criterion="More than 50% of operations failing",
        steps_done=[s.pk for s in steps[:4]], actor=Actor(manager, "web"))

    live_release.refresh_from_db()
    assert live_release.status == "rolled_back"
    assert (rollback.from_status, rollback.reason) == ("live", "Checkout errors at 60%")
    assert rollback.executed_by == manager and rollback.interface == "web"
    assert [s["done"] for s in rollback.steps] == [True] * 4 + [False] * (len(steps) - 4)
    assert rollback.run.number == 1
    event = events.named("release.rolled_back")[0]
    assert event["payload"]["reason"] == "Checkout errors at 60%"
    assert event["payload"]["from"] == "live"
    assert AuditEvent.objects.get(action="rollback.execute").reason == "Checkout errors at 60%"


def test_rollback_during_a_running_deployment_closes_the_run_as_failed(db, open_gate):
    release = release_at("ready")
    run = services.deployment_start(release=release, actor=CLI)

    services.rollback_execute(release=release, reason="App won't start", actor=CLI)

    run.refresh_from_db()
    assert run.status == "failed"
    assert run.failure_reason == "Rolled back: App won't start"


def test_rollback_from_a_state_that_does_not_allow_it_is_refused_and_changes_nothing(
        ready_release, events):
    with pytest.raises(TransitionNotAllowed) as refused:
        services.rollback_execute(release=ready_release, reason="Why not", actor=CLI)

    assert refused.value.message.startswith(f"Cannot roll back {ready_release.key}: ")
    assert "cannot move to rolled back" in refused.value.message
    ready_release.refresh_from_db()
    assert ready_release.status == "ready"
    assert not Rollback.objects.exists() and not events


def test_rollback_without_a_reason_is_refused(live_release):
    with pytest.raises(ValidationFailed) as refused:
        services.rollback_execute(release=live_release, reason="", actor=CLI)
    assert "reason" in refused.value.errors
    live_release.refresh_from_db()
    assert live_release.status == "live"


def test_rollback_naming_a_step_of_another_plan_is_refused(live_release):
    with pytest.raises(ValidationFailed, match="Not steps of this release"):
        services.rollback_execute(release=live_release, reason="x", steps_done=[999999],
                                  actor=CLI)
    live_release.refresh_from_db()
    assert live_release.status == "live"


def test_rollback_needs_a_release_manager(live_release, contributor):
    with pytest.raises(NotAllowed):
        services.rollback_execute(release=live_release, reason="x",
                                  actor=Actor(contributor, "web"))


def test_rollback_plan_update_replaces_criteria_and_estimate(live_release):
    plan = live_release.rollback_plan

    services.rollback_plan_update(plan=plan, revision=plan.revision, changes={
        "immediate_criteria": ["Payments failing", "  "], "estimated_minutes": 45}, actor=CLI)

    plan.refresh_from_db()
    assert plan.immediate_criteria == ["Payments failing"]
    assert plan.estimated_minutes == 45
    assert plan.revision == 2


@pytest.mark.parametrize("changes, field", [
    ({"estimated_minutes": -5}, "estimated_minutes"),
    ({"consider_criteria": "not a list"}, "consider_criteria"),
    ({"reason": "x"}, "reason"),
])
def test_rollback_plan_update_with_bad_input_is_refused(live_release, changes, field):
    plan = live_release.rollback_plan

    with pytest.raises(ValidationFailed) as refused:
        services.rollback_plan_update(plan=plan, revision=plan.revision, changes=changes,
                                      actor=CLI)

    assert field in refused.value.errors
    plan.refresh_from_db()
    assert plan.revision == 1


def test_rollback_team_member_add_and_remove(live_release):
    plan = live_release.rollback_plan
    lead = Person.objects.create(name="Lena Lead")
    dba = Person.objects.create(name="Dan DBA")

    services.rollback_team_member_add(plan=plan, person=lead, role="Lead", actor=CLI)
    member = services.rollback_team_member_add(plan=plan, person=dba, role="Database", actor=CLI)
    with pytest.raises(ValidationFailed, match="already on the rollback team"):
        services.rollback_team_member_add(plan=plan, person=lead, actor=CLI)
    services.rollback_team_member_remove(member=member, actor=CLI)

    assert [(m.person.name, m.role) for m in plan.team.all()] == [("Lena Lead", "Lead")]


def test_rollback_step_add_move_and_remove_keep_the_order(live_release):
    plan = live_release.rollback_plan
    first = plan.steps.first()

    added = services.rollback_step_add(plan=plan, title="Feature flag off", position=0,
                                       actor=CLI)
    services.rollback_step_move(step=first, position=99, actor=CLI)
    services.rollback_step_remove(step=plan.steps.get(order=1), actor=CLI)

    titles = list(plan.steps.values_list("title", flat=True))
    orders = list(plan.steps.values_list("order", flat=True))
    assert titles[0] == added.title and titles[-1] == first.title
    assert orders == list(range(len(titles)))
