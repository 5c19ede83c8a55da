"""The email that carries an invitation: a text body, the calendar part and an .ics file."""

from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage

from tminus.meetings import schedule
from tminus.meetings.models import Invitation, Meeting


def system_address() -> tuple[str, str]:
    """(name, email) of the address T-Minus sends from."""
    name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or "T-Minus", email or "tminus@localhost"


def when_text(meeting: Meeting) -> str:
    start = schedule.starts_at(meeting.date, meeting.start_time, meeting.time_zone)
    if start is None:
        return "not scheduled yet"
    end = schedule.ends_at(start, meeting.duration_minutes)
    return f"{start:%a %d %b %Y, %H:%M} to {end:%H:%M} ({meeting.time_zone})"


def subject_for(meeting: Meeting, method: str, sequence: int) -> str:
    start = schedule.starts_at(meeting.date, meeting.start_time, meeting.time_zone)
    when = f" - {start:%a %d %b %Y %H:%M}" if start else ""
    if method == "CANCEL":
        return f"Cancelled: {meeting.title}{when}"[:300]
    prefix = "Updated invitation" if sequence else "Invitation"
    return f"{prefix}: {meeting.title}{when}"[:300]


def body_for(meeting: Meeting, method: str, ics_description: str) -> str:
    opening = ("This meeting is cancelled." if method == "CANCEL"
               else "You are invited to this meeting.")
    lines = [opening, "", meeting.title, f"When: {when_text(meeting)}"]
    if meeting.location:
        lines.append(f"Where: {meeting.location}")
    if meeting.link:
        lines.append(f"Join: {meeting.link}")
    return "\n".join([*lines, "", ics_description, ""])


def invitation_message(invitation: Invitation, connection=None) -> EmailMessage:
    """The email for an invitation, ready to send."""
    message = EmailMessage(
        subject=invitation.subject, body=invitation.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((invitation.name, invitation.email))], connection=connection,
    )
    # Calendar clients look for a text/calendar part whose method says what it is.
    calendar_part = MIMEText(invitation.ics, "calendar", "utf-8")
    calendar_part.set_param("method", invitation.method)
    message.attach(calendar_part)
    message.attach("invite.ics", invitation.ics, "application/ics")
    return message
