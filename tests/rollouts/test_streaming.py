"""A change the worker makes reaches an SDK on the streaming endpoint in under a second.

Served by the production ASGI server (uvicorn) in a thread, as the flags area tests streaming.
"""

import socket
import threading
import time
from datetime import timedelta

import pytest
import uvicorn
from django.core.asgi import get_asgi_application
from django.utils import timezone
from tminus_client import TMinusClient

from tests.rollouts.conftest import FLAG, SYSTEM, UAT_USERS
from tminus.flags import streaming
from tminus.flags.revisions import flags_state_changed
from tminus.rollouts import services

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, timeout: float = 5.0) -> float | None:
    """Seconds until condition() held, or None if it never did within the timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.005)
    return None


@pytest.fixture
def asgi_server(transactional_db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(get_asgi_application(), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert wait_for(lambda: server.started, timeout=10), "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    # The flags stream watcher reads the database until its last stream is closed: let it stop
    # while this test still has its database.
    wait_for(lambda: streaming.watch._thread is None, timeout=3)


def share(client, users) -> float:
    return sum(client.is_enabled(FLAG, {"userId": f"u{n}"}) for n in users) / len(users)


@pytest.fixture
def streaming_sdk(asgi_server, sdk_secret):
    client = TMinusClient(asgi_server, sdk_secret, streaming=True, refresh_interval=60,
                          disable_metrics=True, disable_registration=True)
    assert client.wait_until_ready(5)
    assert wait_for(lambda: client.status.stream_connected) is not None
    yield client
    client.close()


@pytest.mark.parametrize("same_process", [True, False], ids=["in-process", "other-process"])
def test_worker_advance_reaches_a_streaming_sdk_in_under_a_second(plan, traffic, streaming_sdk,
                                                                  same_process):
    now = timezone.now()
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=now - timedelta(hours=2))
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="UAT done",
                             now=now - timedelta(hours=2))
    traffic.events(now - timedelta(minutes=100), clicks=400, errors=1)
    services.rollout_evaluate(plan=plan, now=now - timedelta(minutes=90))
    assert wait_for(lambda: 0.05 < share(streaming_sdk, range(2000)) < 0.15) is not None
    if not same_process:  # as when the worker runs in its own process: only the poll sees it
        flags_state_changed.disconnect(dispatch_uid="flags-stream-kick")
    try:
        assert services.rollouts_check() == {plan.key: "advanced"}
        elapsed = wait_for(lambda: share(streaming_sdk, range(2000)) > 0.4, timeout=3)
    finally:
        flags_state_changed.connect(streaming.watch.kick, dispatch_uid="flags-stream-kick")

    assert elapsed is not None and elapsed < 1.0  # from the worker's commit to the SDK
    assert all(streaming_sdk.is_enabled(FLAG, {"userId": user}) for user in UAT_USERS)
    assert streaming_sdk.status.fetches == 0  # the stream carried every change, no poll


def test_rollback_reaches_a_streaming_sdk_in_under_a_second(plan, streaming_sdk):
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go")
    assert wait_for(lambda: streaming_sdk.is_enabled(FLAG, {"userId": UAT_USERS[0]}))

    services.rollout_rollback(plan=plan, actor=SYSTEM, reason="errors in the PDF service")
    elapsed = wait_for(lambda: not streaming_sdk.is_enabled(FLAG, {"userId": UAT_USERS[0]}))

    assert elapsed is not None and elapsed < 1.0
