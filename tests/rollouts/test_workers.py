"""Several workers, and a worker killed half-way through a step, on PostgreSQL."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.rollouts.conftest import SYSTEM
from tminus.flags.models import Strategy
from tminus.rollouts import audience, services
from tminus.rollouts.models import RolloutPlan, StageRun, TimelineEntry
from tminus.worker.models import Schedule

postgres_only = pytest.mark.skipif(
    not os.environ.get("TMINUS_TEST_DATABASE_URL"),
    reason="needs PostgreSQL (TMINUS_TEST_DATABASE_URL): SQLite has no concurrent writers",
)
pytestmark = [postgres_only, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def due_canary(plan, traffic):
    """A plan in its 10% stage whose criteria have held for its hour: the next check advances."""
    now = timezone.now()
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=now - timedelta(hours=2))
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="UAT done",
                             now=now - timedelta(hours=2))
    traffic.events(now - timedelta(minutes=100), clicks=400, errors=1)
    assert services.rollout_evaluate(plan=plan, now=now - timedelta(minutes=90)) == "waiting"
    plan.refresh_from_db()
    return plan


def percentage(plan) -> str:
    return Strategy.objects.get(pk=plan.strategy_ids["percentage"]).parameters["rollout"]


def test_two_workers_checking_at_once_advance_the_plan_once(plan, traffic, monkeypatch):
    plan = due_canary(plan, traffic)
    real_apply = audience.audience_apply

    def slow_apply(*args, **kwargs):
        time.sleep(0.5)  # hold the claimed row while the other worker tries to claim it
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(audience, "audience_apply", slow_apply)
    start = threading.Barrier(2)
    said = []

    def worker():
        start.wait()
        said.append(services.rollout_evaluate(plan=RolloutPlan.objects.get(pk=plan.pk)))
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(said) == ["advanced", "skipped"]
    plan.refresh_from_db()
    assert plan.stage_index == 2 and percentage(plan) == "50"
    assert TimelineEntry.objects.filter(plan=plan, moment="advanced").count() == 2  # UAT, 10%
    assert StageRun.objects.filter(plan=plan, stage__percentage=50).count() == 1


DOOMED_WORKER = """
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
import django
django.setup()
from django.conf import settings
from django.db import connections
settings.DATABASES["default"]["NAME"] = sys.argv[1]
connections["default"].close()
from tminus.rollouts import audience
from tminus.worker.loop import run_forever

real_apply = audience.audience_apply

def apply_then_hang(*args, **kwargs):
    ids = real_apply(*args, **kwargs)  # the flag is changed, the transaction still open
    print("mid-step", flush=True)
    time.sleep(120)
    return ids

audience.audience_apply = apply_then_hang
run_forever("doomed")
"""


def test_worker_killed_mid_step_leaves_no_half_done_state_and_the_next_carries_on(plan,
                                                                                  traffic):
    plan = due_canary(plan, traffic)
    Schedule.objects.all().delete()  # the real worker loop claims the periodic check at once
    env = {**os.environ, "TMINUS_TEST_DATABASE_URL": os.environ["TMINUS_TEST_DATABASE_URL"]}
    doomed = subprocess.Popen([sys.executable, "-c", DOOMED_WORKER,
                               connection.settings_dict["NAME"]], env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert doomed.stdout.readline().strip() == "mid-step"
        # Half-way: the worker has switched the flag to 50% inside its transaction.
        fresh = RolloutPlan.objects.get(pk=plan.pk)
        assert (fresh.step, fresh.stage_index, percentage(fresh)) == (plan.step, 1, "10")
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)

    fresh = RolloutPlan.objects.get(pk=plan.pk)
    assert (fresh.step, fresh.stage_index, percentage(fresh)) == (plan.step, 1, "10")
    assert StageRun.objects.get(plan=plan, stage__percentage=10).ended_at is None

    assert services.rollouts_check() == {plan.key: "advanced"}

    fresh.refresh_from_db()
    assert (fresh.step, fresh.stage_index, percentage(fresh)) == (plan.step + 1, 2, "50")
    runs = list(StageRun.objects.filter(plan=plan).order_by("started_at", "id"))
    assert [(r.stage.percentage, r.outcome) for r in runs] == [
        (None, "advanced"), (10, "advanced"), (50, "")]
    assert TimelineEntry.objects.filter(plan=plan, moment="advanced").count() == 2
