"""The worker's readings of each criterion and trigger, one row per minute, for the charts.

A check runs every few seconds; keeping the last reading of each minute is enough to draw a
stage's history and keeps the table small (a month-long rollout: some 43,000 rows per check).
"""

from datetime import datetime

from django.db import IntegrityError, transaction

from tminus.rollouts.checks import CheckResult
from tminus.rollouts.models import Criterion, Reading


def readings_record(plan, results: list[CheckResult], now: datetime) -> None:
    """Keep each result as its check's reading for the current minute."""
    minute = now.replace(second=0, microsecond=0)
    for result in results:
        target = ({"criterion": result.check} if isinstance(result.check, Criterion)
                  else {"trigger": result.check})
        values = {"plan": plan, "value": result.value, "sample": result.reading.sample,
                  "met": result.met, "error": (result.why or "")[:600]}
        if result.comparison is not None:
            found = result.comparison
            values.update(low=found.low, high=found.high, control_sample=found.control_n,
                          treatment_users=found.treatment_users,
                          control_users=found.control_users, verdict=found.verdict)
        try:
            with transaction.atomic():
                Reading.objects.update_or_create(minute=minute, **target, defaults=values)
        except IntegrityError:
            pass  # another worker wrote this minute's reading at the same moment
