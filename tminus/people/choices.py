"""The fixed vocabularies of stakeholders."""

from django.db import models


class StakeholderRole(models.TextChoices):
    """A discipline; sign-off criteria ask for a Go from one of these."""

    DEVELOPMENT = "development", "Development"
    QA = "qa", "QA"
    OPERATIONS = "operations", "Operations"
    CUSTOMER_SUPPORT = "customer_support", "Customer support"
    MARKETING = "marketing", "Marketing"
    PRODUCT = "product", "Product"
    SECURITY = "security", "Security"
    SPONSOR = "sponsor", "Sponsor"
    PROJECT_MANAGEMENT = "project_management", "Project management"
    OTHER = "other", "Other"


class Accountability(models.TextChoices):
    RESPONSIBLE = "responsible", "Responsible"
    ACCOUNTABLE = "accountable", "Accountable"
    CONSULTED = "consulted", "Consulted"
    INFORMED = "informed", "Informed"
