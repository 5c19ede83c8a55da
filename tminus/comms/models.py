"""The communication plan: channels, messages per release, placeholder values and deliveries."""

from datetime import time

from django.conf import settings
from django.db import models

from tminus.comms.choices import (
    ChannelKind,
    DeliveryPurpose,
    DeliveryStatus,
    MessageStatus,
    Trigger,
)
from tminus.releases.models import Release

DEFAULT_SEND_TIME = time(9, 0)


class Channel(models.Model):
    """A webhook that messages can be posted to (email needs no channel row)."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    url = models.CharField(max_length=500)
    # The signing secret is needed again for every post, so it is kept encrypted (not hashed);
    # only its last characters are ever shown.
    secret_encrypted = models.TextField(blank=True)
    secret_hint = models.CharField(max_length=8, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)


class Message(models.Model):
    """One message of a release's plan, sent at a time (often an offset from go-live) or on an
    event, to an audience over email or a channel."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="messages")
    name = models.CharField(max_length=200)
    template_key = models.CharField(max_length=60, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="messages")
    audience = models.JSONField(default=list, blank=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.TIME)
    event = models.CharField(max_length=60, blank=True)
    send_date = models.DateField(null=True, blank=True, db_index=True)
    send_offset = models.IntegerField(null=True, blank=True)
    send_time = models.TimeField(default=DEFAULT_SEND_TIME)
    status = models.CharField(max_length=10, choices=MessageStatus.choices,
                              default=MessageStatus.SCHEDULED, db_index=True)
    released_at = models.DateTimeField(null=True, blank=True)
    problem = models.TextField(blank=True)
    event_payload = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["send_date", "send_time", "order", "id"]
        indexes = [models.Index(fields=["status", "trigger", "send_date"])]

    def __str__(self) -> str:
        return self.name


class PlaceholderValue(models.Model):
    """A release's own placeholder, such as {support_email}, and its value."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE,
                                related_name="placeholder_values")
    key = models.CharField(max_length=60)
    value = models.TextField(blank=True)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["release", "key"],
                                               name="comms_placeholder_unique_key")]

    def __str__(self) -> str:
        return f"{{{self.key}}}"


class Delivery(models.Model):
    """One message to one recipient (an address, or a channel), or one reminder digest.

    Sending claims the row with a conditional update (pending -> sending) so that of several
    workers exactly one sends it; the outcome (sent, or the error) stays on the row.
    """

    # Unique, so noticing the same due message twice never creates a second delivery.
    dedupe_key = models.CharField(max_length=200, unique=True)
    purpose = models.CharField(max_length=20, choices=DeliveryPurpose.choices,
                               default=DeliveryPurpose.MESSAGE)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="deliveries")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    recipient = models.CharField(max_length=320)
    recipient_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    # Bumped by each retry a person asks for, so that retry gets jobs of its own.
    round = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    # What a JSON webhook receives for a delivery that is not a planned message (a flag change).
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.subject or self.purpose} to {self.recipient}"

    @property
    def kind(self) -> str:
        return self.channel.kind if self.channel_id else "email"


class FlagSubscription(models.Model):
    """Flag changes delivered to a channel or an email address, optionally only those of one
    flag project and/or environment (empty means every one)."""

    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="flag_subscriptions")
    email = models.EmailField(blank=True)
    project = models.CharField(max_length=100, blank=True)
    environment = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        target = self.channel.name if self.channel_id else self.email
        scope = "/".join(part or "*" for part in (self.project, self.environment))
        return f"flag changes in {scope} to {target}"

    def matches(self, project: str, environment: str) -> bool:
        """A change without an environment (a flag archived) concerns every environment."""
        return ((not self.project or self.project == project)
                and (not self.environment or not environment
                     or self.environment == environment))
