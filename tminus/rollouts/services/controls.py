"""The controls: start, advance (and complete), roll back, pause and resume, used by people and
by the worker alike, and the worker's own hold and request for approval."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import CONTRIBUTE, MANAGE
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.rollouts import audience
from tminus.rollouts.choices import LIVE_STATUSES, Moment, Outcome
from tminus.rollouts.choices import RolloutStatus as S
from tminus.rollouts.models import CheckIn, RolloutPlan
from tminus.rollouts.services.after_launch import checkin_days, checkin_label
from tminus.rollouts.services.common import (
    add_run_note,
    announce,
    audit,
    claim,
    close_run,
    note,
    open_run,
    refuse_second_plan,
    require_reason,
    require_status,
    save_fields,
    stages_of,
    summary,
)


def rollout_start(*, plan: RolloutPlan, actor: Actor, reason: str, step: int | None = None,
                  now: datetime | None = None) -> RolloutPlan:
    """Start a draft plan: its first stage's audience sees the flag, which is switched on."""
    require(actor, MANAGE)
    reason, now = require_reason(actor, reason), now or timezone.now()
    with transaction.atomic():
        plan = claim(plan, step)
        require_status(plan, {S.DRAFT}, "start")
        audience.require_flag_live(plan)
        refuse_second_plan(plan.flag, plan.environment, exclude=plan)
        foreign = audience.foreign_strategies(plan)
        if foreign:
            names = ", ".join(s.title or s.name for s in foreign)
            raise ValidationFailed({"flag": (
                f"{plan.flag.key} already has strategies in {plan.environment.key} ({names}); "
                "remove them first, so that the rollout alone decides who sees the flag.")})
        stages = stages_of(plan)
        before = summary(plan)
        plan.strategy_ids = audience.audience_apply(plan, stages, 0, actor=actor, reason=reason)
        plan.status, plan.stage_index, plan.status_reason = S.RUNNING, 0, ""
        plan.started_at = plan.stage_started_at = plan.watch_from = now
        plan.healthy_since = None
        plan.full_at = now if stages[0].percentage == 100 else None
        save_fields(plan, ["strategy_ids", "status", "stage_index", "status_reason", "started_at",
                     "stage_started_at", "watch_from", "healthy_since", "full_at"])
        open_run(plan, stages[0], now)
        note(plan, Moment.STARTED, actor, reason, now, stages[0])
        audit(plan, actor, "start", before, reason)
    return plan


def rollout_advance(*, plan: RolloutPlan, actor: Actor, reason: str, step: int | None = None,
                    now: datetime | None = None) -> RolloutPlan:
    """Move to the next stage now (or complete the plan after its last stage)."""
    require(actor, MANAGE)
    reason, now = require_reason(actor, reason), now or timezone.now()
    with transaction.atomic():
        plan = claim(plan, step)
        require_status(plan, LIVE_STATUSES, "advance")
        stages = stages_of(plan)
        if plan.stage_index + 1 >= len(stages):
            _complete(plan, stages, actor, reason, now)
        else:
            _advance(plan, stages, actor, reason, now)
    return plan


def _advance(plan, stages, actor: Actor, reason: str, now: datetime) -> None:
    audience.require_flag_live(plan)
    before, finished = summary(plan), stages[plan.stage_index]
    close_run(plan, finished, outcome=Outcome.ADVANCED, reason=reason, actor=actor, now=now)
    plan.stage_index += 1
    stage = stages[plan.stage_index]
    plan.strategy_ids = audience.audience_apply(plan, stages, plan.stage_index, actor=actor,
                                                reason=reason)
    plan.status, plan.status_reason = S.RUNNING, ""
    plan.stage_started_at, plan.healthy_since = now, None
    if stage.percentage == 100 and plan.full_at is None:
        plan.full_at = now
    save_fields(plan, ["strategy_ids", "status", "status_reason", "stage_index", "stage_started_at",
                 "healthy_since", "full_at"])
    open_run(plan, stage, now)
    note(plan, Moment.ADVANCED, actor, reason, now, stage, from_stage=finished.name,
          percentage=stage.percentage)
    audit(plan, actor, "advance", before, reason)
    announce("rollout.advanced", plan, actor, now, from_stage=finished.name,
              to_stage=stage.name, percentage=stage.percentage, reason=reason)


def _complete(plan, stages, actor: Actor, reason: str, now: datetime) -> None:
    before, stage = summary(plan), stages[plan.stage_index]
    close_run(plan, stage, outcome=Outcome.COMPLETED, reason=reason, actor=actor, now=now)
    plan.status, plan.status_reason, plan.completed_at = S.COMPLETED, "", now
    save_fields(plan, ["status", "status_reason", "completed_at"])
    for days in checkin_days():
        CheckIn.objects.get_or_create(plan=plan, days=days, defaults={
            "label": checkin_label(days), "due_at": now + timedelta(days=days)})
    note(plan, Moment.COMPLETED, actor, reason, now, stage, percentage=stage.percentage)
    audit(plan, actor, "complete", before, reason)
    announce("rollout.completed", plan, actor, now, stage=stage.name,
              percentage=stage.percentage, reason=reason)


