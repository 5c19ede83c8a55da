"""The fixed vocabularies of staged rollouts."""

from django.db import models


class RolloutStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    AWAITING_APPROVAL = "awaiting_approval", "Waiting for approval"
    PAUSED = "paused", "Paused"
    HELD = "held", "Held by a trigger"
    ROLLED_BACK = "rolled_back", "Rolled back"
    COMPLETED = "completed", "Completed"


# The flag is served under the plan's control: triggers are checked all the time.
LIVE_STATUSES = frozenset({RolloutStatus.RUNNING, RolloutStatus.AWAITING_APPROVAL,
                           RolloutStatus.PAUSED, RolloutStatus.HELD})
# Not finished: a flag may have only one such plan per environment.
OPEN_STATUSES = LIVE_STATUSES | {RolloutStatus.DRAFT}


class Comparator(models.TextChoices):
    LT = "<", "below"
    LTE = "<=", "at most"
    GT = ">", "above"
    GTE = ">=", "at least"


class TriggerAction(models.TextChoices):
    ROLLBACK = "rollback", "Turn the flag off"
    HOLD = "hold", "Hold the stage and alert"


class Outcome(models.TextChoices):
    ADVANCED = "advanced", "Advanced"
    COMPLETED = "completed", "Completed"
    ROLLED_BACK = "rolled_back", "Rolled back"


class Moment(models.TextChoices):
    """What the timeline of a plan records."""

    CREATED = "created", "Plan created"
    UPDATED = "updated", "Plan changed"
    STARTED = "started", "Started"
    ADVANCED = "advanced", "Advanced"
    APPROVAL_REQUESTED = "approval_requested", "Approval requested"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    HELD = "held", "Held"
    ROLLED_BACK = "rolled_back", "Rolled back"
    COMPLETED = "completed", "Completed"
    CHECKIN = "checkin", "Check-in taken"
    CLEANUP = "cleanup", "Clean-up task created"
    NOTICE = "notice", "Notice"
