"""One Prometheus that hangs must not delay the rollbacks of other plans: queries are
time-boxed and started together, and plans that do not wait on them are decided first."""

import socket
import threading

import pytest

from tests.rollouts.conftest import SYSTEM, Traffic, minutes_ago, seed_definition
from tminus.core.events import on
from tminus.flags import services as flags
from tminus.rollouts import services
from tminus.rollouts.models import Reading, RolloutPlan

HUNG_TRIGGER = {"source": "prometheus", "query": "sum(errors)", "comparator": ">",
                "threshold": 1, "window_minutes": 5, "action": "rollback"}
ERRORS = {"metric": "download_error", "aggregation": "count", "comparator": ">",
          "threshold": 3, "window_minutes": 5, "action": "rollback"}


class HungServer:
    """Accepts connections and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.sock.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def hung():
    server = HungServer()
    yield server
    server.close()


def live_canary(release, flag, triggers):
    plan = services.rollout_plan_create(release=release, flag=flag, environment="production",
                                        definition_data=seed_definition(triggers=triggers),
                                        actor=SYSTEM)
    start = minutes_ago(20)
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=start)
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="UAT done", now=start)
    return plan


def test_hung_prometheus_of_one_plan_does_not_hold_back_five_rollbacks(
        flag, release, sdk_secret, hung, settings):
    settings.PROMETHEUS_TIMEOUT_SECONDS = 1
    slow = live_canary(release, flag, [{**HUNG_TRIGGER, "url": hung.url}])
    project = flag.project
    others, traffic = [], Traffic(sdk_secret)
    for n in range(5):
        other = flags.flag_create(project=project, key=f"other-{n}", release=release,
                                  actor=SYSTEM)
        others.append(live_canary(release, other, [ERRORS]))
        traffic.events(minutes_ago(1), clicks=10, errors=5, flag=other.key)
    seen_slow_reading = []

    @on("rollout.rolled_back")
    def note(*, event, release, payload, actor):
        seen_slow_reading.append(Reading.objects.filter(trigger__plan=slow).exists())

    try:
        said = services.rollouts_check()
    finally:
        from tminus.core import events

        events._listeners["rollout.rolled_back"].remove(note)

    assert [said[p.key] for p in others] == ["rolled back"] * 5
    # Each of the five was rolled back before the hung query's plan was even decided.
    assert seen_slow_reading == [False] * 5
    reading = Reading.objects.get(trigger__plan=slow)
    assert reading.value is None and "did not answer within 1 s" in reading.error
    assert RolloutPlan.objects.get(pk=slow.pk).status == "running"
