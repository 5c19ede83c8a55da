"""track(): metric events with the arm the client served, sent in batches with the ingest
token, flushed on close."""

from tminus_client import TMinusClient

from support.server import running_server, wait_for
from support.states import checkout_state

EVENTS = "/api/v1/events"


def half_on_state():
    state = checkout_state()
    state["features"][0]["strategies"] = [{"name": "flexibleRollout", "constraints": [],
                                           "parameters": {"rollout": "50", "stickiness": "default",
                                                          "groupId": "new-checkout"}}]
    return state


def test_track_sends_each_event_with_the_arm_served_and_the_ingest_token():
    with running_server(half_on_state()) as server:
        client = TMinusClient(server.url, "flags-token", events_token="ingest-token",
                              disable_metrics=True, disable_registration=True,
                              events_interval=0.05)
        assert client.wait_until_ready(5)
        served = {}
        for user in map(str, range(40)):
            served[user] = client.is_enabled("new-checkout", {"userId": user})
            client.track("download_click", {"userId": user}, flag="new-checkout")
        client.track("latency_ms", {"userId": "1"}, value=120.5)
        assert wait_for(lambda: sum(len(b["events"]) for b in server.bodies(EVENTS)) == 41)
        client.close()

    events = [e for body in server.bodies(EVENTS) for e in body["events"]]
    clicks = [e for e in events if e["name"] == "download_click"]
    assert {e["context"]["userId"]: e["arm"] == "treatment" for e in clicks} == served
    assert {True, False} == set(served.values())
    assert all(e["flag"] == "new-checkout" and e["time"].endswith("Z") for e in clicks)
    assert len({e["id"] for e in events}) == 41
    latency = next(e for e in events if e["name"] == "latency_ms")
    assert latency["value"] == 120.5 and "arm" not in latency and "flag" not in latency
    posts = [r for r in server.requests if r.path == EVENTS]
    assert {r.headers.get("authorization") for r in posts} == {"ingest-token"}


def test_track_does_not_count_as_an_evaluation_in_the_metrics():
    with running_server(checkout_state()) as server:
        client = TMinusClient(server.url, "t", events_token="i", metrics_interval=60,
                              events_interval=60)
        assert client.wait_until_ready(5)
        client.track("download_click", {"userId": "1"}, flag="new-checkout")
        client.close()
    assert not server.bodies("/api/client/metrics")
    assert server.bodies(EVENTS)[0]["events"][0]["arm"] == "treatment"


def test_track_without_an_events_token_sends_nothing_and_never_raises():
    with running_server(checkout_state()) as server:
        client = TMinusClient(server.url, "t", disable_metrics=True, disable_registration=True)
        client.track("download_click", {"userId": object()}, flag="new-checkout")
        client.close()
    assert not server.bodies(EVENTS)


def test_events_the_server_refuses_for_now_are_kept_for_the_next_flush():
    with running_server(checkout_state()) as server:
        client = TMinusClient(server.url, "t", events_token="i", disable_metrics=True,
                              disable_registration=True, events_interval=60)
        assert client.wait_until_ready(5)
        server.events_status = 503
        client.track("download_click", {"userId": "1"})
        assert client.flush_events() is False
        server.events_status = 200
        assert client.flush_events() is True
        client.close()
    assert [len(b["events"]) for b in server.bodies(EVENTS)] == [1, 1]
