"""Deployment day: starting, finishing and failing a deployment (a run of the runbook).

The release's status moves through `release_transition`, so the workflow and its guards (no
deploying without a Go) decide; a refusal leaves everything as it was.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, TransitionNotAllowed, ValidationFailed
from tminus.core.events import emit
from tminus.releases.choices import ReleaseStatus
from tminus.releases.models import Release
from tminus.releases.services import release_transition
from tminus.runbooks.choices import RunStatus, Stage
from tminus.runbooks.models import PhaseRun, Runbook, RunbookRun, StepRun
from tminus.runbooks.services.common import lock_release
from tminus.runbooks.services.runbook import runbook_ensure

RUN_FIELDS = ["number", "environment", "status", "started_at", "finished_at", "failure_reason",
              "freeze_override_reason", "notes"]


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def running_run(release: Release) -> RunbookRun | None:
    """The release's deployment that is under way, locked for the transaction, if any."""
    return (RunbookRun.objects.select_for_update()
            .filter(release=release, status=RunStatus.RUNNING).first())


def _not_running(release: Release) -> TransitionNotAllowed:
    last = RunbookRun.objects.filter(release=release).order_by("-number").first()
    if last is None:
        return TransitionNotAllowed(
            f"No deployment of {release.key} has started; start one first "
            f"(tminus deploy start {release.key}).")
    return TransitionNotAllowed(
        f"No deployment of {release.key} is running: run #{last.number} already "
        f"{last.get_status_display().lower()} at {_when(last.finished_at)}; start a new run to "
        "deploy again.")


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "an unknown time"


def _expected_window(runbook: Runbook) -> timedelta:
    """How long the deployment is expected to take: its execution phases' high estimates."""
    minutes = 0
    for phase in runbook.phases.filter(stage=Stage.EXECUTION).prefetch_related("steps"):
        estimate = phase.expected_minutes_max or phase.expected_minutes_min
        if estimate is None:
            estimate = sum(step.expected_minutes or 0 for step in phase.steps.all())
        minutes += estimate
    return timedelta(minutes=minutes)


def _freezes(release: Release, start: datetime, end: datetime) -> list:
    # Freeze windows belong to readiness; imported here so that neither app needs the other to
    # load first.
    from tminus.readiness.selectors import freeze_windows_covering

    return list(freeze_windows_covering(release.product, start, end))


def _freeze_check(release: Release, start: datetime, end: datetime, *, override: bool,
                  reason: str) -> list:
    windows = _freezes(release, start, end)
    if not windows:
        return []
    names = "; ".join(str(window) for window in windows)
    if not override:
        raise TransitionNotAllowed(
            f"Deploying {release.key} now falls inside a freeze window: {names}. "
            "Override the freeze with a reason to deploy anyway.")
    if not reason.strip():
        raise ValidationFailed({"reason": f"Overriding the freeze ({names}) needs a reason."})
    return windows


def _move(release: Release, to_status: str, reason: str, actor: Actor, doing: str) -> Release:
    try:
        return release_transition(release=release, to_status=to_status, reason=reason,
                                  actor=actor)
    except TransitionNotAllowed as refusal:
        raise TransitionNotAllowed(f"Cannot {doing} {release.key}: {refusal.message}") from None


def _run_create(runbook: Runbook, release: Release, *, environment: str, started_at: datetime,
                override_reason: str, actor: Actor) -> RunbookRun:
    last = runbook.runs.order_by("-number").values_list("number", flat=True).first() or 0
    run = RunbookRun.objects.create(
        runbook=runbook, release=release, number=last + 1, environment=environment,
        started_at=started_at, started_by=_user(actor), started_by_label=actor.label,
        interface=actor.interface, freeze_override_reason=override_reason,
    )
    runbook_snapshot(runbook, run)
    return run


def runbook_snapshot(runbook: Runbook, run: RunbookRun) -> None:
    """Copy the runbook as it is now into the run, so later edits never rewrite the day."""
    phases = runbook.phases.select_related("owner_person", "owner_user").prefetch_related(
        "steps__owner_person", "steps__owner_user")
    for phase in phases:
        phase_run = PhaseRun.objects.create(
            run=run, phase=phase, order=phase.order, name=phase.name, stage=phase.stage,
            owner_label=phase.owner_label, expected_minutes_min=phase.expected_minutes_min,
            expected_minutes_max=phase.expected_minutes_max)
        StepRun.objects.bulk_create(
            StepRun(run=run, phase_run=phase_run, step=step, order=step.order, title=step.title,
                    group=step.group, command=step.command,
                    expected_minutes=step.expected_minutes, owner_label=step.owner_label)
            for step in phase.steps.all()
        )


