"""Worker heartbeats: each worker records its rounds, and the health check reads them.

A worker writes its row after every round that went through. A worker that died, hangs, or whose
rounds keep failing (the database is down, a lock is held) stops moving `round_at`; once that is
older than TMINUS_WORKER_STALE_SECONDS the worker counts as stale. With no live worker at all,
rollout checks, rollbacks, messages and reminders have stopped: `/healthz` answers 503 and admins
see a banner on every page.
"""

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from tminus.worker.models import Heartbeat

# Rows of workers that went away without saying so (killed, host gone) are kept this long for
# the health report, then dropped when the next worker starts.
FORGET_AFTER = timedelta(days=1)


def heartbeat_start(worker_name: str) -> None:
    """Register a starting worker (a first beat), and forget workers long gone."""
    now = timezone.now()
    Heartbeat.objects.filter(round_at__lt=now - FORGET_AFTER).delete()
    Heartbeat.objects.update_or_create(name=worker_name, defaults={
        "host": socket.gethostname(), "pid": os.getpid(), "started_at": now, "round_at": now,
        "last_error": "", "last_error_at": None,
    })


def heartbeat_round(worker_name: str) -> None:
    """Record that a round of this worker went through."""
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=worker_name).update(round_at=now)
    if not updated:  # the row was removed (an admin tidied up): register again
        heartbeat_start(worker_name)


def heartbeat_failed(worker_name: str, error: str, failed_at: datetime) -> None:
    """Keep a failed round's error with the worker; `round_at` stays where it was."""
    Heartbeat.objects.filter(name=worker_name).update(last_error=error[:4000],
                                                      last_error_at=failed_at)


def heartbeat_stop(worker_name: str) -> None:
    """A worker stopping on purpose leaves no stale row behind."""
    Heartbeat.objects.filter(name=worker_name).delete()


@dataclass
class WorkerHealth:
    """What the health check and the banner say about the workers."""

    required: bool
    stale_after_seconds: int
    workers: list[dict] = field(default_factory=list)

    @property
    def alive(self) -> int:
        return sum(1 for worker in self.workers if not worker["stale"])

    @property
    def ok(self) -> bool:
        return self.alive > 0 or not self.required

    @property
    def status(self) -> str:
        if self.alive:
            return "ok"
        return "stale" if self.workers else "missing"

    @property
    def last_round_at(self) -> datetime | None:
        return max((worker["last_round_at"] for worker in self.workers), default=None)

    @property
    def last_error(self) -> str:
        failed = [worker for worker in self.workers if worker["last_error_at"]]
        latest = max(failed, key=lambda worker: worker["last_error_at"], default=None)
        return latest["last_error"] if latest else ""

    def as_json(self, *, errors: bool) -> dict:
        """The state as JSON; error texts (which may name internal hosts) only with `errors`."""
        return {
            "status": self.status,
            "required": self.required,
            "alive": self.alive,
            "stale_after_seconds": self.stale_after_seconds,
            "workers": [
                {**worker, "last_round_at": _iso(worker["last_round_at"]),
                 "started_at": _iso(worker["started_at"]),
                 "last_error_at": _iso(worker["last_error_at"]),
                 "last_error": worker["last_error"] if errors else bool(worker["last_error"])}
                for worker in self.workers
            ],
        }


def worker_health(now: datetime | None = None) -> WorkerHealth:
    """Every known worker with how long ago its last round went through."""
    now = now or timezone.now()
    stale_after = settings.WORKER_STALE_SECONDS
    health = WorkerHealth(required=settings.HEALTH_REQUIRES_WORKER,
                          stale_after_seconds=stale_after)
    for beat in Heartbeat.objects.order_by("name"):
        age = (now - beat.round_at).total_seconds()
        health.workers.append({
            "name": beat.name, "host": beat.host, "pid": beat.pid,
            "started_at": beat.started_at, "last_round_at": beat.round_at,
            "seconds_since_round": round(max(age, 0), 1), "stale": age > stale_after,
            "last_error": beat.last_error, "last_error_at": beat.last_error_at,
        })
    return health


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
