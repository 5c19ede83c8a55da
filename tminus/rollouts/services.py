"""Every write to rollout plans: defining them, the controls people use, and the worker's steps.

A state change (start, advance, hold, pause, resume, roll back, complete) runs in one
transaction that first claims the plan's next `step` with a conditional UPDATE, then changes the
flag through the flags services, closes and opens stage runs, writes the timeline and the audit
log and emits the release event. Of two workers (or a worker and a person) acting on the same
state, the second finds the step taken and does nothing; a process killed half-way commits
nothing, so the next worker finds the state as it was and carries on.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tminus.accounts.models import User
from tminus.accounts.permissions import require
from tminus.accounts.roles import CONTRIBUTE, MANAGE
from tminus.audit.services import audit_record
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.errors import Conflict, TransitionNotAllowed, ValidationFailed
from tminus.core.events import emit
from tminus.core.keys import make_key
from tminus.flags.models import Environment, Flag, Segment
from tminus.flags.services import environment_of
from tminus.rollouts import audience, checks, definition
from tminus.rollouts.choices import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    Moment,
    Outcome,
    RolloutStatus,
    TriggerAction,
)
from tminus.rollouts.models import (
    CheckIn,
    Criterion,
    RolloutPlan,
    Stage,
    StageRun,
    TimelineEntry,
    Trigger,
)
from tminus.rollouts.readings import readings_record
from tminus.rollouts.results import window_results
from tminus.rollouts.templates_catalog import template_definition

log = logging.getLogger(__name__)
S = RolloutStatus


# -- defining a plan ---------------------------------------------------------------------------


def _segments_by_name() -> dict[str, int]:
    return dict(Segment.objects.values_list("name", "pk"))


def _parsed(data) -> definition.PlanSpec:
    spec, problems = definition.parse_definition(data, segments_by_name=_segments_by_name())
    if problems:
        raise ValidationFailed(problems)
    return spec


def _owner(username: str | None):
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed({"owner": f"No user named {username!r}."})
    return user


def _flag_and_environment(flag, environment) -> tuple[Flag, Environment]:
    if not isinstance(flag, Flag):
        found = Flag.objects.filter(key=flag).select_related("project").first()
        if found is None:
            raise ValidationFailed({"flag": f"No flag named {flag!r}."})
        flag = found
    if flag.archived_at is not None:
        raise ValidationFailed({"flag": f"{flag.key} is archived; revive it first."})
    return flag, environment_of(flag, environment)


def _refuse_second_plan(flag: Flag, environment: Environment, exclude=None) -> None:
    others = RolloutPlan.objects.filter(flag=flag, environment=environment,
                                        status__in=OPEN_STATUSES)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    other = others.first()
    if other is not None:
        raise ValidationFailed({"flag": f"{flag.key} already has an unfinished rollout plan in "
                                        f"{environment.key} ({other.key}, "
                                        f"{other.get_status_display().lower()})."})


def _unique_key(wanted: str) -> str:
    base = make_key(wanted)[:100] or "rollout"
    key, counter = base, 2
    while RolloutPlan.objects.filter(key=key).exists():
        key, counter = f"{base}-{counter}", counter + 1
    return key


def _write_definition(plan: RolloutPlan, spec: definition.PlanSpec) -> None:
    for order, stage_spec in enumerate(spec.stages):
        stage = Stage.objects.create(
            plan=plan, order=order, name=stage_spec.name, user_ids=stage_spec.users,
            segment_ids=stage_spec.segments, percentage=stage_spec.percentage,
            min_duration_minutes=stage_spec.min_duration_minutes,
            not_before=stage_spec.not_before, approval_required=stage_spec.approval)
        Criterion.objects.bulk_create(
            Criterion(stage=stage, order=i, **_check_fields(c))
            for i, c in enumerate(stage_spec.criteria))
    Trigger.objects.bulk_create(
        Trigger(plan=plan, order=i, window_minutes=t.window_minutes, action=t.action,
                **_check_fields(t))
        for i, t in enumerate(spec.triggers))


def _check_fields(check: definition.CheckSpec) -> dict:
    m = check.measure
    return {"metric": m.metric, "aggregation": m.aggregation, "denominator": m.denominator,
            "sample_metric": m.sample_metric, "source": m.source, "query": m.query,
            "url": m.url, "all_flags": check.all_flags, "comparator": check.comparator,
            "threshold": check.threshold, "min_sample": check.min_sample}


def plan_definition(plan: RolloutPlan) -> dict:
    """The plan's definition as data (what the editor shows and the API returns)."""
    stages = plan.stages.prefetch_related("criteria")
    names = dict(Segment.objects.values_list("pk", "name"))
    return definition.plan_data(plan, stages, plan.triggers.all(), names)


