"""When a time-triggered message is due, and when it counts as missed."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


def due_at(message) -> datetime | None:
    """The moment a time-triggered message goes out (in TMINUS_TIME_ZONE), or None if unknown."""
    if message.send_date is None:
        return None
    return timezone.make_aware(datetime.combine(message.send_date, message.send_time))


def missed_after() -> timedelta:
    return timedelta(hours=settings.COMMS_MISSED_AFTER_HOURS)


def is_due(message, now: datetime) -> bool:
    """Due now, and not so late that sending it would surprise people."""
    moment = due_at(message)
    return moment is not None and now - missed_after() <= moment <= now


def is_missed(message, now: datetime) -> bool:
    """Its moment passed longer ago than TMINUS_COMMS_MISSED_AFTER_HOURS: it is not sent by
    itself (a plan created late, or a go-live moved earlier); a person may still send it."""
    moment = due_at(message)
    return moment is not None and moment < now - missed_after()
