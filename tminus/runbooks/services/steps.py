"""Recording a run's steps as they happen: started, finished (success or failure), skipped."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import CONTRIBUTE
from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, TransitionNotAllowed, ValidationFailed
from tminus.runbooks.choices import ENDED_STEP_STATUSES, StepStatus
from tminus.runbooks.models import RunbookRun, StepRun

STEP_RUN_FIELDS = ["status", "started_at", "finished_at", "started_by_label",
                   "finished_by_label", "notes"]
OUTCOMES = (StepStatus.SUCCEEDED, StepStatus.FAILED)
# Clocks of a pipeline and the server drift a little; more than this ahead is a mistake.
CLOCK_SKEW = timedelta(minutes=2)


def _step_state(step: StepRun) -> dict:
    return {**snapshot(step, STEP_RUN_FIELDS), "id": step.pk}


def _locked(step: StepRun) -> StepRun:
    step = StepRun.objects.select_for_update().select_related("run").get(pk=step.pk)
    newer = (RunbookRun.objects.filter(runbook_id=step.run.runbook_id,
                                       number__gt=step.run.number)
             .order_by("number").values_list("number", flat=True).first())
    if newer is not None:
        raise TransitionNotAllowed(
            f"Run #{step.run.number} was followed by run #{newer}; it is a record now and its "
            "steps cannot change. Record the step on the latest run.")
    return step


def _moment(at: datetime | None, field: str) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValidationFailed({field: "Give the time with its time zone (or leave it out for "
                                       "now)."})
    if at > now + CLOCK_SKEW:
        raise ValidationFailed({field: f"{at.isoformat()} is in the future."})
    return at


def _add_note(step: StepRun, notes: str) -> None:
    notes = (notes or "").strip()
    if notes:
        step.notes = f"{step.notes}\n{notes}" if step.notes else notes


def _save(step: StepRun, before: dict, action: str, actor: Actor) -> StepRun:
    step.save(update_fields=STEP_RUN_FIELDS)
    audit_record(actor=actor, action=action, obj=step, release_id=step.run.release_id,
                 before=before, after=snapshot(step, STEP_RUN_FIELDS))
    return step


@transaction.atomic
def step_start(*, step: StepRun, actor: Actor, at: datetime | None = None,
               notes: str = "") -> StepRun:
    """Start a step of a run now (or at a given time); it must not have started yet."""
    require(actor, CONTRIBUTE)
    step = _locked(step)
    if step.status != StepStatus.PENDING:
        raise Conflict(f"Step {step.title!r} was already started by {step.started_by_label} "
                       f"({step.get_status_display().lower()}).", current=_step_state(step))
    before = snapshot(step, STEP_RUN_FIELDS)
    step.started_at = _moment(at, "at")
    step.status, step.started_by_label = StepStatus.RUNNING, actor.label
    _add_note(step, notes)
    return _save(step, before, "step_run.start", actor)


@transaction.atomic
def step_finish(*, step: StepRun, outcome: str, actor: Actor, at: datetime | None = None,
                notes: str = "") -> StepRun:
    """Finish a started step with success or failure, and notes."""
    require(actor, CONTRIBUTE)
    if outcome not in OUTCOMES:
        raise ValidationFailed({"outcome": f"Unknown outcome {outcome!r}; use succeeded or "
                                           "failed."})
    step = _locked(step)
    if step.status == StepStatus.PENDING:
        raise TransitionNotAllowed(f"Step {step.title!r} has not been started; start it before "
                                   "finishing it.")
    if step.status in ENDED_STEP_STATUSES:
        raise Conflict(f"Step {step.title!r} was already finished by {step.finished_by_label} "
                       f"({step.get_status_display().lower()}).", current=_step_state(step))
    finished_at = _moment(at, "at")
    if finished_at < step.started_at:
        raise ValidationFailed({"at": (
            f"A step cannot finish ({finished_at.isoformat()}) before it started "
            f"({step.started_at.isoformat()}).")})
    before = snapshot(step, STEP_RUN_FIELDS)
    step.status, step.finished_at, step.finished_by_label = outcome, finished_at, actor.label
    _add_note(step, notes)
    return _save(step, before, "step_run.finish", actor)


@transaction.atomic
def step_skip(*, step: StepRun, actor: Actor, notes: str = "") -> StepRun:
    """Skip a step that has not started (it does not apply this time), saying why in notes."""
    require(actor, CONTRIBUTE)
    step = _locked(step)
    if step.status != StepStatus.PENDING:
        raise Conflict(f"Step {step.title!r} has already started; finish it instead.",
                       current=_step_state(step))
    before = snapshot(step, STEP_RUN_FIELDS)
    step.status, step.finished_by_label = StepStatus.SKIPPED, actor.label
    _add_note(step, notes)
    return _save(step, before, "step_run.skip", actor)


@transaction.atomic
def step_note_add(*, step: StepRun, notes: str, actor: Actor) -> StepRun:
    """Add a note to a step of a run, whatever its state."""
    require(actor, CONTRIBUTE)
    if not (notes or "").strip():
        raise ValidationFailed({"notes": "Write the note."})
    step = _locked(step)
    before = snapshot(step, STEP_RUN_FIELDS)
    _add_note(step, notes)
    return _save(step, before, "step_run.note", actor)
