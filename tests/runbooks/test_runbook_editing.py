import pytest

from tests.factories import make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, NotAllowed, ValidationFailed
from tminus.people.models import Person
from tminus.runbooks import services
from tminus.runbooks.models import Runbook, RunbookPhase

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


@pytest.fixture
def runbook(db):
    return make_release(template="hotfix").runbook


def _titles(phase):
    return list(phase.steps.values_list("title", flat=True))


def test_runbook_step_add_at_a_position_shifts_the_others(runbook):
    phase = runbook.phases.first()
    before = _titles(phase)
    person = Person.objects.create(name="Dana DBA")

    step = services.runbook_step_add(phase=phase, title="Replica lag below 1s", position=1,
                                     command="psql -c 'select lag'", expected_minutes=2,
                                     owner_person=person, actor=CLI)

    assert _titles(phase) == [before[0], "Replica lag below 1s", *before[1:]]
    assert list(phase.steps.values_list("order", flat=True)) == list(range(len(before) + 1))
    assert step.owner_label == "Dana DBA"
    event = AuditEvent.objects.get(action="runbook_step.add")
    assert event.release_id == runbook.release_id
    assert event.after["command"] == "psql -c 'select lag'"


def test_runbook_step_move_reorders_within_its_phase(runbook):
    phase = runbook.phases.get(name="Phase 1: Application deployment")
    first, second, third = phase.steps.all()

    services.runbook_step_move(step=third, position=0, actor=CLI)

    assert _titles(phase) == [third.title, first.title, second.title]


def test_runbook_step_update_from_a_stale_copy_is_a_conflict(runbook, manager):
    step = runbook.phases.first().steps.first()
    services.runbook_step_update(step=step, revision=1, changes={"title": "First"}, actor=CLI)

    with pytest.raises(Conflict) as conflict:
        services.runbook_step_update(step=step, revision=1, changes={"title": "Second"},
                                     actor=CLI)

    assert conflict.value.current["title"] == "First"


def test_runbook_step_update_owner_switches_from_user_to_person(runbook, manager):
    step = runbook.phases.first().steps.first()
    services.runbook_step_update(step=step, revision=None, changes={"owner_user": manager},
                                 actor=CLI)
    person = Person.objects.create(name="Ops Olga")

    services.runbook_step_update(step=step, revision=None, changes={"owner_person": person},
                                 actor=CLI)

    step.refresh_from_db()
    assert (step.owner_person, step.owner_user) == (person, None)


@pytest.mark.parametrize("values, field", [
    ({"title": "  "}, "title"),
    ({"title": "x", "expected_minutes": -1}, "expected_minutes"),
    ({"title": "x", "expected_minutes": "ten"}, "expected_minutes"),
])
def test_runbook_step_add_with_bad_input_is_refused_and_adds_nothing(runbook, values, field):
    phase = runbook.phases.first()
    count = phase.steps.count()

    with pytest.raises(ValidationFailed) as refused:
        services.runbook_step_add(phase=phase, actor=CLI, **values)

    assert field in refused.value.errors
    assert phase.steps.count() == count


def test_runbook_step_with_both_a_person_and_a_user_as_owner_is_refused(runbook, manager):
    with pytest.raises(ValidationFailed, match="not both"):
        services.runbook_step_add(phase=runbook.phases.first(), title="x",
                                  owner_person=Person.objects.create(name="P"),
                                  owner_user=manager, actor=CLI)


def test_runbook_phase_add_update_move_and_remove(runbook):
    phase = services.runbook_phase_add(runbook=runbook, name="Phase 0: Feature flags off",
                                       expected_minutes_min=2, expected_minutes_max=5,
                                       position=1, actor=CLI)
    services.runbook_phase_update(phase=phase, revision=phase.revision,
                                  changes={"stage": "pre"}, actor=CLI)
    last = runbook.phases.last()
    services.runbook_phase_move(phase=last, position=0, actor=CLI)
    services.runbook_phase_remove(phase=runbook.phases.get(name="Final checks"), actor=CLI)

    names = list(runbook.phases.values_list("name", flat=True))
    assert names[0] == last.name and "Final checks" not in names
    assert list(runbook.phases.values_list("order", flat=True)) == list(range(len(names)))
    assert RunbookPhase.objects.get(pk=phase.pk).stage == "pre"
    assert AuditEvent.objects.get(action="runbook_phase.remove").before["steps"]


def test_runbook_phase_with_high_estimate_below_low_is_refused(runbook):
    with pytest.raises(ValidationFailed) as refused:
        services.runbook_phase_add(runbook=runbook, name="x", expected_minutes_min=30,
                                   expected_minutes_max=15, actor=CLI)
    assert "expected_minutes_max" in refused.value.errors


def test_runbook_phase_with_unknown_stage_is_refused(runbook):
    phase = runbook.phases.first()
    with pytest.raises(ValidationFailed, match="Unknown stage"):
        services.runbook_phase_update(phase=phase, revision=None, changes={"stage": "later"},
                                      actor=CLI)


def test_runbook_editing_needs_a_contributor(runbook, viewer):
    with pytest.raises(NotAllowed):
        services.runbook_step_add(phase=runbook.phases.first(), title="x",
                                  actor=Actor(viewer, "web"))


def test_runbook_ensure_lays_out_defaults_for_a_release_without_one(db):
    release = make_release(template="patch")
    release.runbook.delete()

    runbook = services.runbook_ensure(release=release, actor=CLI)

    assert Runbook.objects.get(release=release) == runbook
    assert runbook.phases.count() == 5
