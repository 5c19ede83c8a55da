"""The fixed vocabularies of a release plan."""

from django.db import models


class ReleaseType(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"
    PATCH = "patch", "Patch"
    HOTFIX = "hotfix", "Hotfix"


class ReleaseStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    DEVELOPMENT = "development", "Development"
    TESTING = "testing", "Testing"
    STAGING = "staging", "Staging"
    READY = "ready", "Ready"
    DEPLOYING = "deploying", "Deploying"
    LIVE = "live", "Live"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"
    ROLLED_BACK = "rolled_back", "Rolled back"


class ScopeKind(models.TextChoices):
    FEATURE = "feature", "Feature"
    ENHANCEMENT = "enhancement", "Enhancement"
    BUG_FIX = "bug_fix", "Bug fix"
    KNOWN_ISSUE = "known_issue", "Known issue"


class ScopeStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class ItemStatus(models.TextChoices):
    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Not needed"


# Items in these states count as finished for progress and are never overdue.
FINISHED_ITEM_STATUSES = (ItemStatus.DONE, ItemStatus.SKIPPED)


class MilestoneKind(models.TextChoices):
    PLANNING_START = "planning_start", "Planning start"
    FEATURE_FREEZE = "feature_freeze", "Feature freeze"
    CODE_COMPLETE = "code_complete", "Code complete"
    TESTING_COMPLETE = "testing_complete", "Testing complete"
    GO_NO_GO = "go_no_go", "Go/no-go meeting"
    GO_LIVE = "go_live", "Go-live"
    REVIEW = "review", "Review"
    OTHER = "other", "Other"