@transaction.atomic
def rollout_plan_create(*, release, flag, environment, actor: Actor, definition_data=None,
                        template: str = "", template_options: dict | None = None,
                        key: str = "") -> RolloutPlan:
    """Create a draft rollout plan for a flag in an environment, from a definition or template."""
    require(actor, MANAGE)
    flag, environment = _flag_and_environment(flag, environment)
    if definition_data is None:
        try:
            definition_data = template_definition(template, **(template_options or {}))
        except ValueError as error:
            raise ValidationFailed({"template": str(error)}) from None
        except TypeError as error:  # an option the templates do not take
            raise ValidationFailed({"template_options": str(error)}) from None
    spec = _parsed(definition_data)
    _refuse_second_plan(flag, environment)
    plan = RolloutPlan.objects.create(
        key=_unique_key(key or f"{flag.key}-{environment.key}"),
        name=spec.name or f"Rollout of {flag.key} in {environment.key}", release=release,
        flag=flag, environment=environment, owner=_owner(spec.owner), template_key=template)
    _write_definition(plan, spec)
    _note(plan, Moment.CREATED, actor, "", timezone.now())
    audit_record(actor=actor, action="rollout.create", obj=plan, release_id=release.pk,
                 after={"key": plan.key, "flag": flag.key, "environment": environment.key,
                        "definition": plan_definition(plan)})
    return plan


@transaction.atomic
def rollout_plan_update(*, plan: RolloutPlan, definition_data, actor: Actor,
                        revision: int | None = None) -> RolloutPlan:
    """Replace a draft plan's stages, criteria and triggers (and its name and owner)."""
    require(actor, MANAGE)
    plan = RolloutPlan.objects.select_related("release").get(pk=plan.pk)
    if plan.status != S.DRAFT:
        raise TransitionNotAllowed(f"{plan.key} has started; only a draft can be changed. "
                                   "Roll it back and create a new plan to change its shape.")
    spec = _parsed(definition_data)
    before = plan_definition(plan)
    plan.name = spec.name or plan.name
    plan.owner = _owner(spec.owner)
    save_versioned(plan, revision, ["name", "owner", "updated_at"], snapshot=plan_state)
    plan.stages.all().delete()
    plan.triggers.all().delete()
    _write_definition(plan, spec)
    _note(plan, Moment.UPDATED, actor, "", timezone.now())
    audit_record(actor=actor, action="rollout.update", obj=plan, release_id=plan.release_id,
                 before={"definition": before}, after={"definition": plan_definition(plan)})
    return plan


def plan_state(plan: RolloutPlan) -> dict:
    return {"key": plan.key, "status": plan.status, "stage_index": plan.stage_index,
            "step": plan.step, "revision": plan.revision}


# -- claiming a step -------------------------------------------------------------------------


def _claim(plan: RolloutPlan, step: int | None) -> RolloutPlan:
    """Take the plan's next step (inside the caller's transaction) and return it, fresh.

    With `step=None` the caller acts on whatever the state is now (a person's "roll back");
    with a step, only on that state (a worker's decision, a page showing that state).
    """
    expected = step
    if expected is None:
        expected = RolloutPlan.objects.values_list("step", flat=True).get(pk=plan.pk)
    claimed = RolloutPlan.objects.filter(pk=plan.pk, step=expected).update(step=F("step") + 1)
    if not claimed:
        current = RolloutPlan.objects.get(pk=plan.pk)
        raise Conflict(f"Rollout {current.key} moved on meanwhile (it is "
                       f"{current.get_status_display().lower()}, at stage "
                       f"{current.stage_index + 1}); look again and retry.",
                       current=plan_state(current))
    return (RolloutPlan.objects.select_related("flag__project", "environment", "release")
            .get(pk=plan.pk))


