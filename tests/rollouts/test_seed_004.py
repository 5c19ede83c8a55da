"""Seed 004 played end to end: the 1095-B download flag goes to three named users (UAT), then to
10%, 50% and 100% of users, guarded by download clicks and the percentage of download errors.

Synthetic veterans use the flag through the SDK (answering from the state the client API serves),
click and sometimes fail to download; the clicks and errors go to POST /api/v1/events and the
SDK's yes/no counts to POST /api/client/metrics, with the token an application would use. The
worker's check runs every simulated ten minutes on a controllable clock, so two days of rollout
take seconds. In one run errors spike at 10% and the flag goes off by itself; in the other the
rollout reaches 100% and the exported plan shows every stage's results, measured from the data.
"""

import json
from datetime import timedelta
from importlib import resources
from itertools import count

import pytest
from django.test import Client

from tests.rollouts.conftest import FLAG, SYSTEM, UAT_USERS, minutes_ago
from tests.rollouts.helpers import enabled_share, sdk_from_server
from tminus.flags import services as flags
from tminus.flags.models import FlagEnvironment
from tminus.plans import services as plans
from tminus.plans.exporting import export_markdown
from tminus.releases import services as releases
from tminus.releases.models import Release
from tminus.rollouts import services
from tminus.rollouts.models import StageRun

pytestmark = pytest.mark.django_db
VETERANS = [f"veteran-{n}" for n in range(4000)]
STEP = timedelta(minutes=10)
PER_STEP = 3000  # evaluations of the flag per simulated step


@pytest.fixture
def release(db):
    """The 1095-B MVP release, imported from seed 004 as a team would import its document."""
    seed = resources.files("tminus.plans.demo_plans").joinpath("004_37fc7c49506fec05.txt")
    releases.product_create(key="va-health", name="VA.gov Health Records", actor=SYSTEM)
    plans.plan_import(data=seed.read_bytes(), source_name="1095-B MVP Release Plan.md",
                      product_key="va-health", release_key="va-1095b", actor=SYSTEM)
    return Release.objects.get(key="va-1095b")


