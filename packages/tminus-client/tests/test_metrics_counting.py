"""Counting evaluations without a lock: every count from every thread is sent exactly once."""

import threading

from tminus_client import TMinusClient
from tminus_client.client.metrics import MetricsRecorder

from support.flags import flag, rollout, state_with
from support.states import checkout_state


def test_counts_from_eight_threads_taken_while_they_count_add_up_exactly():
    recorder = MetricsRecorder()
    buckets = []
    done = threading.Event()

    def count():
        for number in range(20_000):
            recorder.count("checkout", number % 2 == 0, "blue" if number % 4 == 0 else None)

    def take():
        while not done.is_set():
            bucket = recorder.take_bucket()
            if bucket:
                buckets.append(bucket)

    taker = threading.Thread(target=take)
    taker.start()
    counters = [threading.Thread(target=count) for _ in range(8)]
    for thread in counters:
        thread.start()
    for thread in counters:
        thread.join()
    done.set()
    taker.join()
    buckets.append(recorder.take_bucket() or {"toggles": {}})

    toggles = [b["toggles"]["checkout"] for b in buckets if "checkout" in b["toggles"]]
    assert sum(t["yes"] for t in toggles) == 8 * 10_000
    assert sum(t["no"] for t in toggles) == 8 * 10_000
    assert sum(t["variants"].get("blue", 0) for t in toggles) == 8 * 5_000
    assert recorder.take_bucket() is None  # nothing is sent twice


def test_counts_added_after_a_take_go_out_with_the_next_bucket_only():
    recorder = MetricsRecorder()
    recorder.count("checkout", True, "blue")
    first = recorder.take_bucket()["toggles"]["checkout"]
    recorder.count("checkout", True, "blue")
    recorder.count("checkout", False)

    second = recorder.take_bucket()["toggles"]["checkout"]

    assert first == {"yes": 1, "no": 0, "variants": {"blue": 1}}
    assert second == {"yes": 1, "no": 1, "variants": {"blue": 1}}


def test_a_bucket_that_could_not_be_sent_goes_out_with_the_next_one():
    recorder = MetricsRecorder()
    recorder.count("checkout", True)
    failed = recorder.take_bucket()
    recorder.restore(failed)
    recorder.count("checkout", False)

    assert recorder.take_bucket()["toggles"]["checkout"] == {"yes": 1, "no": 1, "variants": {}}


def test_client_is_enabled_counts_known_and_unknown_flags():
    client = TMinusClient.from_state(checkout_state())
    client.is_enabled("new-checkout", {"userId": "1"})
    client.is_enabled("no-such-flag", default=True)

    toggles = client._metrics.take_bucket()["toggles"]

    assert sum(toggles["new-checkout"][k] for k in ("yes", "no")) == 1
    assert toggles["no-such-flag"] == {"yes": 1, "no": 0, "variants": {}}


def test_client_reporting_users_sends_each_users_hash_once_per_answer():
    from tminus_client.client.metrics import user_hash

    client = TMinusClient.from_state(checkout_state(), report_users=True)
    answers = {user: client.is_enabled("new-checkout", {"userId": user})
               for user in ("1", "2", "3", "4", "5", "6", "7", "8")}
    for user in answers:  # a second evaluation of the same user is the same user
        client.is_enabled("new-checkout", {"userId": user})
    client.is_enabled("new-checkout", {})  # no user: counted, but no user to report

    toggle = client._metrics.take_bucket()["toggles"]["new-checkout"]

    assert toggle["yes"] + toggle["no"] == 17
    assert toggle["users"] == {
        "yes": sorted(user_hash(u) for u, on in answers.items() if on),
        "no": sorted(user_hash(u) for u, on in answers.items() if not on)}
    assert "1" not in toggle["users"]["yes"] + toggle["users"]["no"]


def test_users_of_a_bucket_that_could_not_be_sent_go_out_with_the_next_one():
    recorder = MetricsRecorder()
    recorder.count("checkout", True)
    recorder.count_user("checkout", True, {"userId": "ana"})
    recorder.restore(recorder.take_bucket())
    recorder.count("checkout", True)
    recorder.count_user("checkout", True, {"userId": "ana"})
    recorder.count_user("checkout", True, {"sessionId": "s-9"})

    users = recorder.take_bucket()["toggles"]["checkout"]["users"]

    assert len(users["yes"]) == 2 and users["no"] == []


def test_client_without_report_users_sends_no_users():
    client = TMinusClient.from_state(checkout_state())
    client.is_enabled("new-checkout", {"userId": "1"})
    assert "users" not in client._metrics.take_bucket()["toggles"]["new-checkout"]


def test_client_counts_a_child_flag_but_not_the_parent_checked_for_its_dependency():
    client = TMinusClient.from_state(state_with(
        flag("parent", rollout(100)),
        flag("child", rollout(100), dependencies=[{"feature": "parent"}]),
    ))

    assert client.is_enabled("child", {"userId": "ann"}) is True

    toggles = client._metrics.take_bucket()["toggles"]
    assert toggles == {"child": {"yes": 1, "no": 0, "variants": {}}}


def test_client_counts_an_evaluation_that_failed_once_as_no():
    client = TMinusClient.from_state(state_with(flag("on", rollout(100))))

    assert client.is_enabled("on", "not a context") is False  # type: ignore[arg-type]

    assert client._metrics.take_bucket()["toggles"]["on"] == {"yes": 0, "no": 1, "variants": {}}
    assert client.engine.errors.count == 1


def test_client_keeps_counting_a_flag_across_a_state_update():
    client = TMinusClient.from_state(state_with(flag("on", rollout(100))))
    client.is_enabled("on", {"userId": "ann"})

    client.engine.load(state_with(flag("on", rollout(0))))
    client.is_enabled("on", {"userId": "ann"})

    assert client._metrics.take_bucket()["toggles"]["on"] == {"yes": 1, "no": 1, "variants": {}}