def _require_status(plan: RolloutPlan, allowed, doing: str) -> None:
    if plan.status not in allowed:
        raise TransitionNotAllowed(f"Cannot {doing} {plan.key}: it is "
                                   f"{plan.get_status_display().lower()}.")


def _require_reason(actor: Actor, reason: str) -> str:
    reason = (reason or "").strip()
    if not reason and actor.interface != "worker":
        raise ValidationFailed({"reason": "Say why: the reason is kept with the change."})
    return reason


def _stages(plan: RolloutPlan) -> list[Stage]:
    return list(plan.stages.prefetch_related("criteria"))


def _save(plan: RolloutPlan, fields: list[str]) -> None:
    plan.save(update_fields=[*fields, "updated_at"])


def _note(plan, moment: str, actor: Actor, reason: str, now: datetime, stage=None,
          **data) -> TimelineEntry:
    return TimelineEntry.objects.create(
        plan=plan, at=now, moment=moment, stage_name=stage.name if stage else "",
        actor_label=actor.label, interface=actor.interface, reason=reason, data=data)


def _audit(plan, actor: Actor, action: str, before: dict, reason: str) -> None:
    audit_record(actor=actor, action=f"rollout.{action}", obj=plan, release_id=plan.release_id,
                 before=before, after=_summary(plan), reason=reason)


def _summary(plan: RolloutPlan) -> dict:
    return {"status": plan.status, "stage_index": plan.stage_index}


def _announce(event: str, plan: RolloutPlan, actor: Actor, now: datetime, **payload) -> None:
    """Emit a release event; a failing listener is noted, and never undoes the rollout's step."""
    payload = {"plan": plan.key, "flag": plan.flag.key, "environment": plan.environment.key,
               **payload}
    try:
        with transaction.atomic():
            emit(event, release=plan.release, actor=actor, payload=payload)
    except Exception as error:  # turning a flag off must not depend on a notification
        log.exception("listener of %s failed for rollout %s", event, plan.key)
        _note(plan, Moment.NOTICE, actor, f"Notifying {event} failed: {error}", now)


# -- stage runs --------------------------------------------------------------------------------


def _open_run(plan: RolloutPlan, stage: Stage, now: datetime) -> StageRun:
    attempt = StageRun.objects.filter(plan=plan, stage=stage).count() + 1
    return StageRun.objects.create(plan=plan, stage=stage, attempt=attempt, started_at=now)


def _current_run(plan: RolloutPlan) -> StageRun | None:
    return (StageRun.objects.filter(plan=plan, ended_at__isnull=True)
            .order_by("-started_at", "-id").first())


def _close_run(plan: RolloutPlan, stage: Stage, *, outcome: str, reason: str, actor: Actor,
               now: datetime) -> None:
    run = _current_run(plan)
    if run is None:
        return
    results = checks.criteria_results(plan, stage, now)
    run.results = window_results(plan, run.started_at, now, results, plan.triggers.all())
    run.ended_at, run.outcome, run.reason, run.ended_by = now, outcome, reason, actor.label
    run.save(update_fields=["results", "ended_at", "outcome", "reason", "ended_by"])


def _add_run_note(plan: RolloutPlan, what: str, why: str, actor: Actor, now: datetime) -> None:
    run = _current_run(plan)
    if run is not None:
        run.notes = [*run.notes, {"at": now.isoformat(), "what": what, "why": why,
                                  "by": actor.label}]
        run.save(update_fields=["notes"])


# -- the controls ------------------------------------------------------------------------------


