"""Fixtures for rollouts: seed 004's flag and metrics, a release, traffic helpers."""

import copy
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from django.utils import timezone

from tests.factories import make_release
from tests.support.prometheus import prometheus  # noqa: F401  (a fixture)
from tminus.core.actors import Actor
from tminus.core.events import on
from tminus.flags import services as flags
from tminus.flags.metrics import metrics_record
from tminus.flags.tokens import token_scope
from tminus.metrics import services as metrics
from tminus.rollouts import services

SYSTEM = Actor.cli()
FLAG = "1095-b-download"
UAT_USERS = ["mike.king", "octo.vet.1", "octo.vet.2"]
CLICKS = {"metric": "download_click", "aggregation": "count", "comparator": ">=",
          "threshold": 50}
ERROR_RATE = {"metric": "download_error", "aggregation": "ratio", "of": "download_click",
              "comparator": "<", "threshold": 2, "min_sample": 100}
ERROR_TRIGGER = {"metric": "download_error", "aggregation": "ratio", "of": "download_click",
                 "comparator": ">", "threshold": 2, "window_minutes": 5, "min_sample": 200,
                 "sample_metric": "exposures", "action": "rollback"}


@pytest.fixture(autouse=True)
def fresh_flag_caches():
    from tminus.flags import client_state, evaluation, tokens

    for forget in (tokens.forget_tokens, tokens.forget_revisions, client_state.clear_caches,
                   evaluation.clear_engines):
        forget()


@pytest.fixture
def release(db):
    return make_release(name="1095-B MVP", key="va-1095b")


@pytest.fixture
def flag(db, release):
    project = flags.project_create(key="va", name="VA.gov", actor=SYSTEM)
    flag = flags.flag_create(project=project, key=FLAG, release=release, actor=SYSTEM)
    for key in ("download_click", "download_error"):
        metrics.metric_declare(key=key, actor=SYSTEM)
    return flag


@pytest.fixture
def sdk_secret(flag):
    _token, secret = flags.client_token_create(name="va.gov", environment="production",
                                               projects=["va"], actor=SYSTEM)
    return secret


def seed_definition(**overrides) -> dict:
    """Seed 004: UAT for three named users, then 10%, 50% and 100%."""
    definition = {
        "name": "1095-B download rollout",
        "stages": [
            {"name": "UAT", "users": UAT_USERS, "approval": True},
            {"name": "Stage A: Canary", "percentage": 10, "min_duration": "1h",
             "criteria": [dict(CLICKS), dict(ERROR_RATE)]},
            {"name": "Stage B: 50% of users", "percentage": 50, "min_duration": "1h",
             "criteria": [dict(CLICKS), dict(ERROR_RATE)]},
            {"name": "Stage C: 100% of users", "percentage": 100, "min_duration": "1h",
             "criteria": [dict(CLICKS), dict(ERROR_RATE)]},
        ],
        "triggers": [dict(ERROR_TRIGGER)],
    }
    definition.update(overrides)
    return copy.deepcopy(definition)


@pytest.fixture
def plan(flag, release):
    return services.rollout_plan_create(release=release, flag=flag, environment="production",
                                        definition_data=seed_definition(), actor=SYSTEM)


class Traffic:
    """Events and SDK exposure counts at chosen moments, as services and SDKs would send them."""

    def __init__(self, secret: str | None = None):
        self.ids = count()
        self.scope = token_scope(secret) if secret else None

    def events(self, at: datetime, *, clicks: int = 0, errors: int = 0, users=None,
               flag: str = FLAG) -> int:
        users = users or [f"user-{n}" for n in range(max(clicks, 1))]
        batch = []
        for n in range(clicks):
            batch.append(self._event("download_click", at, users[n % len(users)], flag))
        for n in range(errors):
            batch.append(self._event("download_error", at, users[n % len(users)], flag))
        result = metrics.events_record(events=batch, environment="production")
        assert not result.rejected, result.rejected
        return result.accepted

    def _event(self, name: str, at: datetime, user: str, flag: str) -> dict:
        return {"id": f"ev-{next(self.ids)}", "name": name, "time": at.isoformat(),
                "flag": flag, "context": {"userId": user}}

    def exposures(self, at: datetime, *, yes: int, no: int = 0, flag: str = FLAG) -> None:
        metrics_record(scope=self.scope, body={
            "appName": "va.gov", "instanceId": f"i-{next(self.ids)}",
            "bucket": {"start": at.isoformat(), "stop": (at + timedelta(minutes=1)).isoformat(),
                       "toggles": {flag: {"yes": yes, "no": no}}}})


@pytest.fixture
def traffic(sdk_secret):
    return Traffic(sdk_secret)


def minutes_ago(minutes: float) -> datetime:
    return timezone.now().astimezone(UTC) - timedelta(minutes=minutes)


class EventLog(list):
    """The rollout events emitted, as (event, payload)."""


@pytest.fixture
def emitted():
    log = EventLog()

    @on("*")
    def remember(*, event, release, payload, actor):
        if event.startswith("rollout."):
            log.append((event, payload))

    yield log
    from tminus.core import events

    events._listeners["*"].remove(remember)
