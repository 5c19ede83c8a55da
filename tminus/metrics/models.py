"""Metrics: declared metrics, raw events kept for audit and unique users, per-minute totals."""

import re

from django.core.validators import RegexValidator
from django.db import models

METRIC_KEY = re.compile(r"^[a-z][a-z0-9_.-]{0,99}$")


class Metric(models.Model):
    """A metric events may report, such as `download_click` or `download_error`."""

    key = models.CharField(max_length=100, unique=True, validators=[RegexValidator(METRIC_KEY)])
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=30, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name or self.key


class Event(models.Model):
    """One event as received. The idempotency id makes a retried batch count once."""

    event_id = models.CharField(max_length=100, unique=True)
    metric_key = models.CharField(max_length=100)
    occurred_at = models.DateTimeField()
    value = models.FloatField(default=1.0)
    environment = models.CharField(max_length=100)
    flag_key = models.CharField(max_length=255, blank=True)
    variant = models.CharField(max_length=255, blank=True)
    # The rollout arm the user was in: "treatment" (served the flag), "control", or unknown.
    arm = models.CharField(max_length=10, blank=True)
    user_key = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["flag_key", "environment", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.metric_key} {self.occurred_at:%Y-%m-%d %H:%M:%S} ({self.event_id})"


class MinuteTotal(models.Model):
    """Events of one metric, flag, variant, arm and environment within one minute, added up.

    Criteria read these, never the raw events, so checking a rollout stays cheap at any volume.
    The sum of squares gives a mean's variance, which comparisons between arms need.
    """

    metric_key = models.CharField(max_length=100)
    environment = models.CharField(max_length=100)
    flag_key = models.CharField(max_length=255, blank=True)
    variant = models.CharField(max_length=255, blank=True)
    arm = models.CharField(max_length=10, blank=True)
    minute = models.DateTimeField()
    count = models.BigIntegerField(default=0)
    total = models.FloatField(default=0.0)
    total_squares = models.FloatField(default=0.0)
    minimum = models.FloatField(null=True)
    maximum = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["metric_key", "environment", "flag_key", "variant", "arm", "minute"],
                name="metrics_minute_total_arm_unique",
            )
        ]
        indexes = [models.Index(fields=["flag_key", "environment", "metric_key", "minute"])]

    def __str__(self) -> str:
        return f"{self.metric_key} {self.minute:%Y-%m-%d %H:%M} x{self.count}"
