"""Reads of rollout plans. Lists run a fixed number of queries whatever their length."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from tminus.core.errors import NotFound
from tminus.rollouts.choices import LIVE_STATUSES
from tminus.rollouts.models import (
    CheckIn,
    Criterion,
    Reading,
    RolloutPlan,
    Stage,
    StageRun,
    TimelineEntry,
    Trigger,
)

CHART_POINTS = 240  # minutes of history per chart: four hours at one reading a minute


def plans(*, release=None, status: str = "", flag: str = "") -> QuerySet[RolloutPlan]:
    """Plans with their release, flag, environment, owner and stages (two queries)."""
    found = (RolloutPlan.objects.select_related("release", "flag", "environment", "owner")
             .prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("order"))))
    if release is not None:
        found = found.filter(release=release)
    if status == "live":
        found = found.filter(status__in=LIVE_STATUSES)
    elif status:
        found = found.filter(status=status)
    if flag:
        found = found.filter(flag__key=flag)
    return found


def plan_get(key: str) -> RolloutPlan:
    plan = (RolloutPlan.objects.select_related("release__product", "flag__project",
                                               "environment", "owner")
            .filter(key=key).first())
    if plan is None:
        raise NotFound(f"No rollout plan {key!r}.")
    return plan


def current_stage(plan: RolloutPlan) -> Stage | None:
    """From a plan loaded with `plans()` (its stages prefetched)."""
    stages = list(plan.stages.all())
    return stages[plan.stage_index] if plan.stage_index < len(stages) else None


@dataclass
class CheckView:
    check: object
    kind: str  # "criterion" or "trigger"
    latest: Reading | None = None
    history: list[Reading] = field(default_factory=list)


@dataclass
class PlanView:
    plan: RolloutPlan
    stages: list[Stage]
    runs: list[StageRun]
    criteria: list[CheckView]  # the current stage's
    triggers: list[CheckView]
    timeline: list[TimelineEntry]
    checkins: list[CheckIn]

    @property
    def stage(self) -> Stage | None:
        return self.stages[self.plan.stage_index] if self.stages else None

    def runs_of(self, stage: Stage) -> list[StageRun]:
        return [run for run in self.runs if run.stage_id == stage.pk]


def plan_view(plan: RolloutPlan, *, timeline_limit: int = 50) -> PlanView:
    """Everything the live page and the API show of a plan, in a fixed number of queries."""
    stages = list(plan.stages.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("order", "id"))))
    stage = stages[plan.stage_index] if stages else None
    triggers = list(plan.triggers.all())
    criteria = list(stage.criteria.all()) if stage else []
    readings = _recent_readings(plan, criteria, triggers)
    return PlanView(
        plan=plan, stages=stages,
        runs=list(StageRun.objects.filter(plan=plan).select_related("stage")),
        criteria=[_check_view(c, "criterion", readings) for c in criteria],
        triggers=[_check_view(t, "trigger", readings) for t in triggers],
        timeline=list(TimelineEntry.objects.filter(plan=plan)[:timeline_limit]),
        checkins=list(CheckIn.objects.filter(plan=plan)),
    )


def _recent_readings(plan, criteria: list[Criterion], triggers: list[Trigger]) -> dict:
    """The last CHART_POINTS readings of each check, oldest first, by (kind, id)."""
    found: dict[tuple[str, int], list[Reading]] = {}
    if not criteria and not triggers:
        return found
    since = plan.stage_started_at
    rows = Reading.objects.filter(plan=plan).order_by("-minute")
    if since is not None:
        rows = rows.filter(minute__gte=since.replace(second=0, microsecond=0))
    ids = {c.pk for c in criteria}
    for reading in rows[:CHART_POINTS * (len(criteria) + len(triggers))]:
        if reading.criterion_id in ids:
            found.setdefault(("criterion", reading.criterion_id), []).append(reading)
        elif reading.trigger_id is not None:
            found.setdefault(("trigger", reading.trigger_id), []).append(reading)
    return {key: list(reversed(values[:CHART_POINTS])) for key, values in found.items()}


def _check_view(check, kind: str, readings: dict) -> CheckView:
    history = readings.get((kind, check.pk), [])
    return CheckView(check=check, kind=kind, latest=history[-1] if history else None,
                     history=history)


def sample_ratio_now(view: PlanView):
    """The current stage's split of exposures against its percentage, while the plan is live
    (None where there is nothing to check)."""
    from django.utils import timezone

    from tminus.rollouts.checks import sample_ratio

    if view.plan.status not in LIVE_STATUSES or view.stage is None:
        return None
    return sample_ratio(view.plan, view.stage, timezone.now())


def plans_for_release(release) -> list[RolloutPlan]:
    return list(plans(release=release).order_by("created_at"))
