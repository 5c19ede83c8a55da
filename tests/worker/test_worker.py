import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tminus.worker import services
from tminus.worker.loop import run_once
from tminus.worker.models import Job, Schedule
from tminus.worker.registry import job_handler, periodic

calls: list[dict] = []


@job_handler("test.record")
def _record(payload):
    calls.append(payload)


@job_handler("test.slow")
def _finish_slow(payload):
    # In this process the "slow" job finishes at once; the doomed subprocess registers a slow one.
    calls.append(payload)


@job_handler("test.explode")
def _explode(payload):
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _reset_calls():
    calls.clear()


@pytest.mark.django_db
def test_job_enqueue_with_same_dedupe_key_queues_once():
    first = services.job_enqueue(kind="test.record", payload={"n": 1}, dedupe_key="k1")
    second = services.job_enqueue(kind="test.record", payload={"n": 1}, dedupe_key="k1")
    assert first is not None and second is None
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_run_once_runs_due_job_and_marks_it_done():
    services.job_enqueue(kind="test.record", payload={"n": 1})
    run_once("w1")
    job = Job.objects.get()
    assert calls == [{"n": 1}]
    assert (job.status, job.attempts, job.locked_by) == ("done", 1, "w1")


@pytest.mark.django_db
def test_job_not_yet_due_is_left_alone():
    services.job_enqueue(kind="test.record", run_at=timezone.now() + timedelta(hours=1))
    run_once("w1")
    assert calls == []
    assert Job.objects.get().status == "pending"


@pytest.mark.django_db
def test_claimed_job_is_not_claimed_again_while_its_lease_holds():
    services.job_enqueue(kind="test.record")
    assert len(services.jobs_claim(worker_name="w1")) == 1
    assert services.jobs_claim(worker_name="w2") == []


@pytest.mark.django_db
def test_job_of_killed_worker_is_taken_over_after_lease_expires():
    services.job_enqueue(kind="test.record", payload={"n": 7})
    services.jobs_claim(worker_name="killed")  # claimed, never finished
    Job.objects.update(locked_until=timezone.now() - timedelta(seconds=1))

    run_once("survivor")

    job = Job.objects.get()
    assert (job.status, job.locked_by, job.attempts) == ("done", "survivor", 2)
    assert calls == [{"n": 7}]


@pytest.mark.django_db
def test_failing_job_is_retried_later_with_backoff_then_marked_failed():
    services.job_enqueue(kind="test.explode", max_attempts=2)
    run_once("w1")
    job = Job.objects.get()
    assert job.status == "pending" and "boom" in job.last_error
    assert job.run_at > timezone.now() + timedelta(seconds=20)

    Job.objects.update(run_at=timezone.now())
    run_once("w1")
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 2)


@pytest.mark.django_db
def test_job_of_unknown_kind_fails_with_message():
    services.job_enqueue(kind="test.nobody-handles-this", max_attempts=1)
    run_once("w1")
    job = Job.objects.get()
    assert job.status == "failed" and "No handler" in job.last_error


@pytest.mark.django_db
def test_periodic_task_runs_once_per_interval_across_workers():
    ticks = []
    periodic("test.tick", every_seconds=3600)(lambda: ticks.append(1))
    run_once("w1")
    run_once("w2")
    assert ticks == [1]
    assert Schedule.objects.get(name="test.tick").last_run_by == "w1"


postgres_only = pytest.mark.skipif(
    not os.environ.get("TMINUS_TEST_DATABASE_URL"),
    reason="needs PostgreSQL (TMINUS_TEST_DATABASE_URL): SQLite has no concurrent writers",
)


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_run_each_job_exactly_once():
    for n in range(40):
        services.job_enqueue(kind="test.record", payload={"n": n})

    def work(name):
        for _ in range(10):
            run_once(name)
        connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(c["n"] for c in calls) == list(range(40))
    assert set(Job.objects.values_list("status", flat=True)) == {"done"}


SLOW_WORKER = """
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
import django
django.setup()
from django.db import connections
from django.conf import settings
settings.DATABASES["default"]["NAME"] = sys.argv[1]
connections["default"].close()
from tminus.worker.registry import job_handler
from tminus.worker import services

@job_handler("test.slow")
def slow(payload):
    print("started", flush=True)
    time.sleep(60)

for job in services.jobs_claim(worker_name="doomed"):
    services.job_run(job, worker_name="doomed")
"""


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_killed_with_sigkill_mid_job_leaves_job_for_next_worker(settings):
    services.job_enqueue(kind="test.slow", payload={"n": 1})
    database = connection.settings_dict["NAME"]
    env = {**os.environ, "TMINUS_TEST_DATABASE_URL": os.environ["TMINUS_TEST_DATABASE_URL"]}
    doomed = subprocess.Popen([sys.executable, "-c", SLOW_WORKER, database], env=env,
                              stdout=subprocess.PIPE, text=True)
    assert doomed.stdout.readline().strip() == "started"
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)

    job = Job.objects.get()
    assert (job.status, job.locked_by) == ("running", "doomed")
    Job.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    run_once("next")

    job.refresh_from_db()
    assert (job.status, job.locked_by, job.attempts) == ("done", "next", 2)
    assert calls == [{"n": 1}]
