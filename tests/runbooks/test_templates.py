import pytest

from tests.factories import make_release
from tminus.core.errors import ValidationFailed
from tminus.releases.models import Release, ReleaseTemplate
from tminus.runbooks.models import RollbackPlan, Runbook, RunbookStep
from tminus.runbooks.templating import runbook_definition

pytestmark = pytest.mark.django_db


def test_major_release_gets_the_seed_shaped_runbook_with_timed_execution_phases():
    release = make_release(template="major")

    phases = list(release.runbook.phases.all())
    assert [p.name for p in phases] == [
        "Team readiness", "Final checks", "Phase 1: Database migration",
        "Phase 2: Application deployment", "Phase 3: Verification", "Phase 4: Monitoring setup"]
    assert [p.stage for p in phases[:2]] == ["pre", "pre"]
    migration = phases[2]
    assert (migration.expected_minutes_min, migration.expected_minutes_max) == (15, 30)
    groups = {s.group for s in phases[4].steps.all()}
    assert groups == {"Immediate checks (5 minutes)", "Functional checks (10 minutes)",
                      "Integration checks (10 minutes)"}
    assert list(phases[1].steps.values_list("order", flat=True)) == list(range(6))


def test_hotfix_release_gets_a_short_runbook_and_a_rollback_without_database_restore():
    release = make_release(template="hotfix")

    assert release.runbook.phases.count() == 4
    assert RunbookStep.objects.filter(phase__runbook=release.runbook).count() < 15
    plan = release.rollback_plan
    assert plan.estimated_minutes == 15
    assert not plan.steps.filter(title__icontains="database").exists()


def test_every_release_gets_rollback_criteria_as_in_the_go_live_plan():
    plan = make_release(template="minor").rollback_plan

    assert "Data corruption detected" in plan.immediate_criteria
    assert "Performance degradation over 50%" in plan.consider_criteria
    assert plan.communication[0] == "Notify stakeholders immediately"
    assert plan.estimated_minutes == 30
    assert plan.steps.count() == 6


def test_saved_template_lays_out_its_own_runbook_and_rollback_plan():
    ReleaseTemplate.objects.create(key="mobile", name="Mobile", release_type="minor", definition={
        "phases": [], "milestones": [], "sections": [],
        "runbook": {"phases": [{
            "name": "Store submission", "expected": [30, 60],
            "steps": ["Upload build", {"title": "Submit", "command": "fastlane"}]}]},
        "rollback_plan": {"immediate_criteria": ["Crash rate over 2%"], "estimated_minutes": 90,
                          "steps": ["Halt phased release"]},
    })
    release = make_release(template="mobile")

    phase = release.runbook.phases.get()
    assert (phase.name, phase.expected_minutes_min, phase.expected_minutes_max) == (
        "Store submission", 30, 60)
    assert [s.command for s in phase.steps.all()] == ["", "fastlane"]
    assert release.rollback_plan.immediate_criteria == ["Crash rate over 2%"]
    assert release.rollback_plan.estimated_minutes == 90


def test_saved_template_with_a_nameless_phase_is_refused_and_creates_nothing():
    ReleaseTemplate.objects.create(key="broken", name="Broken", release_type="minor", definition={
        "runbook": {"phases": [{"steps": ["x"]}]}})

    with pytest.raises(ValidationFailed) as refused:
        make_release(template="broken")

    assert "needs a name" in refused.value.errors["runbook"][0]
    assert not Release.objects.exists() and not Runbook.objects.exists()
    assert not RollbackPlan.objects.exists()


def test_runbook_definition_round_trips_through_a_saved_template():
    source = make_release(template="patch")
    definition = runbook_definition(source.runbook, source.rollback_plan)
    ReleaseTemplate.objects.create(key="copy", name="Copy", release_type="patch",
                                   definition=definition)

    copy = make_release(template="copy")

    assert runbook_definition(copy.runbook, copy.rollback_plan) == definition
