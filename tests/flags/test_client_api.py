import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from tests.flags.conftest import SYSTEM
from tminus.flags import services
from tminus.flags.models import ClientApplication, MetricsBucket

pytestmark = pytest.mark.django_db
SPEC = "5.1.0"


def get(path, token, **headers):
    return Client().get(path, HTTP_AUTHORIZATION=token, **headers)


def post(path, token, body):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client().post(path, data=data, content_type="application/json",
                         HTTP_AUTHORIZATION=token)


@pytest.fixture
def shop(make_flag):
    """A checkout flag at 50% in production for Nordic users, with a segment and variants."""
    segment = services.segment_create(name="nordics", actor=SYSTEM, constraints=[
        {"contextName": "country", "operator": "IN", "values": ["NO", "SE"]}])
    checkout = make_flag("checkout-v2", description="New checkout")
    services.flag_environment_toggle(flag=checkout, environment="production", enabled=True,
                                     actor=SYSTEM)
    services.strategy_create(flag=checkout, environment="production", name="flexibleRollout",
                             parameters={"rollout": "50", "stickiness": "userId",
                                         "groupId": "checkout-v2"},
                             segments=[segment.pk], actor=SYSTEM)
    services.flag_variants_set(flag=checkout, environment="production", actor=SYSTEM, variants=[
        {"name": "blue", "weight": 500, "payload": {"type": "string", "value": "b"}},
        {"name": "green", "weight": 500}])
    make_flag("search-v1")
    return {"checkout": checkout, "segment": segment}


def test_client_features_serves_unleash_v2_body_with_top_level_segments(shop, client_token):
    response = get("/api/client/features", client_token(), HTTP_UNLEASH_CLIENT_SPEC=SPEC)

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    features = {f["name"]: f for f in body["features"]}
    assert set(features) == {"checkout-v2", "search-v1"}
    checkout = features["checkout-v2"]
    assert (checkout["enabled"], checkout["project"], checkout["type"]) == (True, "shop",
                                                                           "release")
    assert checkout["strategies"] == [{
        "name": "flexibleRollout", "constraints": [], "variants": [],
        "parameters": {"rollout": "50", "stickiness": "userId", "groupId": "checkout-v2"},
        "segments": [shop["segment"].pk]}]
    assert [v["name"] for v in checkout["variants"]] == ["blue", "green"]
    assert body["segments"] == [{"id": shop["segment"].pk, "name": "nordics", "constraints": [
        {"contextName": "country", "operator": "IN", "values": ["NO", "SE"]}]}]
    assert response["ETag"] == body["meta"]["etag"]


def test_client_features_for_an_old_sdk_inlines_segment_constraints(shop, client_token):
    body = get("/api/client/features", client_token()).json()

    checkout = next(f for f in body["features"] if f["name"] == "checkout-v2")
    assert "segments" not in body
    assert "segments" not in checkout["strategies"][0]
    assert checkout["strategies"][0]["constraints"] == [
        {"contextName": "country", "operator": "IN", "values": ["NO", "SE"]}]


def test_client_features_with_the_current_etag_answers_304_until_a_change(shop, client_token):
    token = client_token()
    first = get("/api/client/features", token, HTTP_UNLEASH_CLIENT_SPEC=SPEC)

    unchanged = get("/api/client/features", token, HTTP_UNLEASH_CLIENT_SPEC=SPEC,
                    HTTP_IF_NONE_MATCH=first["ETag"])
    services.flag_environment_toggle(flag=shop["checkout"], environment="production",
                                     enabled=False, actor=SYSTEM)
    changed = get("/api/client/features", token, HTTP_UNLEASH_CLIENT_SPEC=SPEC,
                  HTTP_IF_NONE_MATCH=first["ETag"])

    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert unchanged["ETag"] == first["ETag"]
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert not next(f for f in changed.json()["features"] if f["name"] == "checkout-v2")[
        "enabled"]


def test_client_features_sees_only_the_token_environment(shop, client_token):
    body = get("/api/client/features", client_token("development")).json()

    assert not any(f["enabled"] for f in body["features"])
    assert body["query"]["environment"] == "development"


def test_client_features_filters_by_name_prefix(shop, client_token):
    body = get("/api/client/features?namePrefix=search", client_token()).json()

    assert [f["name"] for f in body["features"]] == ["search-v1"]


def test_client_features_filters_by_project_within_a_wildcard_token(shop, client_token, db):
    other = services.project_create(key="billing", actor=SYSTEM)
    services.flag_create(project=other, key="invoice-pdf", actor=SYSTEM)
    token = client_token(projects=["*"])

    everything = get("/api/client/features", token).json()
    billing = get("/api/client/features?project=billing", token).json()

    assert {f["name"] for f in everything["features"]} == {"checkout-v2", "search-v1",
                                                           "invoice-pdf"}
    assert [f["name"] for f in billing["features"]] == ["invoice-pdf"]


