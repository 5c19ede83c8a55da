"""Guarded rollouts end to end: SDK exposures and events from both arms through the API, the
server placing each event in its arm, a sequential comparison that rolls a regression back and
lets a healthy release advance, and a sample ratio mismatch that pauses."""

import json
import random
from datetime import timedelta
from itertools import count

import pytest
from django.test import Client

from tests.rollouts.conftest import FLAG, SYSTEM, minutes_ago
from tests.rollouts.helpers import sdk_from_server
from tminus.core.errors import ValidationFailed
from tminus.flags import services as flags
from tminus.metrics.models import Event
from tminus.rollouts import services
from tminus.rollouts.choices import RolloutStatus

STEP = timedelta(minutes=5)
ERRORS_AGAINST_CONTROL = {"metric": "download_error", "aggregation": "ratio",
                          "of": "download_click", "compare": "control", "comparator": "<=",
                          "margin": 0.5, "confidence": 95, "min_sample": 400,
                          "on_regression": "rollback"}


def guarded_definition(check: dict = ERRORS_AGAINST_CONTROL) -> dict:
    return {"name": "Guarded 1095-B", "stages": [
        {"name": "Canary", "percentage": 10, "min_duration": "30m", "criteria": [check]},
        {"name": "Half", "percentage": 50, "min_duration": "30m", "criteria": [check]},
        {"name": "Everyone", "percentage": 100, "min_duration": "30m"}]}


class Rollout:
    """Users clicking and failing, the SDK and the worker, five minutes at a time."""

    def __init__(self, plan, sdk_secret: str, *, treatment_errors: float,
                 control_errors: float = 0.01, users: int = 3000):
        self.plan, self.sdk_secret = plan, sdk_secret
        _token, ingest = flags.client_token_create(
            name="events", environment="production", projects=["va"], kind="ingest",
            actor=SYSTEM)
        self.sdk_app = Client(HTTP_AUTHORIZATION=sdk_secret)
        self.events_app = Client(HTTP_AUTHORIZATION=ingest)
        self.rates = {True: treatment_errors, False: control_errors}
        self.users = [f"veteran-{n}" for n in range(users)]
        self.random, self.ids = random.Random(11), count()
        self.now = minutes_ago(24 * 60).replace(second=0, microsecond=0)
        services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=self.now)
        self.now += timedelta(seconds=20)

    def step(self, *, hide_treatment_share: float = 0.0) -> str:
        """Five minutes of traffic, then one worker check; what the worker did."""
        self.now += STEP
        sdk = sdk_from_server(self.sdk_secret)
        shown = {user: sdk.is_enabled(FLAG, {"userId": user}) for user in self.users}
        yes = sum(shown.values())
        hidden = int(yes * hide_treatment_share)  # exposures an SDK failed to report
        self._post_exposures(yes - hidden, len(shown) - yes)
        events = []
        for user, on in shown.items():
            events.append(self._event("download_click", user))
            if self.random.random() < self.rates[on]:
                events.append(self._event("download_error", user))
        response = self.events_app.post("/api/v1/events", json.dumps({"events": events}),
                                        content_type="application/json")
        assert response.status_code == 200 and response.json()["accepted"] == len(events)
        return services.rollouts_check(now=self.now + timedelta(seconds=30))[self.plan.key]

    def _post_exposures(self, yes: int, no: int) -> None:
        body = {"appName": "va.gov", "instanceId": "web-1", "bucket": {
            "start": self.now.isoformat(), "stop": (self.now + timedelta(minutes=1)).isoformat(),
            "toggles": {FLAG: {"yes": yes, "no": no}}}}
        response = self.sdk_app.post("/api/client/metrics", json.dumps(body),
                                     content_type="application/json")
        assert response.status_code == 202, response.content

    def _event(self, name: str, user: str) -> dict:
        # The user's context only: the server places the event in its arm.
        return {"id": f"g-{next(self.ids)}", "name": name, "time": self.now.isoformat(),
                "flag": FLAG, "context": {"userId": user}}


def run_until(rollout: Rollout, wanted: str, *, steps: int, **traffic) -> list[str]:
    """Step until the worker does `wanted` (or steps run out); what it said at each step."""
    said = []
    while len(said) < steps and wanted not in said:
        said.append(rollout.step(**traffic))
    return said


