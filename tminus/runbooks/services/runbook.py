"""Editing a release's runbook: its phases and their ordered steps."""

from django.db import transaction

from tminus.accounts.permissions import require
from tminus.accounts.roles import CONTRIBUTE
from tminus.audit.services import audit_record, snapshot
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.releases.models import Release
from tminus.runbooks.choices import Stage
from tminus.runbooks.models import Runbook, RunbookPhase, RunbookStep
from tminus.runbooks.ordering import order_close_gap, order_move
from tminus.runbooks.services.common import (
    check_minutes,
    check_owner,
    check_text,
    field_values,
    owner_changes,
    step_errors,
    trimmed,
)
from tminus.runbooks.templating import default_runbook_spec, runbook_lay_out

PHASE_FIELDS = ["name", "stage", "description", "expected_minutes_min", "expected_minutes_max",
                "owner_person", "owner_user", "order"]
STEP_FIELDS = ["title", "group", "command", "expected_minutes", "notes", "owner_person",
               "owner_user", "owner_name", "order"]
PHASE_EDITABLE = set(PHASE_FIELDS) - {"order"}
STEP_EDITABLE = set(STEP_FIELDS) - {"order"}


def _phase_errors(values: dict) -> dict:
    errors: dict = {}
    check_text(values, "name", "A phase's name", errors)
    if "stage" in values and values["stage"] not in Stage.values:
        errors["stage"] = (f"Unknown stage {values['stage']!r}; "
                           f"use one of {', '.join(Stage.values)}.")
    check_minutes(values, ("expected_minutes_min", "expected_minutes_max"), errors)
    low, high = values.get("expected_minutes_min"), values.get("expected_minutes_max")
    if not errors and low is not None and high is not None and low > high:
        errors["expected_minutes_max"] = "The high estimate cannot be below the low one."
    check_owner(values, errors)
    return errors


def _release_id(runbook_id: int) -> int:
    return Runbook.objects.values_list("release_id", flat=True).get(pk=runbook_id)


PHASE = editing.Kind(model=RunbookPhase, action="runbook_phase", fields=PHASE_FIELDS,
                     capability=CONTRIBUTE, fixed={"order"}, derive=trimmed("name"),
                     validate=lambda phase: _phase_errors(field_values(phase, PHASE_EDITABLE)),
                     release_id=lambda phase: _release_id(phase.runbook_id))
STEP = editing.Kind(model=RunbookStep, action="runbook_step", fields=STEP_FIELDS,
                    capability=CONTRIBUTE, fixed={"order"}, derive=trimmed("title", "group"),
                    validate=lambda step: step_errors(field_values(step, STEP_EDITABLE)),
                    release_id=lambda step: _release_id(step.phase.runbook_id))


@transaction.atomic
def runbook_ensure(*, release: Release, actor: Actor) -> Runbook:
    """The release's runbook; one laid out from its type's defaults when it has none yet."""
    existing = Runbook.objects.filter(release=release).first()
    if existing is not None:
        return existing
    require(actor, CONTRIBUTE)
    runbook = runbook_lay_out(release, default_runbook_spec(release))
    audit_record(actor=actor, action="runbook.create", obj=runbook, release_id=release.pk,
                 after={"phases": runbook.phases.count()})
    return runbook


@transaction.atomic
def runbook_phase_add(*, runbook: Runbook, name: str, stage: str = Stage.EXECUTION,
                      description: str = "", expected_minutes_min: int | None = None,
                      expected_minutes_max: int | None = None, owner_person=None,
                      owner_user=None, position: int | None = None,
                      actor: Actor) -> RunbookPhase:
    """Add a phase to a runbook, at the end or at a position."""
    siblings = RunbookPhase.objects.filter(runbook=runbook)
    phase = editing.create(PHASE, RunbookPhase(
        runbook=runbook, order=siblings.count(), name=(name or "").strip(), stage=stage,
        description=description or "", expected_minutes_min=expected_minutes_min,
        expected_minutes_max=expected_minutes_max, owner_person=owner_person,
        owner_user=owner_user), actor=actor)
    if position is not None:
        order_move(siblings, phase, position)
    return phase


@transaction.atomic
def runbook_phase_update(*, phase: RunbookPhase, revision: int | None, changes: dict,
                         actor: Actor) -> RunbookPhase:
    """Edit a phase; an edit made from a stale copy gets a conflict."""
    return editing.update(PHASE, phase, revision=revision, changes=owner_changes(changes),
                          actor=actor)


@transaction.atomic
def runbook_phase_move(*, phase: RunbookPhase, position: int, actor: Actor) -> RunbookPhase:
    """Move a phase to a new place (0 is first) in its runbook."""
    require(actor, CONTRIBUTE)
    before = phase.order
    order_move(RunbookPhase.objects.filter(runbook_id=phase.runbook_id), phase, position)
    audit_record(actor=actor, action="runbook_phase.move", obj=phase,
                 release_id=_release_id(phase.runbook_id), before={"order": before},
                 after={"order": phase.order})
    return phase


@transaction.atomic
def runbook_phase_remove(*, phase: RunbookPhase, actor: Actor) -> None:
    """Remove a phase and its steps; runs already made keep their copy."""
    require(actor, CONTRIBUTE)
    release_id = _release_id(phase.runbook_id)
    before = {**snapshot(phase, PHASE_FIELDS),
              "steps": list(phase.steps.values_list("title", flat=True))}
    audit_record(actor=actor, action="runbook_phase.remove", obj=phase, release_id=release_id,
                 before=before)
    runbook_id = phase.runbook_id
    phase.delete()
    order_close_gap(RunbookPhase.objects.filter(runbook_id=runbook_id))


@transaction.atomic
def runbook_step_add(*, phase: RunbookPhase, title: str, group: str = "", command: str = "",
                     expected_minutes: int | None = None, notes: str = "", owner_person=None,
                     owner_user=None, owner_name: str = "", position: int | None = None,
                     actor: Actor) -> RunbookStep:
    """Add a step to a phase, at the end or at a position."""
    siblings = RunbookStep.objects.filter(phase=phase)
    step = editing.create(STEP, RunbookStep(
        phase=phase, order=siblings.count(), title=(title or "").strip(),
        group=(group or "").strip(), command=command or "", expected_minutes=expected_minutes,
        notes=notes or "", owner_person=owner_person, owner_user=owner_user,
        owner_name=(owner_name or "").strip()[:200]), actor=actor)
    if position is not None:
        order_move(siblings, step, position)
    return step


@transaction.atomic
def runbook_step_update(*, step: RunbookStep, revision: int | None, changes: dict,
                        actor: Actor) -> RunbookStep:
    """Edit a step; an edit made from a stale copy gets a conflict."""
    return editing.update(STEP, step, revision=revision, changes=owner_changes(changes),
                          actor=actor)


@transaction.atomic
def runbook_step_move(*, step: RunbookStep, position: int, actor: Actor) -> RunbookStep:
    """Move a step to a new place (0 is first) in its phase."""
    require(actor, CONTRIBUTE)
    before = step.order
    order_move(RunbookStep.objects.filter(phase_id=step.phase_id), step, position)
    audit_record(actor=actor, action="runbook_step.move", obj=step,
                 release_id=_release_id(step.phase.runbook_id), before={"order": before},
                 after={"order": step.order})
    return step


@transaction.atomic
def runbook_step_remove(*, step: RunbookStep, actor: Actor) -> None:
    """Remove a step; runs already made keep their copy of it."""
    phase_id = step.phase_id
    editing.remove(STEP, step, actor=actor)
    order_close_gap(RunbookStep.objects.filter(phase_id=phase_id))
