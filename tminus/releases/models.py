"""A release plan: product, release, its phases, milestones, checklists and scope."""

from django.conf import settings
from django.db import models

from tminus.core.keys import key_validator
from tminus.releases.choices import (
    ItemStatus,
    MilestoneKind,
    ReleaseStatus,
    ReleaseType,
    ScopeKind,
    ScopeStatus,
)

USER = settings.AUTH_USER_MODEL


class Product(models.Model):
    """Something a team ships; its releases form the portfolio and the roadmap."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_products")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReleaseTemplate(models.Model):
    """A saved template; the built-in ones live in code (builtin_templates.py)."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    release_type = models.CharField(max_length=10, choices=ReleaseType.choices)
    description = models.TextField(blank=True)
    definition = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Release(models.Model):
    """One release of a product, from planning to close-out."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="releases")
    key = models.CharField(max_length=80, unique=True, validators=[key_validator])
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=50, blank=True)
    release_type = models.CharField(max_length=10, choices=ReleaseType.choices,
                                    default=ReleaseType.MINOR)
    goal = models.TextField(blank=True)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_releases")
    status = models.CharField(max_length=20, choices=ReleaseStatus.choices,
                              default=ReleaseStatus.PLANNING, db_index=True)
    go_live = models.DateField(null=True, blank=True, db_index=True)
    planning_start = models.DateField(null=True, blank=True)
    template_key = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["go_live", "key"]

    def __str__(self) -> str:
        return self.name


class DatedByOffset(models.Model):
    """A row whose date may be an offset from go-live; a date set by hand has no offset."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class Phase(DatedByOffset):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    start_offset = models.IntegerField(null=True, blank=True)
    end_offset = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Milestone(DatedByOffset):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices,
                            default=MilestoneKind.OTHER)
    date = models.DateField(null=True, blank=True)
    date_offset = models.IntegerField(null=True, blank=True)
    # Who answers for it as the plan names them: a person, a role or a team ("Branch Manager").
    responsible = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date", "order", "id"]

    def __str__(self) -> str:
        return self.name


class ChecklistSection(DatedByOffset):
    release = models.ForeignKey(Release, on_delete=models.CASCADE,
                                related_name="checklist_sections")
    title = models.CharField(max_length=300)
    # "4 weeks before go-live" groups sections; kept so exports keep the document's shape.
    group = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    due_date = models.DateField(null=True, blank=True)
    due_offset = models.IntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(DatedByOffset):
    release = models.ForeignKey(Release, on_delete=models.CASCADE,
                                related_name="checklist_items")
    section = models.ForeignKey(ChecklistSection, on_delete=models.CASCADE,
                                related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    text = models.CharField(max_length=500)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="checklist_items")
    # Who does it as the plan names them when that is not a user: a person, a role or a team.
    responsible = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True, db_index=True)
    due_offset = models.IntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ItemStatus.choices,
                              default=ItemStatus.TODO, db_index=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class ScopeItem(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="scope_items")
    kind = models.CharField(max_length=20, choices=ScopeKind.choices, default=ScopeKind.FEATURE)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ScopeStatus.choices,
                              default=ScopeStatus.PLANNED)
    link = models.URLField(max_length=500, blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class WorkingWeek(models.Model):
    """The days a product's team works ("12345": Monday to Friday, ISO weekday numbers)."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE,
                                   related_name="working_week")
    days = models.CharField(max_length=7, default="12345")
    revision = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.product.key}: {self.days}"


class Holiday(models.Model):
    """A day a product's team does not work, typed in or imported from an ICS calendar."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["product", "date"],
                                               name="releases_holiday_unique_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class SavedFilter(models.Model):
    """A person's named portfolio filter ("My product's active releases"), one click away."""

    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=500)  # the portfolio's query string, without page
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"],
                                               name="releases_saved_filter_unique_name")]

    def __str__(self) -> str:
        return self.name
