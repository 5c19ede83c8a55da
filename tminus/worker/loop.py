"""The worker's main loop: run due periodic tasks, then claimed jobs, then wait a little.

No error of a round ends the loop: the database going away, a lock held too long or a bug in a
task is logged, the worker's connections are closed (the next round opens fresh ones), and the
round is tried again after a back-off that grows up to TMINUS_WORKER_BACKOFF_MAX_SECONDS. Each
round that goes through is recorded as the worker's heartbeat (tminus.worker.health).
"""

import logging
import os
import signal
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from tminus.worker import health, services
from tminus.worker.registry import periodic_tasks

log = logging.getLogger(__name__)
# Never spin: a task seen due but claimed by another worker meanwhile is looked at again soon.
MIN_IDLE_SECONDS = 0.05


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_once(worker_name: str) -> int:
    """One round of work; returns how many jobs and periodic tasks ran."""
    ran = 0
    for task in periodic_tasks():
        if services.periodic_claim(task, worker_name=worker_name):
            services.periodic_run(task, worker_name=worker_name)
            ran += 1
    for job in services.jobs_claim(worker_name=worker_name):
        services.job_run(job, worker_name=worker_name)
        ran += 1
    return ran


def run_forever(worker_name: str, stop: threading.Event | None = None) -> None:
    """Work until stopped by SIGTERM, SIGINT or the stop event, whatever a round raises."""
    autodiscover_modules("tasks")
    stop = stop or _stop_on_signals()
    log.info("worker %s started", worker_name)
    registered = False
    failures, last_failure = 0, None
    while not stop.is_set():
        try:
            close_old_connections()
            if not registered:
                health.heartbeat_start(worker_name)
                registered = True
            ran = run_once(worker_name)
            health.heartbeat_round(worker_name)
            if failures:
                _recovered(worker_name, failures, *last_failure)
            idle = 0.0 if ran else idle_seconds()
        except Exception as error:
            failures += 1
            last_failure = (_describe(error), timezone.now())
            delay = backoff_seconds(failures)
            _round_failed(worker_name, error, failures, delay)
            stop.wait(delay)
            continue
        failures, last_failure = 0, None
        if idle:
            stop.wait(idle)
    _forget_quietly(worker_name)
    log.info("worker %s stopped", worker_name)


def idle_seconds() -> float:
    """How long an idle worker sleeps: until the next task or job is due, at most the poll.

    Waking at the moment work is due keeps a 3-second check on 3 seconds, where sleeping a whole
    poll after each look would stretch it to the next multiple of the poll. The poll still caps
    the sleep: other processes queue jobs this worker cannot see coming.
    """
    due_in = services.seconds_until_due(periodic_tasks())
    return min(float(settings.WORKER_POLL_SECONDS), max(MIN_IDLE_SECONDS, due_in))


def backoff_seconds(failures: int) -> float:
    """How long to wait after so many failed rounds in a row: 1, 2, 4 … seconds, capped."""
    return float(min(settings.WORKER_BACKOFF_MAX_SECONDS, 2 ** (failures - 1)))


def _round_failed(worker_name: str, error: Exception, failures: int, delay: float) -> None:
    # The whole traceback once, then one line per further failure of the same outage.
    if failures == 1:
        log.exception("worker %s: round failed; retrying in %.0f s", worker_name, delay)
    else:
        log.error("worker %s: round failed again (%d in a row): %s; retrying in %.0f s",
                  worker_name, failures, error, delay)
    _close_connections()
    try:
        health.heartbeat_failed(worker_name, _describe(error), timezone.now())
    except Exception:  # the database is what failed: kept for when it is back (_recovered)
        _close_connections()


def _recovered(worker_name: str, failures: int, error: str, failed_at) -> None:
    log.warning("worker %s: rounds go through again after %d failed", worker_name, failures)
    # During an outage the error could not be written; now the heartbeat shows what happened.
    health.heartbeat_failed(worker_name, error, failed_at)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}".strip()


def _close_connections() -> None:
    """Drop this thread's connections, broken or not, so the next round connects afresh."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:  # someone else's transaction: theirs to end
            continue
        try:
            connection.close()
        except Exception:
            log.debug("closing a broken connection failed", exc_info=True)


def _forget_quietly(worker_name: str) -> None:
    try:
        health.heartbeat_stop(worker_name)
    except Exception:
        log.warning("worker %s: could not remove its heartbeat on the way out", worker_name)
    _close_connections()


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop
