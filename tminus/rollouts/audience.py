"""Who sees the flag at a stage, written into the flag's strategies through the flags services.

Audiences add up: the UAT users stay in when the canary starts, a ring's segment stays in when
the next ring joins. The plan manages its own strategies (their ids are kept on the plan):

- named users: one `userWithId` strategy;
- each segment: one `default` strategy limited to that segment (segments on one strategy must
  all match, so a union of rings needs one strategy per ring);
- a percentage: one `flexibleRollout` sticky on the default stickiness, grouped by the flag's
  name, so a user inside at 10% stays inside at 50%.

Every change goes through tminus.flags.services, which audits it and records a revision, so
streaming SDKs get it as soon as the surrounding transaction commits.
"""

from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.flags import services as flags
from tminus.flags.models import Strategy

USERS, PERCENTAGE = "users", "percentage"


def managed_strategies(plan) -> dict[str, Strategy]:
    """The plan's strategies that still exist, by their part (users, percentage, segment:7)."""
    ids = {part: pk for part, pk in (plan.strategy_ids or {}).items()}
    found = {s.pk: s for s in Strategy.objects.filter(pk__in=ids.values())
             .select_related("state__flag", "state__environment")}
    return {part: found[pk] for part, pk in ids.items() if pk in found}


def foreign_strategies(plan) -> list[Strategy]:
    """Strategies on the flag in the plan's environment that the plan does not manage."""
    own = set((plan.strategy_ids or {}).values())
    return [s for s in Strategy.objects.filter(state__flag=plan.flag,
                                               state__environment=plan.environment)
            if s.pk not in own]


def wanted_parts(stages, stage_index: int) -> dict[str, tuple[str, dict, list]]:
    """part -> (strategy name, parameters, segments) for everyone a stage lets in."""
    reached = stages[:stage_index + 1]
    users = list(dict.fromkeys(u for stage in reached for u in stage.user_ids))
    segments = list(dict.fromkeys(s for stage in reached for s in stage.segment_ids))
    percentages = [stage.percentage for stage in reached if stage.percentage is not None]
    parts: dict[str, tuple[str, dict, list]] = {}
    if users:
        parts[USERS] = ("userWithId", {"userIds": ",".join(users)}, [])
    for segment in segments:
        parts[f"segment:{segment}"] = ("default", {}, [segment])
    if percentages:
        parts[PERCENTAGE] = ("flexibleRollout", {"rollout": str(percentages[-1]),
                                                 "stickiness": "default", "groupId": ""}, [])
    return parts


def audience_apply(plan, stages, stage_index: int, *, actor: Actor, reason: str) -> dict:
    """Make the flag serve the stage's audience and be on; returns the new strategy ids."""
    current = managed_strategies(plan)
    ids = {}
    for part, (name, parameters, segments) in wanted_parts(stages, stage_index).items():
        if name == "flexibleRollout":
            parameters = {**parameters, "groupId": plan.flag.key}
        strategy = current.pop(part, None)
        title = f"Rollout {plan.key}: {_title(part)}"
        if strategy is None:
            strategy = flags.strategy_create(
                flag=plan.flag, environment=plan.environment, name=name, title=title,
                parameters=parameters, segments=segments, actor=actor, reason=reason)
        elif strategy.parameters != parameters or strategy.segments != segments:
            strategy = flags.strategy_update(
                strategy=strategy, changes={"parameters": parameters, "segments": segments},
                actor=actor, reason=reason)
        ids[part] = strategy.pk
    for leftover in current.values():
        flags.strategy_delete(strategy=leftover, actor=actor, reason=reason)
    flags.flag_environment_toggle(flag=plan.flag, environment=plan.environment, enabled=True,
                                  actor=actor, reason=reason)
    return ids


def _title(part: str) -> str:
    if part == USERS:
        return "named users"
    if part == PERCENTAGE:
        return "percentage"
    return "segment"


def flag_switch_off(plan, *, actor: Actor, reason: str) -> None:
    """Turn the flag off in the plan's environment (its strategies stay for a resume)."""
    if plan.flag.archived_at is not None:
        return  # an archived flag is served to no SDK: it is off already
    flags.flag_environment_toggle(flag=plan.flag, environment=plan.environment, enabled=False,
                                  actor=actor, reason=reason)


def require_flag_live(plan) -> None:
    if plan.flag.archived_at is not None:
        raise ValidationFailed({"flag": f"{plan.flag.key} is archived; revive it first."})
