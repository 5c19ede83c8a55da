"""What every state change of a plan does: claim the step, note it, audit it, announce it,
and close or open the stage's run."""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import F

from tminus.audit.services import audit_record
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, TransitionNotAllowed, ValidationFailed
from tminus.core.events import emit
from tminus.flags.models import Environment, Flag
from tminus.rollouts import checks
from tminus.rollouts.choices import OPEN_STATUSES, Moment
from tminus.rollouts.models import RolloutPlan, Stage, StageRun, TimelineEntry
from tminus.rollouts.results import window_results

log = logging.getLogger(__name__)


def plan_state(plan: RolloutPlan) -> dict:
    return {"key": plan.key, "status": plan.status, "stage_index": plan.stage_index,
            "step": plan.step, "revision": plan.revision}


def refuse_second_plan(flag: Flag, environment: Environment, exclude=None) -> None:
    others = RolloutPlan.objects.filter(flag=flag, environment=environment,
                                        status__in=OPEN_STATUSES)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    other = others.first()
    if other is not None:
        raise ValidationFailed({"flag": f"{flag.key} already has an unfinished rollout plan in "
                                        f"{environment.key} ({other.key}, "
                                        f"{other.get_status_display().lower()})."})


def claim(plan: RolloutPlan, step: int | None) -> RolloutPlan:
    """Take the plan's next step (inside the caller's transaction) and return it, fresh.

    With `step=None` the caller acts on whatever the state is now (a person's "roll back");
    with a step, only on that state (a worker's decision, a page showing that state).
    """
    # Acting on "now", a step another worker took a moment ago is no reason to refuse: read the
    # state again (a few times at most) and act on that.
    for _attempt in range(1 if step is not None else 3):
        expected = step
        if expected is None:
            expected = RolloutPlan.objects.values_list("step", flat=True).get(pk=plan.pk)
        claimed = RolloutPlan.objects.filter(pk=plan.pk, step=expected).update(
            step=F("step") + 1)
        if claimed:
            break
    if not claimed:
        current = RolloutPlan.objects.get(pk=plan.pk)
        raise Conflict(f"Rollout {current.key} moved on meanwhile (it is "
                       f"{current.get_status_display().lower()}, at stage "
                       f"{current.stage_index + 1}); look again and retry.",
                       current=plan_state(current))
    return (RolloutPlan.objects.select_related("flag__project", "environment", "release")
            .get(pk=plan.pk))


def require_status(plan: RolloutPlan, allowed, doing: str) -> None:
    if plan.status not in allowed:
        raise TransitionNotAllowed(f"Cannot {doing} {plan.key}: it is "
                                   f"{plan.get_status_display().lower()}.")


def require_reason(actor: Actor, reason: str) -> str:
    reason = (reason or "").strip()
    if not reason and actor.interface != "worker":
        raise ValidationFailed({"reason": "Say why: the reason is kept with the change."})
    return reason


def stages_of(plan: RolloutPlan) -> list[Stage]:
    return list(plan.stages.prefetch_related("criteria"))


def save_fields(plan: RolloutPlan, fields: list[str]) -> None:
    plan.save(update_fields=[*fields, "updated_at"])


def note(plan, moment: str, actor: Actor, reason: str, now: datetime, stage=None,
          **data) -> TimelineEntry:
    return TimelineEntry.objects.create(
        plan=plan, at=now, moment=moment, stage_name=stage.name if stage else "",
        actor_label=actor.label, interface=actor.interface, reason=reason, data=data)


def audit(plan, actor: Actor, action: str, before: dict, reason: str) -> None:
    audit_record(actor=actor, action=f"rollout.{action}", obj=plan, release_id=plan.release_id,
                 before=before, after=summary(plan), reason=reason)


def summary(plan: RolloutPlan) -> dict:
    return {"status": plan.status, "stage_index": plan.stage_index}


def announce(event: str, plan: RolloutPlan, actor: Actor, now: datetime, **payload) -> None:
    """Emit a release event; a failing listener is noted, and never undoes the rollout's step."""
    payload = {"plan": plan.key, "flag": plan.flag.key, "environment": plan.environment.key,
               **payload}
    try:
        with transaction.atomic():
            emit(event, release=plan.release, actor=actor, payload=payload)
    except Exception as error:  # turning a flag off must not depend on a notification
        log.exception("listener of %s failed for rollout %s", event, plan.key)
        note(plan, Moment.NOTICE, actor, f"Notifying {event} failed: {error}", now)


# -- stage runs --------------------------------------------------------------------------------


def open_run(plan: RolloutPlan, stage: Stage, now: datetime) -> StageRun:
    attempt = StageRun.objects.filter(plan=plan, stage=stage).count() + 1
    return StageRun.objects.create(plan=plan, stage=stage, attempt=attempt, started_at=now)


def current_run(plan: RolloutPlan) -> StageRun | None:
    return (StageRun.objects.filter(plan=plan, ended_at__isnull=True)
            .order_by("-started_at", "-id").first())


def close_run(plan: RolloutPlan, stage: Stage, *, outcome: str, reason: str, actor: Actor,
               now: datetime) -> None:
    run = current_run(plan)
    if run is None:
        return
    results = checks.criteria_results(plan, stage, now)
    run.results = window_results(plan, run.started_at, now, results, plan.triggers.all())
    split = checks.sample_ratio(plan, stage, now)
    if split is not None:
        run.results["sample_ratio"] = split.as_dict()
    run.ended_at, run.outcome, run.reason, run.ended_by = now, outcome, reason, actor.label
    run.save(update_fields=["results", "ended_at", "outcome", "reason", "ended_by"])


def add_run_note(plan: RolloutPlan, what: str, why: str, actor: Actor, now: datetime) -> None:
    run = current_run(plan)
    if run is not None:
        run.notes = [*run.notes, {"at": now.isoformat(), "what": what, "why": why,
                                  "by": actor.label}]
        run.save(update_fields=["notes"])
