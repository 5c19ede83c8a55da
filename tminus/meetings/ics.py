"""Calendar invitations (iCalendar, RFC 5545/5546) for a meeting, built with `icalendar`.

REQUEST invites or updates, CANCEL withdraws; the UID stays the same for the meeting's whole
life and SEQUENCE grows with every change, so calendars replace the event instead of adding
another. DTSTART and DTEND carry the meeting's time zone (TZID) with its VTIMEZONE.
"""

from datetime import UTC, datetime

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from tminus.meetings import schedule
from tminus.meetings.models import Meeting

PRODID = "-//T-Minus//Meetings//EN"


def _address(email: str, name: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def meeting_url(meeting: Meeting) -> str:
    return f"{settings.BASE_URL}/releases/{meeting.release.key}/meetings/{meeting.pk}/"


def description(meeting: Meeting) -> str:
    """The event's text: what it is for, the agenda, and where to find it in T-Minus."""
    parts = [meeting.description] if meeting.description else []
    if meeting.audience:
        parts.append(f"Audience: {meeting.audience}")
    if meeting.topics:
        parts.append("Topics:\n" + "\n".join(f"- {t}" for t in meeting.topics.splitlines() if t))
    agenda = [item.text for item in meeting.agenda.all()]
    if agenda:
        parts.append("Agenda:\n" + "\n".join(f"- {text}" for text in agenda))
    if meeting.link:
        parts.append(f"Join: {meeting.link}")
    parts.append(f"Release {meeting.release.name}: {meeting_url(meeting)}")
    return "\n\n".join(parts)


def invitation_ics(meeting: Meeting, *, method: str, sequence: int,
                   organiser: tuple[str, str], attendees: list[tuple[str, str, bool]]) -> str:
    """The iCalendar text of one invitation: attendees are (name, email, required)."""
    start = schedule.starts_at(meeting.date, meeting.start_time, meeting.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", schedule.ends_at(start, meeting.duration_minutes))
    event.add("summary", meeting.title)
    event.add("description", description(meeting))
    if meeting.location or meeting.link:
        event.add("location", meeting.location or meeting.link)
    if meeting.link:
        event.add("url", meeting.link)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event["organizer"] = _address(organiser[1], organiser[0])
    for name, email, required in attendees:
        event.add("attendee", _address(
            email, name, ROLE="REQ-PARTICIPANT" if required else "OPT-PARTICIPANT",
            PARTSTAT="NEEDS-ACTION", RSVP="TRUE"))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
