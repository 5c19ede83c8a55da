"""Reading a KPI against its target: slots, verdicts of check-ins and the KPI's status.

Functions of rows already loaded; no queries.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from tminus.outcomes.schedule import Slot, parse_schedule, schedule_slots
from tminus.outcomes.targets import COUNT, Target, compare

MET, MISSED, PENDING, MISSING, NO_DATA = "met", "missed", "pending", "missing", "no_data"
VERDICT_LABELS = {MET: "Met", MISSED: "Missed", PENDING: "On the way", MISSING: "Missing",
                  NO_DATA: "No data yet"}


def kpi_target(kpi) -> Target:
    return Target(kpi.comparator, kpi.target_value, kpi.unit, kpi.name, kpi.window,
                  kpi.window_hours)


def kpi_schedule_text(kpi) -> str:
    return kpi.schedule or settings.KPI_CHECKIN_SCHEDULE


def kpi_slots(kpi) -> list[Slot]:
    """The KPI's scheduled check-ins; a schedule that no longer parses schedules none."""
    try:
        return schedule_slots(parse_schedule(kpi_schedule_text(kpi)))
    except ValueError:
        return []


def kpi_anchor_date(kpi):
    """The day check-ins count from: the release's go-live, or the product KPI's start."""
    if kpi.release_id:
        return kpi.release.go_live
    return kpi.starts_on


def kpi_anchor(kpi) -> datetime | None:
    day = kpi_anchor_date(kpi)
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def slot_due_at(kpi, slot: Slot) -> datetime | None:
    day = kpi_anchor_date(kpi)
    return slot.due_at(day, timezone.get_current_timezone()) if day else None


def window_end(kpi) -> datetime | None:
    """When the target must be reached: the end of its window ("in the first month"); a count
    to reach with no window ("50+ successful orders") has until the last scheduled check-in."""
    anchor = kpi_anchor(kpi)
    if anchor is None:
        return None
    if kpi.window_hours is not None:
        return anchor + timedelta(hours=kpi.window_hours)
    if kpi.unit == COUNT and kpi.comparator in (">=", ">"):
        dues = [slot_due_at(kpi, slot) for slot in kpi_slots(kpi)]
        return max(dues) if dues else None
    return None


def checkin_verdict(kpi, checkin) -> str:
    """met, missed, missing, or pending: below a 'reach N within the window' target while the
    window is still open, which is not yet a miss."""
    if checkin.status == "missing" or checkin.value is None:
        return MISSING
    if compare(checkin.value, kpi.comparator, kpi.target_value):
        return MET
    end = window_end(kpi)
    if kpi.comparator in (">=", ">") and end is not None and checkin.moment < end:
        return PENDING
    return MISSED


def kpi_status(kpi, checkins, now: datetime) -> str:
    """The verdict of the latest reading; a target still on the way once its window has closed
    has been missed."""
    recorded = [c for c in checkins if c.status == "recorded" and c.value is not None]
    if not recorded:
        return NO_DATA
    latest = max(recorded, key=lambda c: (c.moment, c.pk or 0))
    verdict = checkin_verdict(kpi, latest)
    end = window_end(kpi)
    if verdict == PENDING and end is not None and now >= end:
        return MISSED
    return verdict
