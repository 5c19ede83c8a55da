"""Two real worker loops through a 30-second PostgreSQL outage: they survive, and roll back after.

The database is made unreachable the way a failover or a network cut looks to T-Minus: every
open connection is terminated and new ones are refused (`ALLOW_CONNECTIONS false`) for the whole
outage, then connections are allowed again.
"""

import os
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from tests.rollouts.conftest import SYSTEM
from tminus.rollouts import services
from tminus.rollouts.models import RolloutPlan
from tminus.worker.loop import run_forever
from tminus.worker.models import Heartbeat, Schedule

OUTAGE_SECONDS = 30

on_postgres = pytest.mark.skipif(
    not os.environ.get("TMINUS_TEST_DATABASE_URL", "").startswith(("postgres://",
                                                                    "postgresql://")),
    reason="needs PostgreSQL (TMINUS_TEST_DATABASE_URL): the outage is made with "
           "pg_terminate_backend and ALLOW_CONNECTIONS",
)
pytestmark = [on_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _server():
    """A connection to the server's maintenance database, outside the one that goes down."""
    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"],
                           password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)


@contextmanager
def database_down(name: str):
    with _server() as server:
        server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            server.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = %s AND pid <> pg_backend_pid()", [name])
            yield
        finally:
            server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"not within {seconds} s: {what}")


def _both_recovered(beats) -> bool:
    return ([beat.name for beat in beats] == ["outage-0", "outage-1"]
            and all(beat.last_error and beat.round_at > beat.last_error_at for beat in beats))


def test_two_workers_survive_a_database_outage_and_roll_back_within_a_round_after(
        plan, traffic, settings):
    settings.WORKER_BACKOFF_MAX_SECONDS = 2
    now = timezone.now()
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=now - timedelta(minutes=10))
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="UAT done",
                             now=now - timedelta(minutes=10))
    Schedule.objects.all().delete()
    stop = threading.Event()
    workers = [threading.Thread(target=run_forever, args=(f"outage-{n}",), kwargs={"stop": stop})
               for n in range(2)]
    for worker in workers:
        worker.start()
    try:
        wait_for(lambda: Heartbeat.objects.count() == 2, 20, "both workers beat")
        name = connection.settings_dict["NAME"]
        connection.close()
        with database_down(name):
            time.sleep(OUTAGE_SECONDS)
            assert all(worker.is_alive() for worker in workers)

        # Back: an error spike now must turn the flag off within one check (plus the back-off).
        traffic.events(timezone.now(), clicks=300, errors=30)
        traffic.exposures(timezone.now(), yes=300)
        round_seconds = django_settings.ROLLOUT_CHECK_SECONDS
        wait_for(lambda: RolloutPlan.objects.get(pk=plan.pk).status == "rolled_back",
                 settings.WORKER_BACKOFF_MAX_SECONDS + round_seconds + 2,
                 "the rollback trigger fired after the outage")
        assert all(worker.is_alive() for worker in workers)
        # Both recorded the failure and went through a round since (the other may still be
        # in its back-off when the first one rolled back).
        wait_for(lambda: _both_recovered(Heartbeat.objects.order_by("name")),
                 settings.WORKER_BACKOFF_MAX_SECONDS + round_seconds + 2,
                 "both workers went through a round after their failure")
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        # The outage ended this process's pooled sessions too: later tests start a fresh pool,
        # and this thread's own connection goes back first so that none is left on the old one.
        connection.close()
        if getattr(connection, "pool", None) is not None:
            connection.close_pool()
    assert not any(worker.is_alive() for worker in workers)
