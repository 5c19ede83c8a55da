"""The fixed vocabularies of deployment day."""

from django.db import models


class Stage(models.TextChoices):
    PRE = "pre", "Pre-deployment"
    EXECUTION = "execution", "Deployment execution"
    POST = "post", "Post-deployment"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class StepStatus(models.TextChoices):
    PENDING = "pending", "Not started"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Success"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


# A step in one of these states is over: it has (or never needs) an end time.
ENDED_STEP_STATUSES = (StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.SKIPPED)


class PhaseStatus(models.TextChoices):
    """A phase's status is never stored: it follows from its steps (see selectors)."""

    PENDING = "pending", "Not started"
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
