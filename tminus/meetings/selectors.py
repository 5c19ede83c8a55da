"""Reads of meetings. Lists run a fixed number of queries whatever their length."""

from datetime import date

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from tminus.core.errors import NotFound
from tminus.meetings.choices import Attendance, MeetingStatus
from tminus.meetings.models import Invitation, Meeting, MeetingAttendee
from tminus.releases.models import Release


def _with_counts(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.select_related("organiser", "trainer", "release").annotate(
        attendee_count=Count("attendees", distinct=True),
        attended_count=Count("attendees", filter=Q(attendees__attendance=Attendance.ATTENDED),
                             distinct=True),
        feedback_count=Count("attendees", filter=Q(attendees__feedback_rating__isnull=False),
                             distinct=True),
        rating_average=Avg("attendees__feedback_rating"),
    )


def meetings_of(release: Release, *, kind: str = "") -> QuerySet[Meeting]:
    """A release's meetings in date order, with attendance and feedback counts."""
    meetings = _with_counts(Meeting.objects.filter(release=release))
    return meetings.filter(kind=kind) if kind else meetings


def upcoming(*, start: date | None = None, limit: int = 200) -> QuerySet[Meeting]:
    """Scheduled meetings from a day on (today by default), across every release."""
    start = start or timezone.localdate()
    meetings = Meeting.objects.filter(status=MeetingStatus.SCHEDULED, date__gte=start)
    return _with_counts(meetings).select_related("release__product")[:limit]


def meeting_get(meeting_id: int) -> Meeting:
    meeting = (Meeting.objects.select_related("release", "release__product", "organiser",
                                              "trainer").filter(pk=meeting_id).first())
    if meeting is None:
        raise NotFound(f"No meeting {meeting_id}.")
    return meeting


def attendees(meeting: Meeting) -> QuerySet[MeetingAttendee]:
    return meeting.attendees.select_related("person")


def agenda(meeting: Meeting):
    return meeting.agenda.select_related("done_by")


def invitations(meeting: Meeting, limit: int = 200) -> QuerySet[Invitation]:
    return Invitation.objects.filter(meeting=meeting).order_by("-created_at", "-id")[:limit]


def feedback_summary(rows: list[MeetingAttendee]) -> dict:
    """Average rating and how many gave feedback, from attendees already loaded."""
    ratings = [row.feedback_rating for row in rows if row.feedback_rating]
    return {"count": len(ratings),
            "average": round(sum(ratings) / len(ratings), 2) if ratings else None}
