"""Runbook mappers: seed 003's deployment execution phases become the runbook and its rollback
plan the rollback plan; the export shows the latest deployment run and the live plan."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.plans.helpers import import_plan, missing_lines, seed, seed_part
from tminus.core.actors import Actor
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.releases import workflow
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db
CLI = Actor.cli()
EXECUTION = seed_part("003", "### Deployment Execution")
ROLLBACK = seed_part("003", "## Rollback Plan")


def _imported(text: str, **kwargs) -> Release:
    return Release.objects.get(key=import_plan(text.encode(), **kwargs).release_key)


def test_seed_003_deployment_execution_becomes_four_runbook_phases_with_steps():
    release = _imported(EXECUTION)

    phases = list(release.runbook.phases.all())
    assert [p.name for p in phases] == ["Phase 1: Database Migration",
                                        "Phase 2: Application Deployment",
                                        "Phase 3: Verification", "Phase 4: Monitoring Setup"]
    assert (phases[0].expected_minutes_min, phases[0].expected_minutes_max) == (15, 30)
    migrate = phases[0].steps.get(title="Migration started")
    assert migrate.command == "npx prisma migrate deploy"
    assert phases[2].steps.get(title="Homepage loads").group == "Immediate Checks (5 minutes)"
    assert phases[1].steps.filter(title="Commit hash verified").exists()
    assert not release.checklist_sections.filter(title__startswith="Phase").exists()
    assert missing_lines(EXECUTION, export_markdown(release)) == []


def test_deployment_run_ticks_finished_steps_and_fills_the_phase_times(monkeypatch):
    from tminus.releases import services as release_services
    from tminus.runbooks import services

    monkeypatch.setattr(workflow, "_guards", [])
    text = f"# Go-live\nGo-Live Date: {date.today() + timedelta(days=1)}\n" + \
        EXECUTION.split("\n", 1)[1]
    release = _imported(text)
    for status in ("development", "testing", "staging", "ready"):
        release_services.release_transition(release=release, to_status=status, actor=CLI)
    run = services.deployment_start(release=release, actor=CLI)
    first = run.phases.get(name="Phase 1: Database Migration")
    started = timezone.now() - timedelta(minutes=20)
    for step in first.steps.all():
        services.step_start(step=step, at=started, actor=CLI)
        services.step_finish(step=step, outcome="succeeded", actor=CLI)

    exported = export_markdown(Release.objects.get(pk=release.pk))

    assert "- [x] Migration started: `npx prisma migrate deploy`" in exported
    assert "- [ ] Dependencies installed: `npm ci`" in exported
    assert f"Start Time: {timezone.localtime(started):%Y-%m-%d %H:%M}" in exported
    assert "Duration: 20 minutes" in exported
    assert "Status: Success ☒ Failed ☐" in exported


def test_seed_003_rollback_plan_becomes_criteria_estimate_and_communication():
    release = _imported(ROLLBACK)

    plan = release.rollback_plan
    assert plan.immediate_criteria[-1] == "> 50% of operations failing"
    assert plan.consider_criteria[0] == "Major feature broken but workaround exists"
    assert plan.estimated_minutes == 30
    assert plan.communication[-1] == "Schedule post-mortem meeting"
    assert missing_lines(ROLLBACK, export_markdown(release)) == []


def test_rollback_plan_edited_in_t_minus_is_rewritten_and_the_team_filled_in():
    from tminus.people.services import person_create
    from tminus.runbooks import services

    release = _imported(ROLLBACK)
    plan = release.rollback_plan
    services.rollback_plan_update(plan=plan, revision=None, actor=CLI, changes={
        "estimated_minutes": 45, "communication": ["Notify stakeholders immediately",
                                                   "Page the sponsor"]})
    services.rollback_team_member_add(plan=plan, role="Lead", actor=CLI,
                                      person=person_create(name="Sam Okoro", actor=CLI))

    exported = export_markdown(release)

    assert "**Estimated Rollback Time**: 45 minutes" in exported
    assert "1. Notify stakeholders immediately\n2. Page the sponsor\n" in exported
    assert "- Lead: Sam Okoro\n- Database: _____________" in exported
    assert plan_as_code(release)["rollback"][0]["team"] == [{"role": "Lead",
                                                            "name": "Sam Okoro"}]


def test_seed_000_rollback_lines_become_rollback_steps_and_reimport_changes_nothing():
    release = _imported(seed("000").read_text(), key="order-plan")

    assert [s.title[:24] for s in release.rollback_plan.steps.all()] == [
        "Backup the database and ", "If issues arise, revert ", "Restore the product cata"]
    again = import_plan(seed("000").read_bytes(), key="order-plan")
    assert again.report["changes"] == []
