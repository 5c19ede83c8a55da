"""Meetings people attend (UAT sessions, training, reviews ...), their invitations and feedback."""

from django.conf import settings
from django.db import models

from tminus.meetings.choices import (
    Attendance,
    InvitationStatus,
    InviteMethod,
    MeetingKind,
    MeetingStatus,
)
from tminus.people.models import Person
from tminus.releases.models import Release

USER = settings.AUTH_USER_MODEL


class Meeting(models.Model):
    """A meeting of a release: when (in its own time zone), where, who, and what came of it."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices,
                            default=MeetingKind.OTHER)
    title = models.CharField(max_length=300)
    # The date may follow go-live (date_offset) like checklist dates; the time of day and the
    # time zone stay as set.
    date = models.DateField(null=True, blank=True)
    date_offset = models.IntegerField(null=True, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64)
    duration_minutes = models.PositiveIntegerField(default=60)
    location = models.CharField(max_length=300, blank=True)
    link = models.URLField(max_length=500, blank=True)
    organiser = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    trainer = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    audience = models.CharField(max_length=300, blank=True)
    topics = models.TextField(blank=True)
    description = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=MeetingStatus.choices,
                              default=MeetingStatus.SCHEDULED)
    # The calendar identity of the invitations: one UID for the meeting's whole life, and a
    # SEQUENCE that grows with every change sent to the attendees.
    uid = models.CharField(max_length=200, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    # The date the attendees were last told; differs from `date` after go-live moved.
    invited_date = models.DateField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "start_time", "order", "id"]

    def __str__(self) -> str:
        return self.title


class MeetingAttendee(models.Model):
    """Someone expected at a meeting: a person, or a role such as 'Support Lead'."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    role = models.CharField(max_length=100, blank=True)
    # The name at the time they were added, kept if the person is removed later.
    name = models.CharField(max_length=200)
    required = models.BooleanField(default=True)
    attendance = models.CharField(max_length=10, choices=Attendance.choices,
                                  default=Attendance.UNKNOWN)
    feedback_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    feedback_comment = models.TextField(blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AgendaItem(models.Model):
    """One point of a meeting's agenda, ticked off as the meeting goes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    text = models.CharField(max_length=500)
    done = models.BooleanField(default=False)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """One calendar message to one address, kept until it is sent (and after, as a record)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    attendee = models.ForeignKey(MeetingAttendee, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="invitations")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    method = models.CharField(max_length=10, choices=InviteMethod.choices)
    sequence = models.PositiveIntegerField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    ics = models.TextField()
    status = models.CharField(max_length=12, choices=InvitationStatus.choices,
                              default=InvitationStatus.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.method} #{self.sequence} to {self.email}"
