"""The fixed vocabularies of the communication plan."""

from django.db import models


class ChannelKind(models.TextChoices):
    SLACK = "slack", "Slack-compatible incoming webhook"
    WEBHOOK = "webhook", "JSON webhook"


# A message without a channel goes out as email over SMTP, one mail per recipient.
EMAIL = "email"


class Trigger(models.TextChoices):
    TIME = "time", "At a time"
    EVENT = "event", "On an event"


class MessageStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    RELEASED = "released", "Released"  # its deliveries exist; each has its own status
    FAILED = "failed", "Could not be sent"  # e.g. its audience resolved to nobody
    CANCELLED = "cancelled", "Cancelled"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class DeliveryPurpose(models.TextChoices):
    MESSAGE = "message", "Planned message"
    REMINDER = "reminder", "Checklist reminder"
    FLAG_CHANGE = "flag_change", "Flag change"
    FLAG_REMINDER = "flag_stale", "Stale flag reminder"
