"""Daily reminder digests for owners of checklist items that are due soon or overdue.

At most one digest per person per day: its delivery's dedupe_key is `reminder:<user>:<date>`, so
a second look on the same day (another worker, another hour) finds the key taken.
"""

from datetime import date, timedelta
from itertools import groupby

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tminus.comms.choices import DeliveryPurpose
from tminus.comms.content import release_url
from tminus.comms.delivery import delivery_enqueue
from tminus.comms.models import Delivery
from tminus.releases.choices import FINISHED_ITEM_STATUSES, ReleaseStatus
from tminus.releases.models import ChecklistItem


def reminder_items(today: date):
    """Open checklist items with an owner who has an email, due within the horizon or overdue."""
    horizon = today + timedelta(days=settings.REMINDER_DAYS_BEFORE)
    return (
        ChecklistItem.objects.filter(owner__isnull=False, owner__is_active=True,
                                     due_date__lte=horizon)
        .exclude(owner__email="")
        .exclude(status__in=FINISHED_ITEM_STATUSES)
        .exclude(release__status__in=[ReleaseStatus.CLOSED, ReleaseStatus.CANCELLED])
        .select_related("owner", "release")
        .order_by("owner_id", "release__key", "due_date", "id")
    )


def reminders_send(*, today: date | None = None) -> int:
    """Queue today's digest for every owner with items due soon or overdue; returns how many
    digests were new."""
    today = today or timezone.localdate()
    now = timezone.now()
    queued = 0
    for _owner_id, rows in groupby(reminder_items(today), key=lambda item: item.owner_id):
        items = list(rows)
        owner = items[0].owner
        subject, body = digest(owner, items, today)
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    dedupe_key=f"reminder:{owner.pk}:{today.isoformat()}",
                    purpose=DeliveryPurpose.REMINDER, user=owner, recipient=owner.email,
                    recipient_name=str(owner), subject=subject, body=body,
                    next_attempt_at=now, max_attempts=settings.COMMS_MAX_ATTEMPTS,
                )
                delivery_enqueue(delivery)
        except IntegrityError:
            continue  # today's digest for this person already exists
        queued += 1
    return queued


def digest(owner, items: list, today: date) -> tuple[str, str]:
    """The digest's subject and body: items grouped by release, overdue ones marked."""
    overdue = sum(1 for item in items if item.due_date < today)
    soon = len(items) - overdue
    parts = [f"{overdue} overdue"] if overdue else []
    parts += [f"{soon} due soon"] if soon else []
    subject = f"T-Minus: {' and '.join(parts)} checklist item{'s' if len(items) > 1 else ''}"
    lines = [f"Hello {owner},", "", "These checklist items are yours and still open:", ""]
    for _release_id, rows in groupby(items, key=lambda item: item.release_id):
        rows = list(rows)
        release = rows[0].release
        lines.append(f"{release.name} ({release.key}) - {release_url(release)}")
        lines += [f"  - {_when(item.due_date, today)}: {item.text}" for item in rows]
        lines.append("")
    lines.append("You get this at most once a day while you have open items that are due "
                 f"within {settings.REMINDER_DAYS_BEFORE} days or overdue.")
    return subject, "\n".join(lines) + "\n"


def _when(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return f"OVERDUE by {-days} day{'s' if days < -1 else ''} (due {due.isoformat()})"
    if days == 0:
        return f"due today ({due.isoformat()})"
    return f"due in {days} day{'s' if days > 1 else ''} ({due.isoformat()})"