def test_client_features_for_a_project_outside_the_token_is_forbidden(shop, client_token):
    services.project_create(key="billing", actor=SYSTEM)

    response = get("/api/client/features?project=billing", client_token())

    assert response.status_code == 403
    assert "billing" in response.json()["message"]


@pytest.mark.parametrize("token", ["", "shop:production.nonsense", "Bearer "])
def test_client_features_without_a_valid_token_is_unauthorized(shop, token):
    assert get("/api/client/features", token).status_code == 401


def test_client_features_with_a_frontend_token_is_forbidden(shop, client_token):
    response = get("/api/client/features", client_token(kind="frontend"))

    assert response.status_code == 403
    assert "backend" in response.json()["message"]


def test_client_features_with_a_revoked_token_is_unauthorized(shop, project):
    token, secret = services.client_token_create(name="x", environment="production",
                                                 projects=["shop"], actor=SYSTEM)
    assert get("/api/client/features", secret).status_code == 200

    services.client_token_revoke(token=token, actor=SYSTEM)

    assert get("/api/client/features", secret).status_code == 401


def test_client_features_excludes_archived_flags(shop, client_token):
    services.flag_archive(flag=shop["checkout"], actor=SYSTEM)

    body = get("/api/client/features", client_token()).json()

    assert [f["name"] for f in body["features"]] == ["search-v1"]


def test_client_features_answers_in_a_fixed_number_of_queries(project, client_token,
                                                              django_assert_max_num_queries):
    token = client_token()
    for index in range(20):
        flag = services.flag_create(project=project, key=f"flag-{index}", actor=SYSTEM)
        services.strategy_create(flag=flag, environment="production", name="default",
                                 actor=SYSTEM)

    with django_assert_max_num_queries(8):
        response = get("/api/client/features", token, HTTP_UNLEASH_CLIENT_SPEC=SPEC)

    assert len(response.json()["features"]) == 20


def test_client_delta_without_a_revision_hydrates_then_sends_only_changes(shop, client_token):
    token = client_token()
    hydration = get("/api/client/delta", token)
    events = hydration.json()["events"]
    assert [e["type"] for e in events] == ["hydration"]
    assert {f["name"] for f in events[0]["features"]} == {"checkout-v2", "search-v1"}

    nothing = get("/api/client/delta", token, HTTP_IF_NONE_MATCH=hydration["ETag"])
    services.flag_archive(flag=shop["checkout"], actor=SYSTEM)
    services.flag_environment_toggle(flag=shop["checkout"].__class__.objects.get(
        key="search-v1"), environment="production", enabled=True, actor=SYSTEM)
    delta = get("/api/client/delta", token, HTTP_IF_NONE_MATCH=hydration["ETag"])

    assert nothing.status_code == 304
    assert [(e["type"], e.get("featureName") or e["feature"]["name"])
            for e in delta.json()["events"]] == [("feature-removed", "checkout-v2"),
                                                 ("feature-updated", "search-v1")]
    assert delta["ETag"] == f'"{delta.json()["events"][-1]["eventId"]}"'


def test_client_delta_hydration_holds_a_segment_no_flag_uses_yet(shop, client_token):
    token = client_token()
    segment = services.segment_create(name="beta", constraints=[
        {"contextName": "plan", "operator": "IN", "values": ["beta"]}], actor=SYSTEM)
    hydration = get("/api/client/delta", token)

    services.strategy_create(flag=shop["checkout"], environment="production", name="default",
                             segments=[segment.pk], actor=SYSTEM)
    delta = get("/api/client/delta", token, HTTP_IF_NONE_MATCH=hydration["ETag"])

    # The delta names the segment without defining it: only the hydration did.
    assert segment.pk in [s["id"] for s in hydration.json()["events"][0]["segments"]]
    assert [e["type"] for e in delta.json()["events"]] == ["feature-updated"]


def test_client_register_records_the_sdk_instance(project, client_token):
    response = post("/api/client/register", client_token(), {
        "appName": "checkout-service", "instanceId": "pod-1", "sdkVersion": "unleash-python:6",
        "strategies": ["default", "flexibleRollout"], "started": "2026-01-01T00:00:00Z",
        "interval": 15000})

    assert response.status_code == 202
    app = ClientApplication.objects.get()
    assert (app.app_name, app.instance_id, app.environment) == ("checkout-service", "pod-1",
                                                                "production")


@pytest.mark.parametrize("body", ['{"appName": ', [], {"instanceId": "x"},
                                  {"appName": "a", "strategies": "default"}])
def test_client_register_with_a_malformed_body_is_refused_and_records_nothing(
        project, client_token, body):
    response = post("/api/client/register", client_token(), body)

    assert response.status_code == 400
    assert response.json()["message"]
    assert not ClientApplication.objects.exists()