def rollout_start(*, plan: RolloutPlan, actor: Actor, reason: str, step: int | None = None,
                  now: datetime | None = None) -> RolloutPlan:
    """Start a draft plan: its first stage's audience sees the flag, which is switched on."""
    require(actor, MANAGE)
    reason, now = _require_reason(actor, reason), now or timezone.now()
    with transaction.atomic():
        plan = _claim(plan, step)
        _require_status(plan, {S.DRAFT}, "start")
        audience.require_flag_live(plan)
        _refuse_second_plan(plan.flag, plan.environment, exclude=plan)
        foreign = audience.foreign_strategies(plan)
        if foreign:
            names = ", ".join(s.title or s.name for s in foreign)
            raise ValidationFailed({"flag": (
                f"{plan.flag.key} already has strategies in {plan.environment.key} ({names}); "
                "remove them first, so that the rollout alone decides who sees the flag.")})
        stages = _stages(plan)
        before = _summary(plan)
        plan.strategy_ids = audience.audience_apply(plan, stages, 0, actor=actor, reason=reason)
        plan.status, plan.stage_index, plan.status_reason = S.RUNNING, 0, ""
        plan.started_at = plan.stage_started_at = plan.watch_from = now
        plan.healthy_since = None
        plan.full_at = now if stages[0].percentage == 100 else None
        _save(plan, ["strategy_ids", "status", "stage_index", "status_reason", "started_at",
                     "stage_started_at", "watch_from", "healthy_since", "full_at"])
        _open_run(plan, stages[0], now)
        _note(plan, Moment.STARTED, actor, reason, now, stages[0])
        _audit(plan, actor, "start", before, reason)
    return plan


def rollout_advance(*, plan: RolloutPlan, actor: Actor, reason: str, step: int | None = None,
                    now: datetime | None = None) -> RolloutPlan:
    """Move to the next stage now (or complete the plan after its last stage)."""
    require(actor, MANAGE)
    reason, now = _require_reason(actor, reason), now or timezone.now()
    with transaction.atomic():
        plan = _claim(plan, step)
        _require_status(plan, LIVE_STATUSES, "advance")
        stages = _stages(plan)
        if plan.stage_index + 1 >= len(stages):
            _complete(plan, stages, actor, reason, now)
        else:
            _advance(plan, stages, actor, reason, now)
    return plan


def _advance(plan, stages, actor: Actor, reason: str, now: datetime) -> None:
    audience.require_flag_live(plan)
    before, finished = _summary(plan), stages[plan.stage_index]
    _close_run(plan, finished, outcome=Outcome.ADVANCED, reason=reason, actor=actor, now=now)
    plan.stage_index += 1
    stage = stages[plan.stage_index]
    plan.strategy_ids = audience.audience_apply(plan, stages, plan.stage_index, actor=actor,
                                                reason=reason)
    plan.status, plan.status_reason = S.RUNNING, ""
    plan.stage_started_at, plan.healthy_since = now, None
    if stage.percentage == 100 and plan.full_at is None:
        plan.full_at = now
    _save(plan, ["strategy_ids", "status", "status_reason", "stage_index", "stage_started_at",
                 "healthy_since", "full_at"])
    _open_run(plan, stage, now)
    _note(plan, Moment.ADVANCED, actor, reason, now, stage, from_stage=finished.name,
          percentage=stage.percentage)
    _audit(plan, actor, "advance", before, reason)
    _announce("rollout.advanced", plan, actor, now, from_stage=finished.name,
              to_stage=stage.name, percentage=stage.percentage, reason=reason)


def _complete(plan, stages, actor: Actor, reason: str, now: datetime) -> None:
    before, stage = _summary(plan), stages[plan.stage_index]
    _close_run(plan, stage, outcome=Outcome.COMPLETED, reason=reason, actor=actor, now=now)
    plan.status, plan.status_reason, plan.completed_at = S.COMPLETED, "", now
    _save(plan, ["status", "status_reason", "completed_at"])
    for days in checkin_days():
        CheckIn.objects.get_or_create(plan=plan, days=days, defaults={
            "label": checkin_label(days), "due_at": now + timedelta(days=days)})
    _note(plan, Moment.COMPLETED, actor, reason, now, stage, percentage=stage.percentage)
    _audit(plan, actor, "complete", before, reason)
    _announce("rollout.completed", plan, actor, now, stage=stage.name,
              percentage=stage.percentage, reason=reason)


