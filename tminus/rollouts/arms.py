"""Which arm of a rollout an event belongs to: treatment (served the flag) or control.

The arm is a pure function of the user's context and the flag's audience at the event's time,
computed with the engine the SDKs use (tminus_client). The audience at any moment is known from
the plan's stage runs: while a run is open the flag serves that stage's audience (the plan
manages the flag's strategies alone), between runs (rolled back) it serves nobody. So the
history needed is already kept; an event is placed by its own time, not by when it arrived.

Stickiness is the default one (userId, then sessionId): an event without either has no arm,
because the SDK would have drawn it at random.
"""

from bisect import bisect_right
from datetime import datetime

from tminus_client.engine import FlagEngine

from tminus.flags.models import Segment
from tminus.rollouts.audience import wanted_parts
from tminus.rollouts.choices import RolloutStatus
from tminus.rollouts.models import RolloutPlan, StageRun

TREATMENT, CONTROL = "treatment", "control"


class ArmBook:
    """The arms of a batch of events, loading each plan's runs and engines once."""

    def __init__(self, flags: set[str], environments: set[str]):
        plans = (RolloutPlan.objects.filter(flag__key__in=flags, environment__key__in=environments)
                 .exclude(status=RolloutStatus.DRAFT).select_related("flag", "environment")
                 .prefetch_related("stages"))
        runs: dict[int, list[StageRun]] = {}
        for run in StageRun.objects.filter(plan__in=plans).order_by("started_at", "id"):
            runs.setdefault(run.plan_id, []).append(run)
        self._runs: dict[tuple[str, str], list[tuple[list, object]]] = {}
        segment_ids = set()
        for plan in plans:
            stages = list(plan.stages.all())
            index_of = {stage.pk: i for i, stage in enumerate(stages)}
            for stage in stages:
                segment_ids.update(stage.segment_ids)
            plan_runs = runs.get(plan.pk, [])
            self._runs.setdefault((plan.flag.key, plan.environment.key), []).extend(
                (plan, stages, index_of[run.stage_id], run) for run in plan_runs)
        for entries in self._runs.values():
            entries.sort(key=lambda entry: entry[3].started_at)
        self._segments = [{"id": pk, "constraints": constraints} for pk, constraints in
                          Segment.objects.filter(pk__in=segment_ids)
                          .values_list("pk", "constraints")]
        self._engines: dict[tuple[int, int], FlagEngine] = {}

    def arm(self, flag: str, environment: str, at: datetime, context: dict | None) -> str:
        """TREATMENT, CONTROL, or "" when the event cannot be placed."""
        if not isinstance(context, dict) or not (context.get("userId")
                                                 or context.get("sessionId")):
            return ""
        entries = self._runs.get((flag, environment))
        if not entries:
            return ""
        position = bisect_right([entry[3].started_at for entry in entries], at) - 1
        if position < 0:
            return ""  # before the plan started: no arms yet
        plan, stages, stage_index, run = entries[position]
        if run.ended_at is not None and at >= run.ended_at:
            # After a rollback the flag served nobody; after completion, everyone.
            return TREATMENT if run.outcome == "completed" else CONTROL
        engine = self._engine(plan, stages, stage_index)
        return TREATMENT if engine.is_enabled(flag, _plain_context(context)) else CONTROL

    def _engine(self, plan, stages, stage_index: int) -> FlagEngine:
        key = (plan.pk, stage_index)
        engine = self._engines.get(key)
        if engine is None:
            engine = self._engines[key] = FlagEngine(
                {"version": 2, "features": [audience_feature(plan, stages, stage_index)],
                 "segments": self._segments})
        return engine


def audience_feature(plan, stages, stage_index: int) -> dict:
    """The flag as the plan serves it at a stage, in the client API's shape."""
    strategies = []
    for name, parameters, segments in wanted_parts(stages, stage_index).values():
        if name == "flexibleRollout":
            parameters = {**parameters, "groupId": plan.flag.key}
        strategies.append({"name": name, "parameters": parameters, "segments": segments,
                           "constraints": []})
    return {"name": plan.flag.key, "enabled": True, "strategies": strategies, "variants": []}


def _plain_context(context: dict) -> dict:
    found = {key: str(value) for key, value in context.items()
             if key in ("userId", "sessionId", "remoteAddress", "appName", "environment")
             and value is not None}
    properties = context.get("properties")
    if isinstance(properties, dict):
        found["properties"] = {str(k): str(v) for k, v in properties.items()}
    return found


def arms_assign(events: list[tuple[str, str, datetime, dict | None]]) -> list[str]:
    """The arm of each (flag, environment, time, context)."""
    if not events:
        return []
    book = ArmBook({e[0] for e in events}, {e[1] for e in events})
    return [book.arm(*event) for event in events]
