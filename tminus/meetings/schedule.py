"""A meeting's moment: its date and time of day read in its own time zone."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MAX_DURATION_MINUTES = 7 * 24 * 60


def zone(name: str) -> ZoneInfo:
    """The time zone of an IANA name such as Europe/Berlin; ValueError when there is none."""
    name = (name or "").strip()
    if not name:
        raise ValueError("Name a time zone, such as Europe/Berlin or UTC.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone; use an IANA name such as "
                         f"Europe/Berlin, America/New_York or UTC.") from None


def zone_names() -> list[str]:
    return sorted(available_timezones())


def starts_at(on: date | None, at: time | None, zone_name: str) -> datetime | None:
    """The aware start, or None while the date or time is not set."""
    if on is None or at is None:
        return None
    return datetime.combine(on, at, tzinfo=zone(zone_name))


def ends_at(start: datetime | None, duration_minutes: int) -> datetime | None:
    return start + timedelta(minutes=duration_minutes) if start else None


def duration_between(start: time, end: time) -> int:
    """Minutes from a start to an end time on the same day (negative when it ends first)."""
    today = date(2000, 1, 1)
    return int((datetime.combine(today, end) - datetime.combine(today, start)).total_seconds()
               // 60)