def rollout_rollback(*, plan: RolloutPlan, actor: Actor, reason: str, step: int | None = None,
                     now: datetime | None = None) -> RolloutPlan:
    """Turn the flag off now; the stage's results so far are kept with the reason."""
    require(actor, CONTRIBUTE)
    reason, now = require_reason(actor, reason), now or timezone.now()
    with transaction.atomic():
        plan = claim(plan, step)
        require_status(plan, LIVE_STATUSES | {S.COMPLETED}, "roll back")
        stages = stages_of(plan)
        before, stage = summary(plan), stages[plan.stage_index]
        audience.flag_switch_off(plan, actor=actor, reason=reason)
        close_run(plan, stage, outcome=Outcome.ROLLED_BACK, reason=reason, actor=actor, now=now)
        plan.status, plan.status_reason, plan.healthy_since = S.ROLLED_BACK, reason, None
        save_fields(plan, ["status", "status_reason", "healthy_since"])
        note(plan, Moment.ROLLED_BACK, actor, reason, now, stage)
        audit(plan, actor, "rollback", before, reason)
        announce("rollout.rolled_back", plan, actor, now, stage=stage.name,
                  percentage=stage.percentage, reason=reason)
    return plan


def rollout_pause(*, plan: RolloutPlan, actor: Actor, reason: str, step: int | None = None,
                  now: datetime | None = None) -> RolloutPlan:
    """Stop advancing; the flag keeps serving the current audience and triggers stay armed."""
    require(actor, CONTRIBUTE)
    reason, now = require_reason(actor, reason), now or timezone.now()
    with transaction.atomic():
        plan = claim(plan, step)
        require_status(plan, {S.RUNNING, S.AWAITING_APPROVAL, S.HELD}, "pause")
        before, stage = summary(plan), stages_of(plan)[plan.stage_index]
        plan.status, plan.status_reason, plan.healthy_since = S.PAUSED, reason, None
        save_fields(plan, ["status", "status_reason", "healthy_since"])
        add_run_note(plan, "paused", reason, actor, now)
        note(plan, Moment.PAUSED, actor, reason, now, stage)
        audit(plan, actor, "pause", before, reason)
    return plan


def rollout_resume(*, plan: RolloutPlan, actor: Actor, reason: str, step: int | None = None,
                   now: datetime | None = None) -> RolloutPlan:
    """Carry on from a pause or a hold; after a rollback, switch the stage's audience back on."""
    require(actor, MANAGE)
    reason, now = require_reason(actor, reason), now or timezone.now()
    with transaction.atomic():
        plan = claim(plan, step)
        require_status(plan, {S.PAUSED, S.HELD, S.ROLLED_BACK}, "resume")
        stages = stages_of(plan)
        before, stage = summary(plan), stages[plan.stage_index]
        if plan.status == S.ROLLED_BACK:
            audience.require_flag_live(plan)
            refuse_second_plan(plan.flag, plan.environment, exclude=plan)
            plan.strategy_ids = audience.audience_apply(plan, stages, plan.stage_index,
                                                        actor=actor, reason=reason)
            plan.stage_started_at = now
            open_run(plan, stage, now)
        else:
            add_run_note(plan, "resumed", reason, actor, now)
        plan.status, plan.status_reason = S.RUNNING, ""
        plan.healthy_since, plan.watch_from = None, now
        save_fields(plan, ["strategy_ids", "status", "status_reason", "stage_started_at",
                     "healthy_since", "watch_from"])
        note(plan, Moment.RESUMED, actor, reason, now, stage)
        audit(plan, actor, "resume", before, reason)
    return plan


def hold(plan: RolloutPlan, step: int, reason: str, now: datetime) -> RolloutPlan:
    actor = Actor.worker()
    with transaction.atomic():
        plan = claim(plan, step)
        require_status(plan, {S.RUNNING, S.AWAITING_APPROVAL}, "hold")
        before, stage = summary(plan), stages_of(plan)[plan.stage_index]
        plan.status, plan.status_reason, plan.healthy_since = S.HELD, reason, None
        save_fields(plan, ["status", "status_reason", "healthy_since"])
        add_run_note(plan, "held", reason, actor, now)
        note(plan, Moment.HELD, actor, reason, now, stage)
        audit(plan, actor, "hold", before, reason)
        announce("rollout.held", plan, actor, now, stage=stage.name, reason=reason)
    return plan


def ask_approval(plan: RolloutPlan, step: int, reason: str, now: datetime) -> RolloutPlan:
    actor = Actor.worker()
    with transaction.atomic():
        plan = claim(plan, step)
        require_status(plan, {S.RUNNING}, "ask for approval on")
        stages = stages_of(plan)
        before, stage = summary(plan), stages[plan.stage_index]
        following = stages[plan.stage_index + 1] if plan.stage_index + 1 < len(stages) else None
        plan.status, plan.status_reason = S.AWAITING_APPROVAL, reason
        save_fields(plan, ["status", "status_reason"])
        note(plan, Moment.APPROVAL_REQUESTED, actor, reason, now, stage,
              next_stage=following.name if following else None)
        audit(plan, actor, "approval_request", before, reason)
        announce("rollout.approval_requested", plan, actor, now, stage=stage.name,
                  next_stage=following.name if following else None, reason=reason)
    return plan
