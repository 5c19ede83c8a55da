"""Placing events in rollout arms, by whichever area knows the arms (the rollouts area).

Metrics stay unaware of rollouts: the rollouts area registers the function that tells an
event's arm from its flag, environment, time and context.
"""

from collections.abc import Callable
from datetime import datetime

ArmAssigner = Callable[[list[tuple[str, str, datetime, dict | None]]], list[str]]
_assigners: list[ArmAssigner] = []


def register_arm_assigner(assign: ArmAssigner) -> None:
    if assign not in _assigners:
        _assigners.append(assign)


def arms_of(events: list[tuple[str, str, datetime, dict | None]]) -> list[str]:
    """Each event's arm ("" when unknown); every event unknown when nobody registered."""
    arms = [""] * len(events)
    for assign in _assigners:
        for index, arm in enumerate(assign(events)):
            arms[index] = arms[index] or arm
    return arms
