"""The fixed vocabularies of meetings and invitations."""

from django.db import models


class MeetingKind(models.TextChoices):
    UAT = "uat", "UAT session"
    TRAINING = "training", "Training"
    GO_NO_GO = "go_no_go", "Go/no-go"
    REVIEW = "review", "Review"
    RETROSPECTIVE = "retrospective", "Retrospective"
    OTHER = "other", "Other"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", "Not recorded"
    ATTENDED = "attended", "Attended"
    ABSENT = "absent", "Absent"
    EXCUSED = "excused", "Excused"


class InviteMethod(models.TextChoices):
    REQUEST = "REQUEST", "Invitation or update"
    CANCEL = "CANCEL", "Cancellation"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will be retried)"
    SUPERSEDED = "superseded", "Replaced by a newer one before it went out"
