"""Unique users per arm: SDKs that report the users they answered on and off, events carrying
the user, and comparisons per user ("users with an error per exposed user")."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from tminus_client.client.metrics import user_hash

from tests.rollouts.conftest import FLAG, SYSTEM, minutes_ago
from tests.rollouts.helpers import sdk_from_server
from tests.rollouts.test_guarded import Rollout, create, guarded_definition, run_until
from tminus.core.errors import ValidationFailed
from tminus.flags import services as flags
from tminus.flags.metrics import metrics_record
from tminus.flags.models import ExposedUser
from tminus.flags.tokens import TokenScope
from tminus.metrics.builtin import exposed_users
from tminus.metrics.measures import Scope, users_by_arm
from tminus.rollouts import checks, services
from tminus.rollouts.choices import RolloutStatus

SDK = TokenScope(token_id=0, kind="client", environment="production", all_projects=True,
                 projects=frozenset())
ERROR_USERS_PER_EXPOSED_USER = {
    "metric": "download_error", "aggregation": "ratio", "of": "exposures", "per": "user",
    "compare": "control", "comparator": "<=", "margin": 2, "min_sample": 200,
    "on_regression": "rollback"}
SMALL_SAMPLE = {**ERROR_USERS_PER_EXPOSED_USER, "min_sample": 0}


def bucket(start, users_on: list[str], users_off: list[str], *, yes=None, no=None) -> dict:
    return {"appName": "va.gov", "bucket": {
        "start": start.isoformat(), "stop": (start + timedelta(minutes=1)).isoformat(),
        "toggles": {FLAG: {"yes": len(users_on) if yes is None else yes,
                           "no": len(users_off) if no is None else no,
                           "users": {"yes": [user_hash(u) for u in users_on],
                                     "no": [user_hash(u) for u in users_off]}}}}}


def test_sdk_users_are_counted_once_per_arm_from_the_window_start(flag):
    start = minutes_ago(30).replace(second=0, microsecond=0)
    metrics_record(scope=SDK, body=bucket(start, ["ana", "bo"], ["cy", "di", "ed"], yes=9, no=7))
    metrics_record(scope=SDK, body=bucket(start + timedelta(minutes=10), ["ana", "fay"], ["cy"]))

    everything = {"environment": "production", "flag": FLAG, "end": minutes_ago(0)}
    assert exposed_users(start=start, **everything) == (3, 3)
    # From minute 5 on only the users answered again count: ana and fay on, cy off.
    assert exposed_users(start=start + timedelta(minutes=5), **everything) == (2, 1)
    assert ExposedUser.objects.filter(user_hash=user_hash("ana")).get().first_seen == start


def test_a_bucket_sent_late_widens_what_is_known_of_its_users(flag):
    start = minutes_ago(30).replace(second=0, microsecond=0)
    metrics_record(scope=SDK, body=bucket(start + timedelta(minutes=10), ["ana"], []))
    metrics_record(scope=SDK, body=bucket(start, ["ana"], []))

    row = ExposedUser.objects.get()
    assert (row.first_seen, row.last_seen) == (start, start + timedelta(minutes=10))


@pytest.mark.parametrize(("users", "reason"), [
    ({"maybe": []}, "yes and no lists"),
    ({"yes": "ana"}, "users.yes must be a list"),
    ({"no": [""]}, "not text of 1 to 64"),
    ({"yes": ["x" * 65]}, "not text of 1 to 64"),
    ({"yes": [str(n) for n in range(10_001)]}, "at most 10,000"),
])
def test_bad_users_skip_their_flag_with_a_reason_and_store_nothing(flag, users, reason):
    body = {"appName": "va.gov", "bucket": {
        "start": minutes_ago(1).isoformat(), "stop": minutes_ago(0).isoformat(),
        "toggles": {FLAG: {"yes": 1, "no": 0, "users": users}}}}

    answer = metrics_record(scope=SDK, body=body)

    assert answer["counted"] == 0 and reason in answer["skipped"][0]["reason"]
    assert not ExposedUser.objects.exists()


def test_comparison_per_user_counts_each_user_once_in_its_arm(flag, release, sdk_secret):
    """Fixed data: 40 exposed users on, 360 off (each evaluated three times); errors from 12 of
    the treatment's users (one of them three times) and 18 of the control's."""
    plan = create(flag, release, guarded_definition(SMALL_SAMPLE))
    start = minutes_ago(30)
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=start)
    sdk = sdk_from_server(sdk_secret)
    candidates = [f"vet-{n}" for n in range(2000)]
    on = [u for u in candidates if sdk.is_enabled(FLAG, {"userId": u})][:40]
    off = [u for u in candidates if not sdk.is_enabled(FLAG, {"userId": u})][:360]
    minute = (start + timedelta(minutes=1)).replace(second=0, microsecond=0)
    metrics_record(scope=SDK, body=bucket(minute, on, off, yes=120, no=1080))
    errors = [*on[:12], on[0], on[0], *off[:18]]
    post_events("download_error", errors, minute)

    stage = plan.stages.get(order=0)
    result = checks.evaluate(plan, stage.criteria.get(), start, minutes_ago(0))

    found = result.comparison
    assert (found.treatment_n, found.control_n) == (40, 360)
    assert found.treatment_value == pytest.approx(100 * 12 / 40)
    assert found.control_value == pytest.approx(100 * 18 / 360)
    assert (found.treatment_users, found.control_users) == (40, 360)
    assert "over 40 and 360 exposed users" in found.sentence
    assert checks.label(stage.criteria.get()).startswith(
        "% users with download_error of exposed users no worse than control")


def post_events(name: str, users: list[str], at) -> None:
    """Events from these users, carrying only their context: the server places them."""
    _token, ingest = flags.client_token_create(
        name=f"events-{name}", environment="production", projects=["va"], kind="ingest",
        actor=SYSTEM)
    events = [{"id": f"{name}-{n}", "name": name, "time": at.isoformat(), "flag": FLAG,
               "context": {"userId": user}} for n, user in enumerate(users)]
    response = Client(HTTP_AUTHORIZATION=ingest).post(
        "/api/v1/events", json.dumps({"events": events}), content_type="application/json")
    assert response.json()["accepted"] == len(events)


def test_comparison_per_event_also_says_how_many_exposed_users_each_arm_has(
        flag, release, sdk_secret):
    plan = create(flag, release, guarded_definition(
        {**ERROR_USERS_PER_EXPOSED_USER, "per": "event", "of": "download_click",
         "min_sample": 0}))
    start = minutes_ago(30)
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=start)
    sdk = sdk_from_server(sdk_secret)
    users = [f"vet-{n}" for n in range(400)]
    on = [u for u in users if sdk.is_enabled(FLAG, {"userId": u})]
    off = [u for u in users if u not in on]
    minute = minutes_ago(5).replace(second=0, microsecond=0)
    metrics_record(scope=SDK, body=bucket(minute, on, off, yes=3 * len(on), no=3 * len(off)))
    post_events("download_click", users + users, minute)  # two clicks each

    found = checks.evaluate(plan, plan.stages.get(order=0).criteria.get(), start,
                            minutes_ago(0)).comparison

    assert (found.treatment_n, found.control_n) == (2 * len(on), 2 * len(off))
    assert (found.treatment_users, found.control_users) == (len(on), len(off))
    assert f"({len(on):,} and {len(off):,} exposed users)" in found.sentence


def test_comparison_per_event_without_users_reported_shows_none(flag, release):
    plan = create(flag, release, guarded_definition(
        {**ERROR_USERS_PER_EXPOSED_USER, "per": "event", "of": "download_click"}))
    start = minutes_ago(30)
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=start)
    post_events("download_click", [f"vet-{n}" for n in range(50)], minutes_ago(5))

    found = checks.evaluate(plan, plan.stages.get(order=0).criteria.get(), start,
                            minutes_ago(0)).comparison

    assert (found.treatment_users, found.control_users) == (None, None)


class UsersRollout(Rollout):
    """The guarded rollout's traffic, with an SDK that reports the users it answered."""

    def _post_exposures(self, yes: int, no: int) -> None:
        sdk = sdk_from_server(self.sdk_secret, report_users=True)
        for user in self.users:
            sdk.is_enabled(FLAG, {"userId": user})
        taken = sdk._metrics.take_bucket()
        taken.update(start=self.now.isoformat(),
                     stop=(self.now + timedelta(minutes=1)).isoformat())
        body = {"appName": "va.gov", "instanceId": "web-1", "bucket": taken}
        response = self.sdk_app.post("/api/client/metrics", json.dumps(body),
                                     content_type="application/json")
        assert response.status_code == 202, response.content


def test_regression_per_exposed_user_rolls_the_flag_back(flag, release, sdk_secret):
    plan = create(flag, release, guarded_definition(ERROR_USERS_PER_EXPOSED_USER))
    rollout = UsersRollout(plan, sdk_secret, treatment_errors=0.08)
    sdk = sdk_from_server(sdk_secret)
    on = sum(sdk.is_enabled(FLAG, {"userId": u}) for u in rollout.users)

    said = run_until(rollout, "rolled back", steps=8)

    assert said[-1] == "rolled back"
    plan.refresh_from_db()
    assert plan.status == RolloutStatus.ROLLED_BACK
    comparison = plan.runs.get().results["criteria"][0]["comparison"]
    assert comparison["verdict"] == "regression" and comparison["low"] > 2
    assert comparison["treatment_sample"] == on  # users, not their many exposures
    assert comparison["control_users"] == comparison["control_sample"] == len(rollout.users) - on


def test_healthy_release_per_exposed_user_advances_and_the_page_shows_users(
        flag, release, sdk_secret, viewer):
    from tests.conftest import signed_in

    plan = create(flag, release, guarded_definition(ERROR_USERS_PER_EXPOSED_USER))
    rollout = UsersRollout(plan, sdk_secret, treatment_errors=0.01)

    said = run_until(rollout, "advanced", steps=12)

    assert said[-1] == "advanced" and "rolled back" not in said
    canary = plan.runs.get(stage__order=0)
    comparison = canary.results["criteria"][0]["comparison"]
    assert comparison["treatment_sample"] >= 200
    assert comparison["treatment_users"] == comparison["treatment_sample"]
    page = signed_in(viewer).get(f"/rollouts/{plan.key}/").content.decode()
    assert "exposed users" in page