def rollout_rollback(*, plan: RolloutPlan, actor: Actor, reason: str, step: int | None = None,
                     now: datetime | None = None) -> RolloutPlan:
    """Turn the flag off now; the stage's results so far are kept with the reason."""
    require(actor, CONTRIBUTE)
    reason, now = _require_reason(actor, reason), now or timezone.now()
    with transaction.atomic():
        plan = _claim(plan, step)
        _require_status(plan, LIVE_STATUSES | {S.COMPLETED}, "roll back")
        stages = _stages(plan)
        before, stage = _summary(plan), stages[plan.stage_index]
        audience.flag_switch_off(plan, actor=actor, reason=reason)
        _close_run(plan, stage, outcome=Outcome.ROLLED_BACK, reason=reason, actor=actor, now=now)
        plan.status, plan.status_reason, plan.healthy_since = S.ROLLED_BACK, reason, None
        _save(plan, ["status", "status_reason", "healthy_since"])
        _note(plan, Moment.ROLLED_BACK, actor, reason, now, stage)
        _audit(plan, actor, "rollback", before, reason)
        _announce("rollout.rolled_back", plan, actor, now, stage=stage.name,
                  percentage=stage.percentage, reason=reason)
    return plan


def rollout_pause(*, plan: RolloutPlan, actor: Actor, reason: str, step: int | None = None,
                  now: datetime | None = None) -> RolloutPlan:
    """Stop advancing; the flag keeps serving the current audience and triggers stay armed."""
    require(actor, CONTRIBUTE)
    reason, now = _require_reason(actor, reason), now or timezone.now()
    with transaction.atomic():
        plan = _claim(plan, step)
        _require_status(plan, {S.RUNNING, S.AWAITING_APPROVAL, S.HELD}, "pause")
        before, stage = _summary(plan), _stages(plan)[plan.stage_index]
        plan.status, plan.status_reason, plan.healthy_since = S.PAUSED, reason, None
        _save(plan, ["status", "status_reason", "healthy_since"])
        _add_run_note(plan, "paused", reason, actor, now)
        _note(plan, Moment.PAUSED, actor, reason, now, stage)
        _audit(plan, actor, "pause", before, reason)
    return plan


def rollout_resume(*, plan: RolloutPlan, actor: Actor, reason: str, step: int | None = None,
                   now: datetime | None = None) -> RolloutPlan:
    """Carry on from a pause or a hold; after a rollback, switch the stage's audience back on."""
    require(actor, MANAGE)
    reason, now = _require_reason(actor, reason), now or timezone.now()
    with transaction.atomic():
        plan = _claim(plan, step)
        _require_status(plan, {S.PAUSED, S.HELD, S.ROLLED_BACK}, "resume")
        stages = _stages(plan)
        before, stage = _summary(plan), stages[plan.stage_index]
        if plan.status == S.ROLLED_BACK:
            audience.require_flag_live(plan)
            _refuse_second_plan(plan.flag, plan.environment, exclude=plan)
            plan.strategy_ids = audience.audience_apply(plan, stages, plan.stage_index,
                                                        actor=actor, reason=reason)
            plan.stage_started_at = now
            _open_run(plan, stage, now)
        else:
            _add_run_note(plan, "resumed", reason, actor, now)
        plan.status, plan.status_reason = S.RUNNING, ""
        plan.healthy_since, plan.watch_from = None, now
        _save(plan, ["strategy_ids", "status", "status_reason", "stage_started_at",
                     "healthy_since", "watch_from"])
        _note(plan, Moment.RESUMED, actor, reason, now, stage)
        _audit(plan, actor, "resume", before, reason)
    return plan


def _hold(plan: RolloutPlan, step: int, reason: str, now: datetime) -> RolloutPlan:
    actor = Actor.worker()
    with transaction.atomic():
        plan = _claim(plan, step)
        _require_status(plan, {S.RUNNING, S.AWAITING_APPROVAL}, "hold")
        before, stage = _summary(plan), _stages(plan)[plan.stage_index]
        plan.status, plan.status_reason, plan.healthy_since = S.HELD, reason, None
        _save(plan, ["status", "status_reason", "healthy_since"])
        _add_run_note(plan, "held", reason, actor, now)
        _note(plan, Moment.HELD, actor, reason, now, stage)
        _audit(plan, actor, "hold", before, reason)
        _announce("rollout.held", plan, actor, now, stage=stage.name, reason=reason)
    return plan


