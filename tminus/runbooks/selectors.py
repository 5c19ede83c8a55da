"""Reads of deployment day. Every list runs a fixed number of queries whatever its length."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from tminus.core.errors import NotFound
from tminus.releases.models import Release
from tminus.runbooks.choices import ENDED_STEP_STATUSES, PhaseStatus, RunStatus, StepStatus
from tminus.runbooks.durations import seconds_between
from tminus.runbooks.models import (
    PhaseRun,
    Rollback,
    RollbackPlan,
    RollbackStep,
    RollbackTeamMember,
    Runbook,
    RunbookPhase,
    RunbookRun,
    RunbookStep,
    StepRun,
)

_OWNERS = ("owner_person", "owner_user")


def runbook_for(release: Release) -> Runbook | None:
    """The release's runbook with its phases and steps (and their owners), or None."""
    steps = RunbookStep.objects.select_related(*_OWNERS)
    phases = RunbookPhase.objects.select_related(*_OWNERS).prefetch_related(
        Prefetch("steps", queryset=steps))
    return (Runbook.objects.filter(release=release)
            .prefetch_related(Prefetch("phases", queryset=phases)).first())


def runs_for(release: Release) -> QuerySet[RunbookRun]:
    """The release's runs, newest first, each with its step counts."""
    return RunbookRun.objects.filter(release=release).select_related("release").annotate(
        step_total=Count("steps"),
        step_ended=Count("steps", filter=Q(steps__status__in=ENDED_STEP_STATUSES)),
        step_failed=Count("steps", filter=Q(steps__status=StepStatus.FAILED)),
    ).order_by("-number")


def run_get(release: Release, number: int) -> RunbookRun:
    """One run of the release by its number, or NotFound."""
    run = RunbookRun.objects.filter(release=release, number=number).first()
    if run is None:
        raise NotFound(f"Release {release.key} has no run #{number}.")
    return run


def current_run(release: Release) -> RunbookRun | None:
    """The release's latest run (the one under way, or the last one made)."""
    return RunbookRun.objects.filter(release=release).order_by("-number").first()


def step_run_get(step_id: int) -> StepRun:
    step = StepRun.objects.select_related("run", "run__release").filter(pk=step_id).first()
    if step is None:
        raise NotFound(f"No step {step_id} in any run.")
    return step


@dataclass
class PhaseView:
    """A phase of a run with the times and status that follow from its steps."""

    phase: PhaseRun
    steps: list = field(default_factory=list)
    status: str = PhaseStatus.PENDING
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def duration_seconds(self) -> int | None:
        return seconds_between(self.started_at, self.finished_at)

    @property
    def status_label(self) -> str:
        return PhaseStatus(self.status).label


@dataclass
class RunView:
    run: RunbookRun
    phases: list[PhaseView] = field(default_factory=list)
    total: int = 0
    ended: int = 0
    failed: int = 0
    is_latest: bool = True

    @property
    def percent(self) -> int:
        return round(100 * self.ended / self.total) if self.total else 0

    @property
    def duration_seconds(self) -> int | None:
        return self.run.duration_seconds


def phase_status(steps: list[StepRun]) -> str:
    """Failed if a step failed; success once every step ended; running once one started."""
    statuses = {step.status for step in steps}
    if StepStatus.FAILED in statuses:
        return PhaseStatus.FAILED
    if statuses and statuses <= {StepStatus.SKIPPED}:
        return PhaseStatus.SKIPPED
    if statuses and statuses <= set(ENDED_STEP_STATUSES):
        return PhaseStatus.SUCCESS
    if statuses - {StepStatus.PENDING}:
        return PhaseStatus.RUNNING
    return PhaseStatus.PENDING


def _phase_view(phase: PhaseRun) -> PhaseView:
    steps = list(phase.steps.all())
    view = PhaseView(phase=phase, steps=steps, status=phase_status(steps))
    starts = [s.started_at for s in steps if s.started_at]
    ends = [s.finished_at for s in steps if s.finished_at]
    view.started_at = min(starts) if starts else None
    if view.status in (PhaseStatus.SUCCESS, PhaseStatus.FAILED) and ends:
        view.finished_at = max(ends)
    return view


def run_view(run: RunbookRun) -> RunView:
    """A run with its phases and steps, each phase's derived status, times and progress."""
    phases = PhaseRun.objects.filter(run=run).prefetch_related(
        Prefetch("steps", queryset=StepRun.objects.order_by("order", "id")))
    view = RunView(run=run, phases=[_phase_view(phase) for phase in phases])
    for phase in view.phases:
        for step in phase.steps:
            view.total += 1
            view.ended += step.status in ENDED_STEP_STATUSES
            view.failed += step.status == StepStatus.FAILED
    view.is_latest = not RunbookRun.objects.filter(runbook_id=run.runbook_id,
                                                   number__gt=run.number).exists()
    return view


def is_running(run: RunbookRun | None) -> bool:
    return run is not None and run.status == RunStatus.RUNNING


def rollback_plan_for(release: Release) -> RollbackPlan | None:
    """The release's rollback plan with its steps and team, or None."""
    steps = RollbackStep.objects.select_related(*_OWNERS)
    team = RollbackTeamMember.objects.select_related("person")
    return (RollbackPlan.objects.filter(release=release)
            .prefetch_related(Prefetch("steps", queryset=steps), Prefetch("team", queryset=team))
            .first())


def rollbacks_for(release: Release) -> QuerySet[Rollback]:
    """Rollbacks carried out on the release, newest first."""
    return Rollback.objects.filter(release=release).select_related("run", "release").order_by(
        "-executed_at", "-id")

