"""Queueing, claiming and finishing background work.

Claims are conditional UPDATEs on the job's row, which both SQLite and PostgreSQL run atomically:
of two workers racing for a job exactly one sees its update count as 1. A claimed job carries a
lease; a worker killed mid-job leaves it RUNNING with an expired lease, and the next worker
takes it.
"""

import logging
import traceback
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from tminus.worker.models import Job, Schedule
from tminus.worker.registry import Periodic, handler_for

log = logging.getLogger(__name__)
BACKOFF_BASE_SECONDS = 30
CLAIM_BATCH = 10


def job_enqueue(*, kind: str, payload: dict | None = None, run_at: datetime | None = None,
                dedupe_key: str | None = None, max_attempts: int = 5) -> Job | None:
    """Queue work; with a dedupe_key the same job is queued once however often it is asked."""
    try:
        with transaction.atomic():
            return Job.objects.create(kind=kind, payload=payload or {},
                                      run_at=run_at or timezone.now(), dedupe_key=dedupe_key,
                                      max_attempts=max_attempts)
    except IntegrityError:
        return None


def _claimable(now: datetime) -> Q:
    return Q(status=Job.PENDING, run_at__lte=now) | Q(status=Job.RUNNING, locked_until__lt=now)


def jobs_claim(*, worker_name: str, limit: int = CLAIM_BATCH) -> list[Job]:
    """Claim up to `limit` due jobs for this worker."""
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.WORKER_LEASE_SECONDS)
    candidate_ids = list(
        Job.objects.filter(_claimable(now)).order_by("run_at").values_list("id", flat=True)[:limit]
    )
    claimed = []
    for job_id in candidate_ids:
        won = Job.objects.filter(_claimable(now), pk=job_id).update(
            status=Job.RUNNING, locked_by=worker_name, locked_until=lease_until,
            attempts=F("attempts") + 1,
        )
        if won:
            claimed.append(Job.objects.get(pk=job_id))
    return claimed


def job_run(job: Job, *, worker_name: str) -> None:
    """Run a claimed job and record how it ended."""
    handler = handler_for(job.kind)
    try:
        if handler is None:
            raise LookupError(f"No handler for job kind {job.kind!r}.")
        handler(job.payload)
    except Exception as error:
        log.warning("job %s failed: %s", job, error)
        _job_failed(job, worker_name, "".join(traceback.format_exception_only(error)).strip())
        return
    Job.objects.filter(pk=job.pk, locked_by=worker_name).update(
        status=Job.DONE, finished_at=timezone.now(), locked_until=None, last_error=""
    )


def _job_failed(job: Job, worker_name: str, error: str) -> None:
    attempts = job.attempts
    if attempts >= job.max_attempts:
        update = {"status": Job.FAILED, "finished_at": timezone.now()}
    else:
        delay = BACKOFF_BASE_SECONDS * 2 ** (attempts - 1)
        update = {"status": Job.PENDING, "run_at": timezone.now() + timedelta(seconds=delay)}
    Job.objects.filter(pk=job.pk, locked_by=worker_name).update(
        last_error=error[:4000], locked_until=None, **update
    )


def periodic_claim(task: Periodic, *, worker_name: str) -> bool:
    """Claim this round of a periodic task; True for exactly one worker per round.

    The next round is due one interval after this one was due, not after it was claimed, so a
    task keeps its cadence however late in its slot a worker woke; after a pause longer than an
    interval it is due one interval from now.
    """
    now = timezone.now()
    schedule, _ = Schedule.objects.get_or_create(name=task.name, defaults={"next_run_at": now})
    if schedule.next_run_at > now:
        return False
    every = timedelta(seconds=task.every_seconds)
    following = schedule.next_run_at + every
    if following <= now:
        following = now + every
    # Conditional on the slot read: of two workers racing for it, one moves it.
    return bool(
        Schedule.objects.filter(pk=schedule.pk, next_run_at=schedule.next_run_at).update(
            next_run_at=following, last_run_at=now, last_run_by=worker_name,
        )
    )


def seconds_until_due(tasks: list[Periodic]) -> float:
    """How long until the next periodic task or job is due (0 when one is due already)."""
    now = timezone.now()
    names = {task.name for task in tasks}
    scheduled = dict(Schedule.objects.filter(name__in=names).values_list("name", "next_run_at"))
    if names - scheduled.keys():
        return 0.0  # a task that never ran is due now
    moments = list(scheduled.values())
    next_job = Job.objects.filter(status=Job.PENDING).order_by("run_at").values_list(
        "run_at", flat=True).first()
    lease_ends = Job.objects.filter(status=Job.RUNNING).order_by("locked_until").values_list(
        "locked_until", flat=True).first()
    moments += [moment for moment in (next_job, lease_ends) if moment is not None]
    if not moments:
        return float("inf")
    return max(0.0, (min(moments) - now).total_seconds())


def periodic_run(task: Periodic, *, worker_name: str) -> None:
    """Run one claimed round of a periodic task, keeping its last error."""
    try:
        task.run()
        error = ""
    except Exception as failure:
        log.warning("periodic task %s failed: %s", task.name, failure)
        error = "".join(traceback.format_exception_only(failure)).strip()
    Schedule.objects.filter(name=task.name).update(last_error=error[:4000])