def _metrics(toggles, start=None):
    start = start or datetime.now(UTC) - timedelta(minutes=1)
    return {"appName": "checkout-service", "instanceId": "pod-1", "environment": "default",
            "bucket": {"start": start.isoformat(), "stop": (start + timedelta(seconds=60))
                       .isoformat(), "toggles": toggles}}


def test_client_metrics_adds_counts_to_the_minute_bucket_of_the_flag(shop, client_token):
    token = client_token()
    toggles = {"checkout-v2": {"yes": 3, "no": 1, "variants": {"blue": 2, "green": 1}},
               "not-a-flag": {"yes": 0, "no": 4}}
    start = datetime.now(UTC).replace(second=5, microsecond=0) - timedelta(minutes=2)

    assert post("/api/client/metrics", token, _metrics(toggles, start)).status_code == 202
    assert post("/api/client/metrics", token, _metrics(
        {"checkout-v2": {"yes": 1, "no": 0, "variants": {"blue": 1}}}, start)).status_code == 202

    bucket = MetricsBucket.objects.get(flag_name="checkout-v2")
    assert (bucket.flag, bucket.environment.key, bucket.app_name) == (
        shop["checkout"], "production", "checkout-service")
    assert (bucket.yes, bucket.no, bucket.variants) == (4, 1, {"blue": 3, "green": 1})
    assert bucket.start == start.replace(second=0)
    unknown = MetricsBucket.objects.get(flag_name="not-a-flag")
    assert (unknown.flag, unknown.no) == (None, 4)


@pytest.mark.parametrize("body", [
    "not json",
    {"appName": "a"},
    {"appName": "a", "bucket": {"start": "yesterday", "stop": "today", "toggles": {}}},
    _metrics([]),
])
def test_client_metrics_with_a_malformed_body_is_refused_and_stores_nothing(
        shop, client_token, body):
    response = post("/api/client/metrics", client_token(), body)

    assert response.status_code == 400
    assert response.json()["message"]
    assert not MetricsBucket.objects.exists()


def test_frontend_api_answers_the_enabled_flags_for_the_context(shop, client_token):
    token = client_token(kind="frontend")
    services.flag_environment_toggle(flag=shop["checkout"].__class__.objects.get(
        key="search-v1"), environment="production", enabled=True, actor=SYSTEM)

    nordic = [u for u in range(200) if any(
        t["name"] == "checkout-v2" for t in get(
            f"/api/frontend?userId={u}&properties[country]=NO", token).json()["toggles"])]
    elsewhere = get("/api/frontend?userId=1&country=US", token).json()["toggles"]

    assert 60 < len(nordic) < 140
    assert [t["name"] for t in elsewhere] == ["search-v1"]
    toggle = next(t for t in get(f"/api/frontend?userId={nordic[0]}&country=NO", token)
                  .json()["toggles"] if t["name"] == "checkout-v2")
    assert toggle["enabled"] is True
    assert toggle["variant"]["name"] in ("blue", "green")
    assert toggle["variant"]["feature_enabled"] is True
    assert toggle["impressionData"] is False


def test_frontend_api_post_takes_the_context_in_the_body(shop, client_token):
    token = client_token(kind="frontend")
    users = [u for u in range(100) if post("/api/frontend", token, {
        "context": {"userId": str(u), "properties": {"country": "SE"}}}).json()["toggles"]]

    assert 20 < len(users) < 80


def test_frontend_api_with_a_backend_token_is_forbidden(shop, client_token):
    assert get("/api/frontend", client_token()).status_code == 403


def test_frontend_api_with_a_malformed_context_answers_without_error(shop, client_token):
    response = post("/api/frontend", client_token(kind="frontend"),
                    {"context": {"userId": {"nested": True}, "properties": "oops",
                                 "currentTime": "not a time"}})

    assert response.status_code == 200
    assert response.json()["toggles"] == []


def test_frontend_api_answers_a_browser_preflight_with_cors_headers(shop):
    response = Client().options("/api/frontend", HTTP_ORIGIN="https://shop.example.com")

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response["Access-Control-Allow-Headers"]


def test_frontend_metrics_are_stored_like_backend_metrics(shop, client_token):
    response = post("/api/frontend/client/metrics", client_token(kind="frontend"),
                    _metrics({"checkout-v2": {"yes": 1, "no": 2}}))

    assert response.status_code == 202
    assert MetricsBucket.objects.get().no == 2


def test_client_delta_from_before_pruned_events_hydrates(shop, client_token):
    from tminus.flags.models import ChangeEvent

    token = client_token()
    old = get("/api/client/delta", token)["ETag"]
    services.flag_environment_toggle(flag=shop["checkout"], environment="production",
                                     enabled=False, actor=SYSTEM)
    ChangeEvent.objects.update(created_at=datetime.now(UTC) - timedelta(days=30))

    assert services.change_events_prune() > 0
    events = get("/api/client/delta", token, HTTP_IF_NONE_MATCH=old).json()["events"]

    assert [e["type"] for e in events] == ["hydration"]
