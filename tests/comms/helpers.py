from datetime import timedelta

from django.utils import timezone

from tminus.comms.models import Delivery
from tminus.worker.models import Job


def time_passes(seconds: int) -> None:
    """Move every pending delivery and job `seconds` into the past, as if time had passed."""
    for delivery in Delivery.objects.filter(status="pending"):
        delivery.next_attempt_at -= timedelta(seconds=seconds)
        delivery.save(update_fields=["next_attempt_at"])
    for job in Job.objects.filter(status="pending"):
        job.run_at -= timedelta(seconds=seconds)
        job.save(update_fields=["run_at"])


def seconds_until(moment) -> float:
    return (moment - timezone.now()).total_seconds()
