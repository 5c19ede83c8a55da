"""The rollback plan (criteria, procedure, team) and carrying a rollback out."""

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import CONTRIBUTE, MANAGE
from tminus.audit.services import audit_record, snapshot
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.errors import TransitionNotAllowed, ValidationFailed
from tminus.core.events import emit
from tminus.releases.choices import ReleaseStatus
from tminus.releases.models import Release
from tminus.releases.services import release_transition
from tminus.runbooks.models import (
    Rollback,
    RollbackPlan,
    RollbackStep,
    RollbackTeamMember,
    RunbookRun,
)
from tminus.runbooks.ordering import order_close_gap, order_move
from tminus.runbooks.services.common import (
    check_minutes,
    field_values,
    lock_release,
    owner_changes,
    refuse_unknown,
    step_errors,
    trimmed,
)
from tminus.runbooks.services.deployment import run_close_failed, running_run
from tminus.runbooks.templating import default_rollback_spec, rollback_plan_lay_out

PLAN_FIELDS = ["immediate_criteria", "consider_criteria", "communication", "estimated_minutes"]
STEP_FIELDS = ["title", "command", "expected_minutes", "owner_person", "owner_user",
               "owner_name", "order"]
STEP_EDITABLE = set(STEP_FIELDS) - {"order"}
ROLLBACK_FIELDS = ["from_status", "reason", "criterion", "steps", "notes", "executed_at",
                   "executed_by_label"]


def _plan_state(plan: RollbackPlan) -> dict:
    return {**snapshot(plan, PLAN_FIELDS), "revision": plan.revision}


def _text_list(value, field: str) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed({field: "Give a list of texts, one criterion or line each."})
    return [v.strip() for v in value if v.strip()]


@transaction.atomic
def rollback_plan_ensure(*, release: Release, actor: Actor) -> RollbackPlan:
    """The release's rollback plan; one laid out from its type's defaults when it has none."""
    existing = RollbackPlan.objects.filter(release=release).first()
    if existing is not None:
        return existing
    require(actor, CONTRIBUTE)
    plan = rollback_plan_lay_out(release, default_rollback_spec(release))
    audit_record(actor=actor, action="rollback_plan.create", obj=plan, release_id=release.pk,
                 after=snapshot(plan, PLAN_FIELDS))
    return plan


@transaction.atomic
def rollback_plan_update(*, plan: RollbackPlan, revision: int | None, changes: dict,
                         actor: Actor) -> RollbackPlan:
    """Edit the decision criteria, the communication list or the estimated rollback time."""
    require(actor, CONTRIBUTE)
    refuse_unknown(changes, set(PLAN_FIELDS))
    changes = dict(changes)
    for field in ("immediate_criteria", "consider_criteria", "communication"):
        if field in changes:
            changes[field] = _text_list(changes[field], field)
    errors: dict = {}
    check_minutes(changes, ("estimated_minutes",), errors)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(plan, PLAN_FIELDS)
    for field, value in changes.items():
        setattr(plan, field, value)
    save_versioned(plan, revision, list(changes), snapshot=_plan_state)
    audit_record(actor=actor, action="rollback_plan.update", obj=plan,
                 release_id=plan.release_id, before=before, after=snapshot(plan, PLAN_FIELDS))
    return plan


STEP = editing.Kind(model=RollbackStep, action="rollback_step", fields=STEP_FIELDS,
                    capability=CONTRIBUTE, fixed={"order"}, derive=trimmed("title"),
                    validate=lambda step: step_errors(field_values(step, STEP_EDITABLE)),
                    release_id=lambda step: step.plan.release_id)


@transaction.atomic
def rollback_step_add(*, plan: RollbackPlan, title: str, command: str = "",
                      expected_minutes: int | None = None, owner_person=None, owner_user=None,
                      owner_name: str = "", position: int | None = None,
                      actor: Actor) -> RollbackStep:
    """Add a step to the rollback procedure, at the end or at a position."""
    siblings = RollbackStep.objects.filter(plan=plan)
    step = editing.create(STEP, RollbackStep(
        plan=plan, order=siblings.count(), title=(title or "").strip(), command=command or "",
        expected_minutes=expected_minutes, owner_person=owner_person, owner_user=owner_user,
        owner_name=(owner_name or "").strip()[:200]), actor=actor)
    if position is not None:
        order_move(siblings, step, position)
    return step


def rollback_step_update(*, step: RollbackStep, revision: int | None, changes: dict,
                         actor: Actor) -> RollbackStep:
    """Edit a rollback step; an edit made from a stale copy gets a conflict."""
    return editing.update(STEP, step, revision=revision, changes=owner_changes(changes),
                          actor=actor)