@transaction.atomic
def deployment_start(*, release: Release, actor: Actor, environment: str = "",
                     reason: str = "", override_freeze: bool = False) -> RunbookRun:
    """Begin a deployment: the release moves to deploying and a new run of its runbook starts."""
    # A release already deploying (its last run failed) gets a retry run without a status move.
    require(actor, MANAGE)
    release = lock_release(release)
    running = running_run(release)
    if running is not None:
        raise TransitionNotAllowed(
            f"Deployment run #{running.number} of {release.key} is already running since "
            f"{_when(running.started_at)}; finish or fail it first.")
    environment, reason = (environment or "").strip(), (reason or "").strip()
    if environment and not release.version.strip():
        # The finish records the version in the environment; refuse now rather than leave a
        # run that cannot finish.
        raise ValidationFailed({"environment": (
            f"Set the version of {release.key} before deploying it to {environment}: the "
            "environment records which version it runs.")})
    runbook = runbook_ensure(release=release, actor=actor)
    now = timezone.now()
    windows = _freeze_check(release, now, now + _expected_window(runbook),
                            override=override_freeze, reason=reason)
    if release.status != ReleaseStatus.DEPLOYING:
        release = _move(release, ReleaseStatus.DEPLOYING, reason or "Deployment started", actor,
                        "start the deployment of")
    run = _run_create(runbook, release, environment=environment, started_at=now,
                      override_reason=reason if windows else "", actor=actor)
    if windows:
        audit_record(actor=actor, action="deployment.freeze_override", obj=run,
                     release_id=release.pk, after={"windows": [str(w) for w in windows]},
                     reason=reason)
    audit_record(actor=actor, action="deployment.start", obj=run, release_id=release.pk,
                 after=snapshot(run, RUN_FIELDS), reason=reason)
    emit("deployment.started", release=release, actor=actor,
         payload={"run": run.number, "environment": environment,
                  "freeze_override": bool(windows), "reason": reason})
    return run


def _environment_version_set(release: Release, environment: str, actor: Actor) -> None:
    # Environments belong to the testing area; imported here so neither app loads the other.
    from tminus.environments.services import environment_version_set

    try:
        environment_version_set(product=release.product, environment=environment,
                                version=release.version, release=release, actor=actor)
    except NotFound as error:
        # The release exists; it is the environment named with it that does not.
        raise ValidationFailed({"environment": error.message}) from None


@transaction.atomic
def deployment_finish(*, release: Release, actor: Actor, environment: str = "",
                      notes: str = "") -> RunbookRun:
    """Finish the running deployment: the release goes live and the run succeeds."""
    require(actor, MANAGE)
    release = lock_release(release)
    run = running_run(release)
    if run is None:
        raise _not_running(release)
    before = snapshot(run, RUN_FIELDS)
    environment = (environment or "").strip() or run.environment
    if environment:
        _environment_version_set(release, environment, actor)
    if release.status != ReleaseStatus.LIVE:
        release = _move(release, ReleaseStatus.LIVE, f"Deployment run #{run.number} finished",
                        actor, "finish the deployment of")
    run.status, run.finished_at = RunStatus.SUCCEEDED, timezone.now()
    run.environment, run.finished_by_label = environment, actor.label
    run.notes = "\n".join(part for part in (run.notes, (notes or "").strip()) if part)
    run.save(update_fields=["status", "finished_at", "environment", "finished_by_label", "notes"])
    audit_record(actor=actor, action="deployment.finish", obj=run, release_id=release.pk,
                 before=before, after=snapshot(run, RUN_FIELDS))
    emit("deployment.finished", release=release, actor=actor,
         payload={"run": run.number, "environment": environment,
                  "duration_seconds": int((run.finished_at - run.started_at).total_seconds())})
    return run


def run_close_failed(run: RunbookRun, reason: str, actor: Actor) -> None:
    """Mark a running run as failed (the deployment failed or was rolled back)."""
    run.status, run.finished_at = RunStatus.FAILED, timezone.now()
    run.failure_reason, run.finished_by_label = reason, actor.label
    run.save(update_fields=["status", "finished_at", "failure_reason", "finished_by_label"])


@transaction.atomic
def deployment_fail(*, release: Release, actor: Actor, reason: str = "") -> RunbookRun:
    """Record that the running deployment failed; the release stays deploying (retry/rollback)."""
    require(actor, MANAGE)
    release = lock_release(release)
    run = running_run(release)
    if run is None:
        raise _not_running(release)
    before = snapshot(run, RUN_FIELDS)
    reason = (reason or "").strip() or "No reason given."
    run_close_failed(run, reason, actor)
    audit_record(actor=actor, action="deployment.fail", obj=run, release_id=release.pk,
                 before=before, after=snapshot(run, RUN_FIELDS), reason=reason)
    emit("deployment.failed", release=release, actor=actor,
         payload={"run": run.number, "environment": run.environment, "reason": reason})
    return run