def create(flag, release, definition):
    return services.rollout_plan_create(release=release, flag=flag, environment="production",
                                        definition_data=definition, actor=SYSTEM)


def test_regression_against_control_rolls_the_flag_back(flag, release, sdk_secret, emitted):
    plan = create(flag, release, guarded_definition())
    rollout = Rollout(plan, sdk_secret, treatment_errors=0.06)

    said = run_until(rollout, "rolled back", steps=6)

    assert said[-1] == "rolled back" and set(said[:-1]) <= {"waiting"}
    plan.refresh_from_db()
    assert plan.status == RolloutStatus.ROLLED_BACK
    assert plan.status_reason.startswith("Regression against control")
    assert "a regression" in plan.status_reason
    run = plan.runs.get()
    comparison = run.results["criteria"][0]["comparison"]
    assert comparison["verdict"] == "regression"
    assert comparison["low"] > 0.5
    assert comparison["treatment"] > comparison["control"]
    assert [e for e, _ in emitted] == ["rollout.rolled_back"]
    # Events were placed in arms with the engine the SDK uses: every treatment event's user
    # is one the SDK served the flag.
    flags.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                  actor=SYSTEM)
    sdk = sdk_from_server(sdk_secret)
    arms = dict(Event.objects.filter(metric_key="download_click").values_list("user_key", "arm"))
    assert {arms[u] for u in rollout.users if sdk.is_enabled(FLAG, {"userId": u})} == {
        "treatment"}
    assert {arms[u] for u in rollout.users if not sdk.is_enabled(FLAG, {"userId": u})} == {
        "control"}


def test_healthy_release_advances_once_each_arm_has_its_sample(flag, release, sdk_secret):
    plan = create(flag, release, guarded_definition())
    rollout = Rollout(plan, sdk_secret, treatment_errors=0.01)

    said = run_until(rollout, "advanced", steps=12)

    assert said[-1] == "advanced" and set(said[:-1]) <= {"waiting"}
    plan.refresh_from_db()
    assert plan.stage_index == 1 and plan.status == RolloutStatus.RUNNING
    canary = plan.runs.get(stage__order=0)
    assert canary.outcome == "advanced"
    comparison = canary.results["criteria"][0]["comparison"]
    assert comparison["verdict"] in ("inconclusive", "non_inferior")
    assert min(comparison["treatment_sample"], comparison["control_sample"]) >= 400
    assert canary.results["sample_ratio"]["mismatch"] is False
    assert "no worse than control by more than 0.5 points" in canary.reason


def test_lost_exposures_of_one_arm_pause_the_rollout_for_a_sample_ratio_mismatch(
        flag, release, sdk_secret):
    plan = create(flag, release, guarded_definition())
    rollout = Rollout(plan, sdk_secret, treatment_errors=0.01)

    said = run_until(rollout, "paused", steps=3, hide_treatment_share=0.5)

    assert said[-1] == "paused"
    plan.refresh_from_db()
    assert plan.status == RolloutStatus.PAUSED
    assert "sample ratio mismatch" in plan.status_reason
    assert "assignment is broken or metrics are lost" in plan.status_reason.lower()


@pytest.mark.parametrize(("change", "path", "message"), [
    ({"margin": None}, "margin", "needs a margin"),
    ({"margin": 0}, "margin", "above 0"),
    ({"aggregation": "count", "of": ""}, "aggregation", "ratio"),
    ({"confidence": 120}, "confidence", "50 to below 100"),
    ({"compare": "yesterday"}, "compare", '"compare": "control"'),
    ({"threshold": 2}, "threshold", "margin, not a threshold"),
    ({"on_regression": "panic"}, "on_regression", "not an action"),
])
def test_comparing_criterion_with_a_bad_field_is_refused_by_path(flag, release, change, path,
                                                                 message):
    check = {**ERRORS_AGAINST_CONTROL, **change}
    check = {key: value for key, value in check.items() if value is not None}
    with pytest.raises(ValidationFailed) as refused:
        create(flag, release, guarded_definition(check))
    assert message in str(refused.value.errors[f"stages.0.criteria.0.{path}"])


def test_comparing_criterion_round_trips_through_the_definition(flag, release):
    plan = create(flag, release, guarded_definition())
    written = services.plan_definition(plan)["stages"][0]["criteria"][0]
    assert written == {**ERRORS_AGAINST_CONTROL, "confidence": 95}


