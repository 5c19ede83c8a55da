"""The fixed vocabularies of release documentation and links."""

from django.db import models


class DocumentKind(models.TextChoices):
    USER_GUIDE = "user_guide", "User guide"
    ADMIN_DOCS = "admin_docs", "Admin documentation"
    API_DOCS = "api_docs", "API documentation"
    TRAINING_MATERIALS = "training_materials", "Training materials"
    TRAINING_VIDEOS = "training_videos", "Training videos"
    QUICK_START = "quick_start", "Quick start guide"
    FAQ = "faq", "FAQ"
    TROUBLESHOOTING = "troubleshooting", "Troubleshooting guide"
    RELEASE_NOTES = "release_notes", "Release notes"
    OTHER = "other", "Other"


class DocumentStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    NOT_NEEDED = "not_needed", "Not needed"


# A required document in one of these states no longer holds a release back.
READY_STATUSES = (DocumentStatus.PUBLISHED, DocumentStatus.NOT_NEEDED)


class LinkKind(models.TextChoices):
    DASHBOARD = "dashboard", "Monitoring dashboard"
    ISSUE_TRACKER = "issue_tracker", "Issue tracker"
    SUPPORT_PORTAL = "support_portal", "Support portal"
    STATUS_PAGE = "status_page", "Status page"
    REPOSITORY = "repository", "Code repository"
    OTHER = "other", "Other"
