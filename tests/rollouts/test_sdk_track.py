"""Our SDK's track() against a real server: events carry the arm it served and are stored in
that arm; the server agrees with the arm it would have assigned itself."""

from datetime import timedelta

import pytest
from django.utils import timezone
from tminus_client import TMinusClient

from tests.rollouts.conftest import FLAG, SYSTEM, seed_definition
from tminus.flags import services as flags
from tminus.metrics import services as metrics
from tminus.metrics.models import Event
from tminus.releases.models import Release
from tminus.rollouts import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def canary(transactional_db):
    from tests.factories import make_release

    release = make_release(name="1095-B MVP", key="va-1095b")
    project = flags.project_create(key="va", actor=SYSTEM)
    flag = flags.flag_create(project=project, key=FLAG, release=release, actor=SYSTEM)
    for key in ("download_click", "download_error"):
        metrics.metric_declare(key=key, actor=SYSTEM)
    plan = services.rollout_plan_create(release=release, flag=flag, environment="production",
                                        definition_data=seed_definition(), actor=SYSTEM)
    start = timezone.now() - timedelta(minutes=5)
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=start)
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="UAT done", now=start)
    secrets = {kind: flags.client_token_create(name=kind, environment="production",
                                               projects=["va"], kind=kind, actor=SYSTEM)[1]
               for kind in ("client", "ingest")}
    assert Release.objects.exists()
    return secrets


def test_sdk_track_events_are_stored_in_the_arm_the_sdk_served(live_server, canary):
    client = TMinusClient(live_server.url, canary["client"], events_token=canary["ingest"],
                          environment="production", disable_metrics=True,
                          disable_registration=True, events_interval=60)
    try:
        assert client.wait_until_ready(5)
        users = [f"veteran-{n}" for n in range(300)]
        served = {user: client.is_enabled(FLAG, {"userId": user}) for user in users}
        for user in users:
            client.track("download_click", {"userId": user}, flag=FLAG)
        assert client.flush_events()
    finally:
        client.close()

    stored = dict(Event.objects.values_list("user_key", "arm"))
    assert stored == {u: "treatment" if on else "control" for u, on in served.items()}
    assert 10 < sum(served.values()) < 60  # the 10% canary, UAT users not among them
    # Sent without their arm, the same events are placed in the same arms by the server.
    result = metrics.events_record(events=[
        {"id": f"server-{u}", "name": "download_error", "time": timezone.now().isoformat(),
         "flag": FLAG, "context": {"userId": u}} for u in users], environment="production")
    assert result.accepted == 300
    placed = dict(Event.objects.filter(metric_key="download_error")
                  .values_list("user_key", "arm"))
    assert placed == stored
