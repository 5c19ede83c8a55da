"""The worker's main loop: run due periodic tasks, then claimed jobs, then wait a little."""

import logging
import os
import signal
import socket
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import autodiscover_modules

from tminus.worker import services
from tminus.worker.registry import periodic_tasks

log = logging.getLogger(__name__)


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
    """Work until stopped by SIGTERM, SIGINT or the stop event."""
    autodiscover_modules("tasks")
    stop = stop or _stop_on_signals()
    log.info("worker %s started", worker_name)
    while not stop.is_set():
        close_old_connections()
        ran = run_once(worker_name)
        if not ran:
            stop.wait(settings.WORKER_POLL_SECONDS)
    log.info("worker %s stopped", worker_name)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop
