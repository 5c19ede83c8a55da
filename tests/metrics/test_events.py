import json
import os
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.flags import services as flag_services
from tminus.metrics import selectors, services
from tminus.metrics.models import Event, MinuteTotal

pytestmark = pytest.mark.django_db
NOW = datetime.now(UTC).replace(second=30, microsecond=0) - timedelta(minutes=10)


@pytest.fixture
def flag(db):
    project = flag_services.project_create(key="va", actor=Actor.cli())
    flag_services.flag_create(project=project, key="1095-b-download", actor=Actor.cli())
    for key in ("download_click", "download_error"):
        services.metric_declare(key=key, actor=Actor.cli())
    return "1095-b-download"


def event(n: int, name="download_click", **extra):
    return {"id": f"e-{n}", "name": name, "time": (NOW + timedelta(seconds=n)).isoformat(),
            "flag": "1095-b-download", "environment": "production",
            "context": {"userId": f"user-{n % 7}"}, **extra}


def test_events_record_batch_stores_each_once_and_adds_minute_totals(flag):
    result = services.events_record(events=[event(n) for n in range(100)])

    assert (result.accepted, result.duplicates, result.rejected) == (100, 0, [])
    totals = selectors.metric_totals(metric="download_click", environment="production",
                                     flag=flag, start=NOW - timedelta(minutes=1),
                                     end=NOW + timedelta(minutes=5))
    assert (totals.count, totals.total) == (100, 100.0)
    assert MinuteTotal.objects.count() == 3  # from :30, 100 seconds touch three minutes


def test_events_record_keeps_the_arm_an_sdk_says_it_served(flag):
    result = services.events_record(events=[event(1, arm="treatment"), event(2, arm="off")])
    assert result.accepted == 2
    assert dict(Event.objects.values_list("event_id", "arm")) == {"e-1": "treatment",
                                                                  "e-2": "control"}
    assert dict(MinuteTotal.objects.values_list("arm", "count")) == {"treatment": 1,
                                                                    "control": 1}


def test_events_record_retried_batch_counts_once(flag):
    batch = [event(n) for n in range(50)]
    services.events_record(events=batch)

    retry = services.events_record(events=[*batch, event(50)])

    assert (retry.accepted, retry.duplicates) == (1, 50)
    assert Event.objects.count() == 51
    assert sum(MinuteTotal.objects.values_list("count", flat=True)) == 51


def test_events_record_same_id_twice_in_one_batch_counts_once(flag):
    result = services.events_record(events=[event(1), event(1)])
    assert (result.accepted, result.duplicates) == (1, 1)


@pytest.mark.parametrize("bad, reason", [
    ({"time": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, "in the future"),
    ({"time": (datetime.now(UTC) - timedelta(days=30)).isoformat()}, "older than"),
    ({"time": "yesterday"}, "not an ISO 8601"),
    ({"time": "2026-03-12T10:00:00"}, "no time zone"),
    ({"flag": "no-such-flag"}, "unknown flag"),
    ({"name": "page_view"}, "unknown metric"),
    ({"value": "ten"}, "must be a number"),
    ({"environment": "moon"}, "unknown environment"),
    ({"id": ""}, "id is required"),
    ({"arm": "sideways"}, "not treatment or control"),
    ({"arm": "treatment", "flag": ""}, "must name its flag"),
])
def test_events_record_rejects_bad_event_alone_with_reason(flag, bad, reason):
    result = services.events_record(events=[event(1), event(2, **bad), "not an object"])

    assert result.accepted == 1
    assert [r["index"] for r in result.rejected] == [1, 2]
    assert reason in result.rejected[0]["error"]
    assert "JSON object" in result.rejected[1]["error"]
    assert Event.objects.count() == 1


def test_events_record_with_too_many_events_is_refused_whole(flag):
    with pytest.raises(ValidationFailed, match="At most"):
        services.events_record(events=[event(n) for n in range(services.MAX_BATCH + 1)])
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_accepted_events_survive_a_new_database_connection(flag):
    services.events_record(events=[event(n) for n in range(10)])
    connection.close()
    assert Event.objects.count() == 10
    assert selectors.unique_users(flag=flag, environment="production",
                                  start=NOW - timedelta(minutes=1),
                                  end=NOW + timedelta(minutes=1)) == 7


def test_events_api_with_ingest_token_takes_its_environment(flag):
    _token, secret = flag_services.client_token_create(name="svc", environment="staging",
                                                       projects=["va"], kind="ingest",
                                                       actor=Actor.cli())
    client = Client(HTTP_AUTHORIZATION=secret)
    body = {"events": [event(1, environment=None), event(2, environment="production")]}

    response = client.post("/api/v1/events", json.dumps(body), content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1
    assert "only send events for 'staging'" in response.json()["rejected"][0]["error"]
    assert Event.objects.get().environment == "staging"


def test_events_api_with_malformed_body_answers_422_and_stores_nothing(flag, api_as, manager):
    api = api_as(manager)
    response = api.client.post("/api/v1/events", "{not json", content_type="application/json")
    assert response.status_code == 422
    assert api.post("/api/v1/events", {"things": []}).status_code == 422
    assert not Event.objects.exists()


def test_events_api_without_credentials_is_401(flag):
    response = Client().post("/api/v1/events", json.dumps({"events": [event(1)]}),
                             content_type="application/json")
    assert response.status_code == 401
    assert not Event.objects.exists()


def test_metric_declare_with_bad_key_is_refused():
    with pytest.raises(ValidationFailed, match="lower-case"):
        services.metric_declare(key="Download Clicks", actor=Actor.cli())


def test_metric_series_gives_per_minute_counts(flag):
    services.events_record(events=[event(n) for n in range(100)])
    series = selectors.metric_series(metric="download_click", environment="production",
                                     flag=flag, start=NOW - timedelta(minutes=1),
                                     end=NOW + timedelta(minutes=5))
    assert [count for _minute, count, _total in series] == [30, 60, 10]


def test_batch_that_fails_half_way_stores_nothing_and_its_retry_counts_once(flag, monkeypatch):
    from tminus.metrics import store

    batch = [event(n) for n in range(20)]

    def broken(events):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr(store, "add_to_minute_totals", broken)
        with pytest.raises(RuntimeError):
            services.events_record(events=batch)
    assert not Event.objects.exists()

    assert services.events_record(events=batch).accepted == 20
    assert sum(MinuteTotal.objects.values_list("count", flat=True)) == 20


def test_events_with_other_time_zones_count_in_their_utc_minute(flag):
    local = (NOW + timedelta(minutes=1)).astimezone(timezone(timedelta(hours=-5)))
    services.events_record(events=[{**event(1), "time": local.isoformat()}])
    assert MinuteTotal.objects.get().minute == (NOW + timedelta(minutes=1)).replace(second=0)


def test_gc_pause_restores_the_collector_after_nested_pauses():
    import gc

    from tminus.metrics.gcpause import cyclic_gc_paused

    assert gc.isenabled()
    with cyclic_gc_paused():
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.skipif(not os.environ.get("TMINUS_TEST_DATABASE_URL"),
                    reason="needs PostgreSQL (TMINUS_TEST_DATABASE_URL) to end its sessions")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_accepted_events_survive_the_database_ending_every_session(flag):
    result = services.events_record(events=[event(n) for n in range(10)])
    assert result.accepted == 10
    # The server ends the session that stored them, as a database restart does.
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    connection.close()

    assert Event.objects.count() == 10
    assert sum(MinuteTotal.objects.values_list("count", flat=True)) == 10
