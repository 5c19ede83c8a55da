"""Plain dicts of meetings for the API."""

from tminus.meetings import schedule
from tminus.meetings.models import AgendaItem, Invitation, Meeting, MeetingAttendee


def _person(person) -> dict | None:
    if person is None:
        return None
    return {"id": person.pk, "name": person.name, "email": person.email}


def meeting_summary(meeting: Meeting) -> dict:
    start = schedule.starts_at(meeting.date, meeting.start_time, meeting.time_zone)
    return {
        "id": meeting.pk,
        "release": meeting.release.key,
        "kind": meeting.kind,
        "title": meeting.title,
        "status": meeting.status,
        "date": meeting.date,
        "date_offset": meeting.date_offset,
        "start_time": meeting.start_time,
        "time_zone": meeting.time_zone,
        "duration_minutes": meeting.duration_minutes,
        "starts_at": start,
        "ends_at": schedule.ends_at(start, meeting.duration_minutes),
        "location": meeting.location,
        "link": meeting.link,
        "organiser": _person(meeting.organiser),
        "trainer": _person(meeting.trainer),
        "audience": meeting.audience,
        "uid": meeting.uid,
        "sequence": meeting.sequence,
        "invitations_sent_at": meeting.invitations_sent_at,
        "attendee_count": getattr(meeting, "attendee_count", None),
        "attended_count": getattr(meeting, "attended_count", None),
        "rating_average": getattr(meeting, "rating_average", None),
        "revision": meeting.revision,
    }


def attendee_dict(attendee: MeetingAttendee) -> dict:
    return {
        "id": attendee.pk,
        "name": attendee.name,
        "person": _person(attendee.person),
        "role": attendee.role,
        "required": attendee.required,
        "attendance": attendee.attendance,
        "feedback_rating": attendee.feedback_rating,
        "feedback_comment": attendee.feedback_comment,
        "feedback_at": attendee.feedback_at,
    }


def agenda_dict(item: AgendaItem) -> dict:
    return {"id": item.pk, "text": item.text, "done": item.done,
            "done_by": item.done_by.username if item.done_by else None,
            "done_at": item.done_at}


def invitation_dict(invitation: Invitation) -> dict:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "name": invitation.name,
        "method": invitation.method,
        "sequence": invitation.sequence,
        "status": invitation.status,
        "attempts": invitation.attempts,
        "last_error": invitation.last_error,
        "created_at": invitation.created_at,
        "sent_at": invitation.sent_at,
    }


def meeting_detail(meeting: Meeting, attendees, agenda) -> dict:
    return {
        **meeting_summary(meeting),
        "topics": [t for t in meeting.topics.splitlines() if t.strip()],
        "description": meeting.description,
        "notes": meeting.notes,
        "decisions": meeting.decisions,
        "attendees": [attendee_dict(a) for a in attendees],
        "agenda": [agenda_dict(item) for item in agenda],
    }