@pytest.mark.parametrize(("change", "message"), [
    ({"per": "visit"}, '"event"'),
    ({"aggregation": "avg", "of": ""}, "per user is a ratio"),
    ({"source": "prometheus", "query": 'sum(e{v="$arm"})', "of_query": 'sum(c{v="$arm"})'},
     "Prometheus does not know users"),
])
def test_comparison_per_user_with_a_bad_field_is_refused(flag, release, change, message):
    with pytest.raises(ValidationFailed) as refused:
        create(flag, release, guarded_definition({**ERROR_USERS_PER_EXPOSED_USER, **change}))
    assert message in str(refused.value.errors["stages.0.criteria.0.per"])


def test_threshold_criterion_cannot_count_users(flag, release):
    check = {"metric": "download_error", "aggregation": "ratio", "of": "download_click",
             "per": "user", "comparator": "<", "threshold": 2}
    with pytest.raises(ValidationFailed) as refused:
        create(flag, release, guarded_definition(check))
    assert "comparison with control" in str(refused.value.errors["stages.0.criteria.0.per"])


def test_comparison_per_user_round_trips_through_the_definition(flag, release):
    plan = create(flag, release, guarded_definition(ERROR_USERS_PER_EXPOSED_USER))
    written = services.plan_definition(plan)["stages"][0]["criteria"][0]
    assert written == {**ERROR_USERS_PER_EXPOSED_USER, "confidence": 95}


def test_users_of_another_window_do_not_count(flag):
    start = minutes_ago(60).replace(second=0, microsecond=0)
    metrics_record(scope=SDK, body=bucket(start, ["ana"], ["bo"]))
    later = Scope(environment="production", flag=FLAG, start=start + timedelta(minutes=30),
                  end=minutes_ago(0))
    assert users_by_arm(["exposures"], later) == {("exposures", "treatment"): 0,
                                                  ("exposures", "control"): 0}