@transaction.atomic
def rollback_step_move(*, step: RollbackStep, position: int, actor: Actor) -> RollbackStep:
    """Move a rollback step to a new place (0 is first)."""
    require(actor, CONTRIBUTE)
    before = step.order
    order_move(RollbackStep.objects.filter(plan_id=step.plan_id), step, position)
    audit_record(actor=actor, action="rollback_step.move", obj=step,
                 release_id=step.plan.release_id, before={"order": before},
                 after={"order": step.order})
    return step


@transaction.atomic
def rollback_step_remove(*, step: RollbackStep, actor: Actor) -> None:
    """Remove a step from the rollback procedure."""
    plan_id = step.plan_id
    editing.remove(STEP, step, actor=actor)
    order_close_gap(RollbackStep.objects.filter(plan_id=plan_id))


@transaction.atomic
def rollback_team_member_add(*, plan: RollbackPlan, person, role: str = "",
                             actor: Actor) -> RollbackTeamMember:
    """Put a person on the rollback team with their role (lead, database, DevOps ...)."""
    require(actor, CONTRIBUTE)
    if person is None:
        raise ValidationFailed({"person": "Choose a person."})
    if plan.team.filter(person=person).exists():
        raise ValidationFailed({"person": f"{person} is already on the rollback team."})
    member = RollbackTeamMember.objects.create(plan=plan, person=person,
                                               role=(role or "").strip()[:100],
                                               order=plan.team.count())
    audit_record(actor=actor, action="rollback_team.add", obj=member,
                 release_id=plan.release_id, after={"person": str(person), "role": member.role})
    return member


@transaction.atomic
def rollback_team_member_remove(*, member: RollbackTeamMember, actor: Actor) -> None:
    """Take a person off the rollback team."""
    require(actor, CONTRIBUTE)
    audit_record(actor=actor, action="rollback_team.remove", obj=member,
                 release_id=member.plan.release_id,
                 before={"person": str(member.person), "role": member.role})
    plan_id = member.plan_id
    member.delete()
    order_close_gap(RollbackTeamMember.objects.filter(plan_id=plan_id))


def _steps_done(plan: RollbackPlan, done_ids: list[int] | None) -> list[dict]:
    steps = list(plan.steps.all())
    if done_ids is None:
        return [{"title": s.title, "done": True} for s in steps]
    known = {s.pk for s in steps}
    unknown = [i for i in done_ids if i not in known]
    if unknown:
        raise ValidationFailed({"steps_done": (
            f"Not steps of this release's rollback plan: {', '.join(map(str, unknown))}.")})
    return [{"title": s.title, "done": s.pk in done_ids} for s in steps]


def _run_rolled_back(release: Release, reason: str, actor: Actor) -> RunbookRun | None:
    running = running_run(release)
    if running is not None:
        run_close_failed(running, f"Rolled back: {reason}", actor)
        return running
    return RunbookRun.objects.filter(release=release).order_by("-number").first()


@transaction.atomic
def rollback_execute(*, release: Release, reason: str, actor: Actor, criterion: str = "",
                     steps_done: list[int] | None = None, notes: str = "") -> Rollback:
    """Roll the release back: record who, when, why and which steps, and set it rolled back."""
    require(actor, MANAGE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the release is rolled back."})
    release = lock_release(release)
    plan = rollback_plan_ensure(release=release, actor=actor)
    steps = _steps_done(plan, steps_done)
    from_status = release.status
    try:
        release = release_transition(release=release, to_status=ReleaseStatus.ROLLED_BACK,
                                     reason=reason, actor=actor)
    except TransitionNotAllowed as refusal:
        raise TransitionNotAllowed(f"Cannot roll back {release.key}: {refusal.message}") from None
    rollback = Rollback.objects.create(
        plan=plan, release=release, run=_run_rolled_back(release, reason, actor),
        from_status=from_status, reason=reason, criterion=(criterion or "").strip()[:300],
        steps=steps, notes=(notes or "").strip(), executed_at=timezone.now(),
        executed_by=actor.user if getattr(actor.user, "pk", None) else None,
        executed_by_label=actor.label, interface=actor.interface,
    )
    audit_record(actor=actor, action="rollback.execute", obj=rollback, release_id=release.pk,
                 after=snapshot(rollback, ROLLBACK_FIELDS), reason=reason)
    emit("release.rolled_back", release=release, actor=actor,
         payload={"reason": reason, "criterion": rollback.criterion, "from": from_status,
                  "rollback": rollback.pk,
                  "run": rollback.run.number if rollback.run else None})
    return rollback