def test_rollout_page_draws_the_difference_with_its_band_and_says_why(
        flag, release, sdk_secret, viewer, api_as):
    from tests.conftest import signed_in

    plan = create(flag, release, guarded_definition())
    rollout = Rollout(plan, sdk_secret, treatment_errors=0.06)
    run_until(rollout, "rolled back", steps=6)

    page = signed_in(viewer).get(f"/rollouts/{plan.key}/").content.decode()
    assert 'class="check-chart comparison-chart"' in page
    assert 'class="band"' in page and "allowed margin +0.5 pts" in page
    assert "Treatment minus control" in page and "a regression" in page
    assert "no worse than control by more than 0.5 points" in page

    shown = api_as(viewer).get(f"/api/v1/rollouts/{plan.key}").json()["criteria"][0]
    assert shown["verdict"] == "regression" and shown["margin"] == 0.5
    assert shown["low"] > 0.5 and shown["control_sample"] > shown["sample"]
    assert shown["history"][-1]["verdict"] == "regression"


def test_live_page_shows_the_sample_ratio_of_the_stage(flag, release, sdk_secret, viewer):
    from tests.conftest import signed_in

    plan = create(flag, release, guarded_definition())
    rollout = Rollout(plan, sdk_secret, treatment_errors=0.01)
    rollout.step()

    page = signed_in(viewer).get(f"/rollouts/{plan.key}/").content.decode()
    assert 'id="sample-ratio"' in page and "where 10% was expected" in page
    assert "as expected" in page


def test_report_of_a_rolled_back_stage_says_what_the_comparison_concluded(
        flag, release, sdk_secret):
    from tminus.rollouts.report import plan_markdown
    from tminus.rollouts.selectors import plan_view

    plan = create(flag, release, guarded_definition())
    rollout = Rollout(plan, sdk_secret, treatment_errors=0.06)
    run_until(rollout, "rolled back", steps=6)
    plan.refresh_from_db()

    text = "\n".join(plan_markdown(plan_view(plan)))
    assert "no worse than control by more than 0.5 points" in text
    assert "NOT met. Treatment" in text and "a regression." in text
    assert "Sample ratio:" in text and "where 10% was expected" in text


PROMETHEUS_COMPARISON = {
    "source": "prometheus", "compare": "control", "aggregation": "ratio",
    "query": 'sum(increase(download_errors_total{variant="$arm"}[$window]))',
    "of_query": 'sum(increase(download_clicks_total{variant="$arm"}[$window]))',
    "comparator": "<=", "margin": 0.5, "min_sample": 400}


def test_prometheus_comparison_reads_one_query_per_arm_and_rolls_back_a_regression(
        flag, release, prometheus, settings):
    settings.PROMETHEUS_URL = prometheus.url
    plan = create(flag, release, guarded_definition(PROMETHEUS_COMPARISON))
    start = minutes_ago(60)
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=start)
    now = start + timedelta(minutes=30)
    for label, errors, clicks in (("on", "120", "2000"), ("off", "180", "18000")):
        prometheus.set_value(f'sum(increase(download_errors_total{{variant="{label}"}}'
                             f'[1800s]))', errors)
        prometheus.set_value(f'sum(increase(download_clicks_total{{variant="{label}"}}'
                             f'[1800s]))', clicks)

    assert services.rollouts_check(now=now)[plan.key] == "rolled back"
    plan.refresh_from_db()
    assert "Treatment 6% against control 1%" in plan.status_reason
    assert len(prometheus.asked) == 4


def test_prometheus_comparison_that_cannot_be_read_waits_and_says_why(flag, release, settings):
    settings.PROMETHEUS_URL = "http://127.0.0.1:9"
    plan = create(flag, release, guarded_definition(PROMETHEUS_COMPARISON))
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=minutes_ago(10))

    assert services.rollouts_check()[plan.key] == "waiting"
    reading = plan.stages.get(order=0).criteria.get().readings.get()
    assert reading.value is None and "Could not read the arms" in reading.error


def test_prometheus_comparison_needs_both_queries_per_arm(flag, release):
    check = {**PROMETHEUS_COMPARISON, "of_query": "sum(clicks_total)"}
    with pytest.raises(ValidationFailed) as refused:
        create(flag, release, guarded_definition(check))
    assert "$arm" in str(refused.value.errors["stages.0.criteria.0.of_query"])
