"""Checking a batch of events, one event at a time, so one bad event never spoils the batch.

Every accepted event passes through here, so the common case (a well-formed event) takes the
shortest path: exact type checks first, the slower explanations only for an event that fails.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

MAX_ID_LENGTH = 100
MAX_TEXT_LENGTH = 255


class CleanEvent(NamedTuple):
    event_id: str
    metric_key: str
    occurred_at: datetime  # in UTC
    value: float
    environment: str
    flag_key: str
    variant: str
    user_key: str
    arm: str  # "treatment", "control", or "" (unknown)


@dataclass(frozen=True)
class Limits:
    now: datetime
    oldest: datetime
    newest: datetime
    metrics: frozenset[str]
    flags: frozenset[str]
    foreign_flags: frozenset[str]  # flags outside the token's projects
    environments: frozenset[str]
    environment: str | None  # the token's environment, when the token names one


def limits_for(now: datetime, max_age: timedelta, **known) -> Limits:
    # Clocks drift: a few minutes in the future is a skewed clock, more is a bad timestamp.
    return Limits(now=now, oldest=now - max_age, newest=now + timedelta(minutes=5), **known)


def clean_event(raw, limits: Limits) -> CleanEvent:
    """The event made safe to store, or ValueError saying what is wrong with it."""
    if type(raw) is not dict:
        raise ValueError("an event must be a JSON object")
    get = raw.get
    event_id = _text(get("id"), "id", MAX_ID_LENGTH, required=True)
    metric = _text(get("name"), "name", 100, required=True)
    if metric not in limits.metrics:
        raise ValueError(f"unknown metric {metric!r}; declare it first")
    occurred_at = _time(get("time"), limits)
    flag = _text(get("flag"), "flag", MAX_TEXT_LENGTH)
    if flag and flag not in limits.flags:
        if flag in limits.foreign_flags:
            raise ValueError(f"flag {flag!r} is not in this token's projects")
        raise ValueError(f"unknown flag {flag!r}")
    value = get("value", 1)
    if type(value) is not float or not math.isfinite(value):
        value = _value(value)
    return CleanEvent(event_id, metric, occurred_at, value, _environment(raw, limits), flag,
                      _text(get("variant"), "variant", MAX_TEXT_LENGTH), _user(get("context")),
                      _arm(get("arm"), flag))


def _text(value, field: str, limit: int, *, required=False) -> str:
    if type(value) is str and 0 < len(value) <= limit:
        return value
    if value is None or value == "":
        if required:
            raise ValueError(f"{field} is required")
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{field} must be a string")
    raise ValueError(f"{field} is longer than {limit} characters")


def _time(value, limits: Limits) -> datetime:
    if not isinstance(value, str):
        raise ValueError("time is required, as an ISO 8601 timestamp with a time zone")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"time {value!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        raise ValueError(f"time {value!r} has no time zone")
    if moment > limits.newest:
        raise ValueError(f"time {value} is in the future")
    if moment < limits.oldest:
        raise ValueError(f"time {value} is older than events are accepted")
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def _value(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("value must be a number")
    if not math.isfinite(value):
        raise ValueError("value must be a finite number")
    return float(value)


def _environment(raw: dict, limits: Limits) -> str:
    named = raw.get("environment")
    if limits.environment:
        if named is not None and named != "" and named != limits.environment:
            raise ValueError(f"this token may only send events for {limits.environment!r}")
        return limits.environment
    environment = _text(named, "environment", 100, required=True)
    if limits.environments and environment not in limits.environments:
        raise ValueError(f"unknown environment {environment!r}")
    return environment


ARMS = {"treatment": "treatment", "control": "control", "on": "treatment", "off": "control"}


def _arm(value, flag: str) -> str:
    """The arm an SDK says it served (treatment or control; on and off are accepted too)."""
    if value is None or value == "":
        return ""
    if value not in ARMS:
        raise ValueError(f"arm {value!r} is not treatment or control")
    if not flag:
        raise ValueError("an event with an arm must name its flag")
    return ARMS[value]


def _user(context) -> str:
    if context is None:
        return ""
    if type(context) is not dict:
        raise ValueError("context must be a JSON object")
    user = context.get("userId") or context.get("sessionId") or ""
    if type(user) is not str:
        user = str(user)
    return user[:MAX_TEXT_LENGTH]
