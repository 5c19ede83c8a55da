"""Demo deployment days: shop-1.0 went live through a run with real timings (after a failed
first attempt); layby-1.0 has the runbook of its go-live plan with commands, owners and a
rollback team.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from tminus.accounts.models import User
from tminus.core.actors import Actor
from tminus.people.models import Person
from tminus.releases.models import Release
from tminus.runbooks import services
from tminus.runbooks.choices import RunStatus
from tminus.runbooks.defaults import FULL_RUNBOOK
from tminus.runbooks.models import RunbookRun, StepRun
from tminus.runbooks.services.deployment import runbook_snapshot

_TEAM = [
    ("Sam Okafor", "Deployment lead", "Lead"),
    ("Dana Kim", "Database administrator", "Database"),
    ("Leo Marsh", "DevOps engineer", "DevOps"),
]

_LAYBY_COMMANDS = {
    "Migration started": "npx prisma migrate deploy",
    "Schema verified": "npx prisma validate",
    "Dependencies installed": "npm ci",
    "Build completed": "npm run build",
}


def load() -> None:
    actor = Actor.cli()
    team = [_person(name, title, actor) for name, title, _role in _TEAM]
    shop = Release.objects.filter(key="shop-1.0").first()
    if shop is not None:
        _completed_deployment(shop, team, actor)
    layby = Release.objects.filter(key="layby-1.0").first()
    if layby is not None:
        _layby_runbook(layby, team, actor)


def _person(name: str, title: str, actor: Actor) -> Person:
    existing = Person.objects.filter(name=name).first()
    if existing is not None:
        return existing
    from tminus.people.services import person_create

    email = name.lower().replace(" ", ".") + "@example.com"
    return person_create(name=name, title=title, email=email, actor=actor)


def _rollback_team(release: Release, team: list[Person], actor: Actor) -> None:
    plan = services.rollback_plan_ensure(release=release, actor=actor)
    for person, (_name, _title, role) in zip(team, _TEAM, strict=True):
        services.rollback_team_member_add(plan=plan, person=person, role=role, actor=actor)


def _owners(release: Release, team: list[Person], actor: Actor) -> None:
    lead, dba, devops = team
    # Names as the defaults and seed 003 write them, which differ in capitals only.
    by_phase = {"team readiness": lead, "final checks": lead,
                "phase 1: database migration": dba, "phase 2: application deployment": devops,
                "phase 3: verification": lead, "phase 4: monitoring setup": devops}
    runbook = services.runbook_ensure(release=release, actor=actor)
    for phase in runbook.phases.all():
        owner = by_phase.get(phase.name.lower())
        if owner is not None:
            services.runbook_phase_update(phase=phase, revision=None,
                                          changes={"owner_person": owner}, actor=actor)


def _layby_runbook(release: Release, team: list[Person], actor: Actor) -> None:
    _owners(release, team, actor)
    for phase in release.runbook.phases.all():
        for step in phase.steps.all():
            command = _LAYBY_COMMANDS.get(step.title)
            if command and not step.command:
                services.runbook_step_update(step=step, revision=None,
                                             changes={"command": command}, actor=actor)
    verification = release.runbook.phases.get(name__iexact="Phase 3: Verification")
    services.runbook_step_add(phase=verification, title="Layby list loads at /business/laybys",
                              group="Functional checks (10 minutes)", position=6, actor=actor)
    _rollback_team(release, team, actor)


def _default_phases(release: Release, actor: Actor) -> None:
    """A plan that says nothing of its deployment (seed 001) ran the default runbook."""
    runbook = services.runbook_ensure(release=release, actor=actor)
    if runbook.phases.exists():
        return
    for spec in FULL_RUNBOOK["phases"]:
        low, high = spec.get("expected") or (None, None)
        phase = services.runbook_phase_add(runbook=runbook, name=spec["name"],
                                           stage=spec.get("stage", "execution"),
                                           expected_minutes_min=low, expected_minutes_max=high,
                                           actor=actor)
        for step in spec.get("steps", []):
            step = {"title": step} if isinstance(step, str) else step
            services.runbook_step_add(phase=phase, title=step["title"],
                                      group=step.get("group", ""), actor=actor)


def _completed_deployment(release: Release, team: list[Person], actor: Actor) -> None:
    """Two runs on go-live day: the first failed in the migration, the retry went live."""
    _default_phases(release, actor)
    _owners(release, team, actor)
    _rollback_team(release, team, actor)
    day = timezone.make_aware(datetime.combine(release.go_live, datetime.min.time()))
    first = _run(release, 1, day + timedelta(hours=6), actor)
    _play(first, minutes_per_step=2, fail_at="Migration started",
          note="Lock timeout on orders table; retry after the batch job.")
    _close(first, RunStatus.FAILED, reason="Migration hit a lock timeout on the orders table.")
    retry = _run(release, 2, day + timedelta(hours=7, minutes=30), actor)
    _play(retry, minutes_per_step=2, fail_at=None, note="")
    _close(retry, RunStatus.SUCCEEDED, reason="")


def _run(release: Release, number: int, started_at: datetime, actor: Actor) -> RunbookRun:
    run = RunbookRun.objects.create(
        runbook=release.runbook, release=release, number=number, environment="production",
        started_at=started_at, started_by_label="maria", interface="cli",
        status=RunStatus.RUNNING)
    runbook_snapshot(release.runbook, run)
    return run


def _play(run: RunbookRun, *, minutes_per_step: int, fail_at: str | None, note: str) -> None:
    """Record every step of the run at a steady pace from its start, as people did that day."""
    actor = Actor.cli(User.objects.filter(username="maria").first())
    moment = run.started_at
    for step in StepRun.objects.filter(run=run).order_by("phase_run__order", "order"):
        services.step_start(step=step, at=moment, actor=actor)
        moment += timedelta(minutes=minutes_per_step, seconds=17 * (step.order % 3))
        failed = step.title == fail_at
        services.step_finish(step=step, outcome="failed" if failed else "succeeded", at=moment,
                             notes=note if failed else "", actor=actor)
        if failed:
            break
    run.finished_at = moment


def _close(run: RunbookRun, status: str, *, reason: str) -> None:
    run.status, run.failure_reason, run.finished_by_label = status, reason, "maria"
    run.save(update_fields=["status", "finished_at", "failure_reason", "finished_by_label"])
