"""Evaluating while another thread updates the state: no errors, no torn reads."""

import threading

from tminus_client.engine import FlagEngine

from support.flags import flag, rollout, state_with


def test_evaluation_during_concurrent_delta_updates_never_fails():
    engine = FlagEngine(state_with(flag("steady", rollout(100)), flag("toggling")))
    stop = threading.Event()
    failures: list[BaseException] = []

    def evaluate():
        try:
            while not stop.is_set():
                assert engine.is_enabled("steady", {"userId": "1"}) is True
                engine.get_variant("toggling", {"userId": "1"})
        except BaseException as exc:
            failures.append(exc)

    readers = [threading.Thread(target=evaluate) for _ in range(4)]
    for reader in readers:
        reader.start()
    for n in range(300):
        engine.apply_delta([{"type": "feature-updated",
                             "feature": flag("toggling", enabled=n % 2 == 0)}])
    stop.set()
    for reader in readers:
        reader.join()

    assert failures == []
    assert engine.errors.count == 0
    assert engine.is_enabled("toggling") is False