def _ask_approval(plan: RolloutPlan, step: int, reason: str, now: datetime) -> RolloutPlan:
    actor = Actor.worker()
    with transaction.atomic():
        plan = _claim(plan, step)
        _require_status(plan, {S.RUNNING}, "ask for approval on")
        stages = _stages(plan)
        before, stage = _summary(plan), stages[plan.stage_index]
        following = stages[plan.stage_index + 1] if plan.stage_index + 1 < len(stages) else None
        plan.status, plan.status_reason = S.AWAITING_APPROVAL, reason
        _save(plan, ["status", "status_reason"])
        _note(plan, Moment.APPROVAL_REQUESTED, actor, reason, now, stage,
              next_stage=following.name if following else None)
        _audit(plan, actor, "approval_request", before, reason)
        _announce("rollout.approval_requested", plan, actor, now, stage=stage.name,
                  next_stage=following.name if following else None, reason=reason)
    return plan


# -- the worker ------------------------------------------------------------------------------


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
    stages, triggers = _stages(plan), list(plan.triggers.all())
    stage = stages[plan.stage_index]
    fired = checks.trigger_results(plan, triggers, now)
    measured = checks.criteria_results(plan, stage, now)
    readings_record(plan, measured + fired, now)
    try:
        return _decide(plan, stages, stage, [r for r in fired if r.met], measured, now)
    except (Conflict, TransitionNotAllowed):
        return "skipped"  # someone else acted on this state first


def _decide(plan, stages, stage, fired, measured, now: datetime) -> str:
    for result in fired:
        reason = f"Trigger fired: {checks.label(result.check)}; measured {_value(result)}."
        if result.check.action == TriggerAction.ROLLBACK:
            rollout_rollback(plan=plan, actor=Actor.worker(), reason=reason, step=plan.step,
                             now=now)
            return "rolled back"
    if fired and plan.status in (S.RUNNING, S.AWAITING_APPROVAL):
        reason = f"Trigger fired: {checks.label(fired[0].check)}; measured {_value(fired[0])}."
        _hold(plan, plan.step, reason, now)
        return "held"
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
        _ask_approval(plan, plan.step, reason, now)
        return "awaiting approval"
    rollout_advance(plan=plan, actor=Actor.worker(), reason=reason, step=plan.step, now=now)
    return "completed" if following is None else "advanced"


def _value(result) -> str:
    unit = checks.measure_of(result.check).unit
    sample = f" over {result.reading.sample} samples" if result.reading.sample else ""
    return f"{result.value:.4g}{unit}{sample}"


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
    parts = "; ".join(f"{checks.label(r.check)}: {_value(r)}" for r in measured)
    return f"Criteria held for {_span(held_for)}: {parts}."


def _healthy_since_set(plan: RolloutPlan, moment: datetime | None) -> None:
    if plan.healthy_since != moment:
        # Only on the state that was measured: a newer step has its own clock.
        RolloutPlan.objects.filter(pk=plan.pk, step=plan.step).update(healthy_since=moment)


def rollouts_check(*, now: datetime | None = None) -> dict[str, str]:
    """Evaluate every live plan once; one plan's failure does not stop the others."""
    done = {}
    for plan in RolloutPlan.objects.filter(status__in=LIVE_STATUSES).order_by("pk"):
        try:
            done[plan.key] = rollout_evaluate(plan=plan, now=now)
        except Exception:
            log.exception("checking rollout %s failed", plan.key)
            done[plan.key] = "failed"
    return done


# -- after launch ----------------------------------------------------------------------------


def checkin_days() -> list[int]:
    """The post-launch check-ins, in days after completion (TMINUS_ROLLOUT_CHECKIN_DAYS)."""
    return sorted({int(day) for day in settings.ROLLOUT_CHECKIN_DAYS})


