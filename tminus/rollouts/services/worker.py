"""The worker's look at a live plan: roll back, hold, advance, ask for approval, or wait."""

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from tminus.core.actors import Actor
from tminus.core.errors import Conflict, TransitionNotAllowed
from tminus.metrics.measures import prometheus_batch
from tminus.rollouts import checks
from tminus.rollouts.choices import LIVE_STATUSES, TriggerAction
from tminus.rollouts.choices import RolloutStatus as S
from tminus.rollouts.models import RolloutPlan
from tminus.rollouts.readings import readings_record
from tminus.rollouts.report import number_text
from tminus.rollouts.services.common import stages_of
from tminus.rollouts.services.controls import (
    ask_approval,
    hold,
    rollout_advance,
    rollout_pause,
    rollout_rollback,
)

log = logging.getLogger(__name__)


def rollout_evaluate(*, plan: RolloutPlan, now: datetime | None = None) -> str:
    """One look at a live plan: roll back, hold, advance, ask for approval, or wait.

    Measuring happens outside any transaction (a slow Prometheus must not hold locks); the
    decision is then taken as a step claimed on the state that was measured, so if anything
    changed meanwhile the decision is dropped and the next check decides again.
    Returns what was done, in a word.
    """
    now = now or timezone.now()
    plan = (RolloutPlan.objects.select_related("flag__project", "environment", "release")
            .get(pk=plan.pk))
    if plan.status not in LIVE_STATUSES:
        return "idle"
    stages, triggers = stages_of(plan), list(plan.triggers.all())
    stage = stages[plan.stage_index]
    fired = checks.trigger_results(plan, triggers, now)
    measured = checks.criteria_results(plan, stage, now)
    readings_record(plan, measured + fired, now)
    split = checks.sample_ratio(plan, stage, now)
    try:
        return _decide(plan, stages, stage, [r for r in fired if r.met], measured, split, now)
    except (Conflict, TransitionNotAllowed):
        return "skipped"  # someone else acted on this state first


def _decide(plan, stages, stage, fired, measured, split, now: datetime) -> str:
    alarms = [(f"Trigger fired: {checks.label(r.check)}; measured {_value(r)}.", r.check.action)
              for r in fired]
    alarms += [(f"Regression against control: {checks.label(r.check)}. {r.why}",
                r.check.on_regression) for r in measured if r.regression]
    for reason, action in alarms:
        if action == TriggerAction.ROLLBACK:
            rollout_rollback(plan=plan, actor=Actor.worker(), reason=reason, step=plan.step,
                             now=now)
            return "rolled back"
    if alarms and plan.status in (S.RUNNING, S.AWAITING_APPROVAL):
        hold(plan, plan.step, alarms[0][0], now)
        return "held"
    if split is not None and split.mismatch and plan.status in (S.RUNNING, S.AWAITING_APPROVAL):
        rollout_pause(plan=plan, actor=Actor.worker(), reason=split.sentence, step=plan.step,
                      now=now)
        return "paused"
    if plan.status != S.RUNNING:
        return "watching"
    if not all(result.met for result in measured):
        _healthy_since_set(plan, None)
        return "waiting"
    since = plan.healthy_since or now
    if plan.healthy_since is None:
        _healthy_since_set(plan, now)
    if now - since < timedelta(minutes=stage.min_duration_minutes):
        return "waiting"
    following = stages[plan.stage_index + 1] if plan.stage_index + 1 < len(stages) else None
    if following is not None and following.not_before and now < following.not_before:
        return "waiting"
    reason = _held_reason(stage, measured, now - since)
    if stage.approval_required:
        ask_approval(plan, plan.step, reason, now)
        return "awaiting approval"
    rollout_advance(plan=plan, actor=Actor.worker(), reason=reason, step=plan.step, now=now)
    return "completed" if following is None else "advanced"


def _value(result) -> str:
    unit = checks.measure_of(result.check).unit
    sample = f" over {result.reading.sample:,} samples" if result.reading.sample else ""
    return f"{number_text(result.value)}{unit}{sample}"


def _span(duration: timedelta) -> str:
    """'1 d 2 h', '3 h 20 min', '45 min'."""
    minutes = int(duration.total_seconds() // 60)
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{minutes} min" if minutes and not days else ""]
    return " ".join(part for part in parts if part) or "0 min"


def _held_reason(stage, measured, held_for: timedelta) -> str:
    if not measured:
        return f"{stage.name} ran for its minimum duration ({_span(held_for)})."
    parts = "; ".join(f"{checks.label(r.check)}: {r.why if r.comparison else _value(r)}"
                      for r in measured)
    return f"Criteria held for {_span(held_for)}: {parts}."


def _healthy_since_set(plan: RolloutPlan, moment: datetime | None) -> None:
    if plan.healthy_since != moment:
        # Only on the state that was measured: a newer step has its own clock.
        RolloutPlan.objects.filter(pk=plan.pk, step=plan.step).update(healthy_since=moment)


def rollouts_check(*, now: datetime | None = None) -> dict[str, str]:
    """Evaluate every live plan once; one plan's failure or slowness never holds another.

    Every Prometheus query of the round starts at once, each time-boxed; plans that read none
    are decided first, so a source that hangs delays only the plans that read it, and those by
    at most its time box.
    """
    now = now or timezone.now()
    done, waiting = {}, []
    with prometheus_batch():
        for plan in (RolloutPlan.objects.filter(status__in=LIVE_STATUSES)
                     .select_related("flag", "environment").order_by("pk")):
            if _guarded(done, plan, _prefetch, now):
                waiting.append(plan)
            else:
                _guarded(done, plan, _evaluate, now)
        for plan in waiting:
            _guarded(done, plan, _evaluate, now)
    return done


def _prefetch(plan, now: datetime) -> bool:
    stages = stages_of(plan)
    return checks.prefetch(plan, stages[plan.stage_index], plan.triggers.all(), now)


def _evaluate(plan, now: datetime) -> str:
    return rollout_evaluate(plan=plan, now=now)


def _guarded(done: dict, plan, step, now: datetime):
    try:
        result = step(plan, now)
    except Exception:
        log.exception("checking rollout %s failed", plan.key)
        done[plan.key] = "failed"
        return None
    if isinstance(result, str):
        done[plan.key] = result
    return result