class Seed004:
    """Veterans, the SDK and the worker, one simulated step at a time."""

    def __init__(self, plan, secret: str, start):
        self.plan, self.secret, self.now = plan, secret, start
        self.app = Client(HTTP_AUTHORIZATION=secret)
        _token, ingest = flags.client_token_create(name="va.gov events", environment="production",
                                                   projects=["va"], kind="ingest", actor=SYSTEM)
        self.events_app = Client(HTTP_AUTHORIZATION=ingest)
        self.ids, self.turn = count(), 0
        self.sdk, self.step_seen = None, None
        self.worker_said: list[str] = []

    def _fresh_sdk(self):
        self.plan.refresh_from_db()
        if self.sdk is None or self.plan.step != self.step_seen:
            self.sdk, self.step_seen = sdk_from_server(self.secret), self.plan.step
        return self.sdk

    def step(self, *, error_every: int) -> str:
        """Ten minutes of traffic, then one worker check; returns what the worker did."""
        self.now += STEP
        sdk = self._fresh_sdk()
        start = self.turn * PER_STEP
        sample = [*UAT_USERS, *(VETERANS[(start + i) % len(VETERANS)] for i in range(PER_STEP))]
        self.turn += 1
        shown = [user for user in sample if sdk.is_enabled(FLAG, {"userId": user})]
        self._exposures(yes=len(shown), no=len(sample) - len(shown))
        self._events(shown, error_every)
        said = services.rollouts_check(now=self.now + timedelta(seconds=30))
        self.worker_said.append(said.get(self.plan.key, "idle"))
        return self.worker_said[-1]

    def _exposures(self, *, yes: int, no: int) -> None:
        body = {"appName": "va.gov", "instanceId": "web-1",
                "bucket": {"start": self.now.isoformat(),
                           "stop": (self.now + timedelta(minutes=1)).isoformat(),
                           "toggles": {FLAG: {"yes": yes, "no": no}}}}
        response = self.app.post("/api/client/metrics", json.dumps(body),
                                 content_type="application/json")
        assert response.status_code == 202, response.content

    def _events(self, users: list[str], error_every: int) -> None:
        events = []
        for n, user in enumerate(users):
            events.append(self._event("download_click", user))
            if n % error_every == error_every - 1:
                events.append(self._event("download_error", user))
        if not events:
            return
        response = self.events_app.post("/api/v1/events", json.dumps({"events": events}),
                                 content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["accepted"] == len(events), response.json()

    def _event(self, name: str, user: str) -> dict:
        return {"id": f"seed004-{next(self.ids)}", "name": name, "time": self.now.isoformat(),
                "flag": FLAG, "variant": "on", "context": {"userId": user}}

    def approve_uat(self) -> None:
        """Seed 004: 'Turn the feature flag on for Mike King ... Confirm he can see his 1095-B'."""
        assert self.step(error_every=10**9) == "awaiting approval"
        sdk = self._fresh_sdk()
        assert all(sdk.is_enabled(FLAG, {"userId": user}) for user in UAT_USERS)
        assert enabled_share(sdk, FLAG, VETERANS[:500]) == 0
        services.rollout_advance(plan=self.plan, actor=SYSTEM, now=self.now + STEP / 2,
                                 reason="Mike King and two OCTO veterans can see their 1095-B")


@pytest.fixture
def seed(plan, sdk_secret):
    start = minutes_ago(60 * 48).replace(second=0, microsecond=0)
    services.rollout_start(plan=plan, actor=SYSTEM, reason="Go/no-go meeting: go", now=start)
    return Seed004(plan, sdk_secret, start)


def test_errors_spiking_at_ten_percent_turn_the_flag_off_by_itself(seed, flag, sdk_secret,
                                                                   emitted):
    seed.approve_uat()
    assert seed.step(error_every=400) == "waiting"  # 10%: a healthy first ten minutes
    inside = [u for u in VETERANS if seed._fresh_sdk().is_enabled(FLAG, {"userId": u})]
    assert 0.08 < len(inside) / len(VETERANS) < 0.12

    assert seed.step(error_every=10) == "rolled back"  # 10% of downloads fail

    seed.plan.refresh_from_db()
    assert seed.plan.status == "rolled_back"
    assert "above 2%" in seed.plan.status_reason and "measured 9.9" in seed.plan.status_reason
    assert not FlagEnvironment.objects.get(flag=flag, environment__key="production").enabled
    sdk = sdk_from_server(sdk_secret)
    assert enabled_share(sdk, FLAG, [*UAT_USERS, *inside]) == 0
    canary = StageRun.objects.get(plan=seed.plan, stage__percentage=10)
    assert canary.outcome == "rolled_back" and canary.ended_by == "system (worker)"
    assert canary.results["errors"]["download_error"] > 0
    assert (emitted[-1][0], emitted[-1][1]["flag"]) == ("rollout.rolled_back", FLAG)
    # Nothing moves any more until a person resumes.
    assert seed.step(error_every=400) == "idle"


def test_healthy_rollout_reaches_everyone_and_the_exported_plan_shows_the_results(
        seed, release, flag, settings):
    settings.ROLLOUT_CHECKIN_DAYS = ["7", "30"]
    seed.approve_uat()
    inside_at_ten = None
    while seed.plan.status != "completed" and len(seed.worker_said) < 40:
        seed.step(error_every=300)
        if inside_at_ten is None and seed.plan.stage_index == 1:
            inside_at_ten = [u for u in VETERANS[:1000]
                             if seed._fresh_sdk().is_enabled(FLAG, {"userId": u})]
        if seed.plan.stage_index == 2:
            assert all(seed._fresh_sdk().is_enabled(FLAG, {"userId": u}) for u in inside_at_ten)
        seed.plan.refresh_from_db()

    assert seed.plan.status == "completed", seed.worker_said
    assert seed.worker_said.count("advanced") == 2 and seed.worker_said[-1] == "completed"
    assert enabled_share(sdk_from_server(seed.secret), FLAG, VETERANS) == 1
    runs = {run.stage.name: run for run in StageRun.objects.filter(plan=seed.plan)}
    assert [runs[name].outcome for name in ("UAT", "Stage A: Canary", "Stage B: 50% of users",
                                            "Stage C: 100% of users")] == [
        "advanced", "advanced", "advanced", "completed"]
    canary, half, everyone = (runs["Stage A: Canary"].results,
                              runs["Stage B: 50% of users"].results,
                              runs["Stage C: 100% of users"].results)
    assert 320 < canary["unique_users"] < 480
    assert 1700 < half["unique_users"] < 2300 and everyone["unique_users"] == 4003
    rate = {c["measure"]: c for c in everyone["criteria"]}["% download_error of download_click"]
    assert rate["met"] and 0.3 <= rate["value"] <= 0.34
    assert everyone["exposures"] == everyone["metrics"]["download_click"]

    for _ in range(3):  # a little traffic after the launch, for the check-ins
        seed.step(error_every=300)
    assert services.rollout_checkins_take(now=seed.plan.completed_at + timedelta(days=31)) == 2

    exported = export_markdown(release)
    assert "#### Results\n\n- Number of unique users: [FILL_IN]" in exported  # the document
    added = exported.split("## Added in T-Minus")[1]
    assert "### Staged rollout: 1095-b-download in production" in added
    assert "#### Stage A: Canary" in exported
    assert f"Number of unique users: {canary['unique_users']:,}" in exported
    assert f"Number of unique users: {half['unique_users']:,}" in exported
    assert "% download_error of download_click below 2% (at least 100 download_click): 0.33" \
        in exported
    assert "Advanced by Mike" not in exported
    assert "Advanced by system (cli): Mike King and two OCTO veterans can see" in exported
    assert "#### 1-week results post 100% rollout" in exported
    assert "#### 1-month results post 100% rollout" in exported
    week = exported.split("#### 1-week results post 100% rollout")[1]
    assert "Number of unique users: 4,003" in week.split("####")[0]
