"""The fixed vocabularies of feature flags."""

from django.db import models


class FlagType(models.TextChoices):
    RELEASE = "release", "Release"
    EXPERIMENT = "experiment", "Experiment"
    OPERATIONAL = "operational", "Operational"
    KILL_SWITCH = "kill-switch", "Kill switch"
    PERMISSION = "permission", "Permission"


# Expected lifetime in days, as Unleash has it; None means the flag never goes stale.
EXPECTED_LIFETIME_DAYS = {
    FlagType.RELEASE: 40,
    FlagType.EXPERIMENT: 40,
    FlagType.OPERATIONAL: 7,
    FlagType.KILL_SWITCH: None,
    FlagType.PERMISSION: None,
}

DEFAULT_ENVIRONMENTS = [
    ("development", "Development"),
    ("staging", "Staging"),
    ("production", "Production"),
]


class TokenKind(models.TextChoices):
    CLIENT = "client", "Backend (client) token"
    FRONTEND = "frontend", "Frontend token"
    # Sends metric events (POST /api/v1/events) for its projects and environment; reads nothing.
    INGEST = "ingest", "Metrics ingestion token"


class ChangeKind(models.TextChoices):
    FEATURE_UPDATED = "feature-updated", "Flag updated"
    FEATURE_REMOVED = "feature-removed", "Flag removed"
    SEGMENT_UPDATED = "segment-updated", "Segment updated"
    SEGMENT_REMOVED = "segment-removed", "Segment removed"


# Strategy names built into every Unleash SDK, with the parameters each one reads.
STRATEGY_LABELS = {
    "default": "Standard (on for everyone)",
    "flexibleRollout": "Gradual rollout",
    "userWithId": "User IDs",
    "remoteAddress": "IP addresses",
    "applicationHostname": "Hostnames",
    "gradualRolloutUserId": "Gradual rollout by user ID (legacy)",
    "gradualRolloutSessionId": "Gradual rollout by session ID (legacy)",
    "gradualRolloutRandom": "Random gradual rollout (legacy)",
}


class ChangeRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for approval"
    APPROVED = "approved", "Approved, waiting for its time"
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Could not be applied"


# Still to be decided or applied.
PENDING_CHANGE_STATUSES = (ChangeRequestStatus.OPEN, ChangeRequestStatus.APPROVED)