def checkin_label(days: int) -> str:
    """'1-week results', '1-month results', '10-day results'."""
    if days % 30 == 0:
        return f"{days // 30}-month results"
    if days % 7 == 0:
        return f"{days // 7}-week results"
    return f"{days}-day results"


def rollout_checkins_take(*, now: datetime | None = None) -> int:
    """Take every check-in that is due: the plan's numbers since it completed."""
    now = now or timezone.now()
    taken = 0
    for checkin in CheckIn.objects.filter(taken_at__isnull=True, due_at__lte=now):
        with transaction.atomic():
            if not CheckIn.objects.filter(pk=checkin.pk, taken_at__isnull=True).update(
                    taken_at=now):
                continue  # another worker took it
            _checkin_fill(checkin, now)
            taken += 1
    return taken


def _checkin_fill(checkin: CheckIn, now: datetime) -> None:
    plan = (RolloutPlan.objects.select_related("flag", "environment", "release")
            .get(pk=checkin.plan_id))
    start, end = plan.completed_at or plan.started_at or checkin.due_at, checkin.due_at
    triggers = list(plan.triggers.all())
    watched = _distinct_checks([c for s in _stages(plan) for c in s.criteria.all()] + triggers)
    results = [checks.evaluate(plan, check, start, end) for check in watched]
    checkin.results = window_results(plan, start, end, results, triggers)
    checkin.save(update_fields=["results"])
    actor = Actor.worker()
    _note(plan, Moment.CHECKIN, actor, checkin.label, now, days=checkin.days)
    audit_record(actor=actor, action="rollout.checkin", obj=plan, release_id=plan.release_id,
                 after={"checkin": checkin.label, "results": checkin.results})


def _distinct_checks(all_checks) -> list:
    seen, distinct = set(), []
    for check in all_checks:
        key = checks.measure_of(check).describe()
        if key not in seen:
            seen.add(key)
            distinct.append(check)
    return distinct


def rollout_cleanups_create(*, now: datetime | None = None) -> int:
    """Give every flag at 100% for long enough a clean-up task on its release's checklist."""
    now = now or timezone.now()
    due = now - timedelta(days=settings.ROLLOUT_CLEANUP_AFTER_DAYS)
    created = 0
    for plan in RolloutPlan.objects.filter(status=S.COMPLETED, cleanup_requested_at__isnull=True,
                                           full_at__lte=due).select_related(
            "flag__owner", "environment", "release__owner", "owner"):
        with transaction.atomic():
            if not RolloutPlan.objects.filter(pk=plan.pk, cleanup_requested_at__isnull=True
                                              ).update(cleanup_requested_at=now):
                continue
            _cleanup_task(plan, now)
            created += 1
    return created


def _cleanup_task(plan: RolloutPlan, now: datetime) -> None:
    from tminus.releases import services as releases

    actor = Actor.worker()
    owner = plan.flag.owner or plan.owner or plan.release.owner
    due = timezone.localdate(now) + timedelta(days=settings.ROLLOUT_CLEANUP_DUE_DAYS)
    section = releases.checklist_section_add(
        release=plan.release, title=f"Feature flag clean-up: {plan.flag.key}",
        group="After launch", due_date=due, owner=owner, actor=actor)
    for text in (f"Remove the toggle {plan.flag.key} from the code",
                 f"Archive the flag {plan.flag.key} in T-Minus"):
        releases.checklist_item_add(section=section, text=text, owner=owner, due_date=due,
                                    actor=actor)
    RolloutPlan.objects.filter(pk=plan.pk).update(cleanup_section_id=section.pk)
    reason = (f"{plan.flag.key} has served 100% of users since {plan.full_at:%Y-%m-%d}; "
              f"clean-up due {due:%Y-%m-%d}.")
    _note(plan, Moment.CLEANUP, actor, reason, now, section=section.pk,
          owner=owner.username if owner else None)
    audit_record(actor=actor, action="rollout.cleanup", obj=plan, release_id=plan.release_id,
                 after={"section": section.title, "due_date": due,
                        "owner": owner.username if owner else None}, reason=reason)
