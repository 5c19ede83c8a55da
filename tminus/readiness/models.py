"""Readiness: risks, dependencies, contingency plans, criteria, the go/no-go and freeze windows."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tminus.people.choices import StakeholderRole
from tminus.people.models import Person
from tminus.readiness.choices import (
    DependencyKind,
    DependencyStatus,
    Impact,
    Outcome,
    Probability,
    RiskStatus,
    Vote,
    risk_level,
)

USER = settings.AUTH_USER_MODEL
RELEASE = "releases.Release"


class Risk(models.Model):
    release = models.ForeignKey(RELEASE, on_delete=models.CASCADE, related_name="risks")
    description = models.CharField(max_length=500)
    probability = models.CharField(max_length=10, choices=Probability.choices)
    impact = models.CharField(max_length=10, choices=Impact.choices)
    # Stored (not computed in queries) so criteria and lists can filter and sort by it.
    score = models.PositiveSmallIntegerField()
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_risks")
    mitigation = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN,
                              db_index=True)
    review_date = models.DateField(null=True, blank=True)
    review_offset = models.IntegerField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "order", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def level(self) -> str:
        return risk_level(self.score)


class Dependency(models.Model):
    """Something the release needs from outside itself, possibly another release going live."""

    release = models.ForeignKey(RELEASE, on_delete=models.CASCADE, related_name="dependencies")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=12, choices=DependencyKind.choices,
                            default=DependencyKind.INTERNAL)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_dependencies")
    needed_by = models.DateField(null=True, blank=True)
    needed_by_offset = models.IntegerField(null=True, blank=True)
    # For kind=release the status is read from the other release, not from this field.
    status = models.CharField(max_length=12, choices=DependencyStatus.choices,
                              default=DependencyStatus.OPEN)
    required_release = models.ForeignKey(RELEASE, null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="dependents")
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["needed_by", "order", "id"]
        verbose_name_plural = "dependencies"

    def __str__(self) -> str:
        return self.name


class Contingency(models.Model):
    """A plan B: what triggers it and the steps to take."""

    release = models.ForeignKey(RELEASE, on_delete=models.CASCADE, related_name="contingencies")
    label = models.CharField(max_length=20, blank=True, help_text="A, B, C ...")
    name = models.CharField(max_length=200)
    trigger = models.TextField()
    steps = models.JSONField(default=list)
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "label", "id"]
        verbose_name_plural = "contingencies"

    def __str__(self) -> str:
        return f"Plan {self.label}: {self.name}" if self.label else self.name


class Criterion(models.Model):
    """One readiness criterion; its kind (from the registry) decides how it is evaluated."""

    release = models.ForeignKey(RELEASE, on_delete=models.CASCADE,
                                related_name="readiness_criteria")
    kind = models.CharField(max_length=50)
    label = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.label


class GoNoGoVote(models.Model):
    """An approver's current Go / No-Go; a rollback withdraws it so the next round starts fresh."""

    release = models.ForeignKey(RELEASE, on_delete=models.CASCADE, related_name="go_no_go_votes")
    approver = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="votes")
    discipline = models.CharField(max_length=30, blank=True)
    vote = models.CharField(max_length=20, choices=Vote.choices)
    comment = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["release", "approver"], condition=Q(withdrawn_at__isnull=True),
            name="readiness_one_current_vote_per_approver")]

    def __str__(self) -> str:
        return f"{self.approver}: {self.get_vote_display()}"

    @property
    def discipline_label(self) -> str:
        known = dict(StakeholderRole.choices)
        return known.get(self.discipline, self.discipline)


class GoNoGoDecision(models.Model):
    """The meeting's decision, with every criterion and vote as they were at that moment."""

    release = models.ForeignKey(RELEASE, on_delete=models.CASCADE,
                                related_name="go_no_go_decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    comment = models.TextField(blank=True)
    criteria = models.JSONField(default=list)
    votes = models.JSONField(default=list)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_by_label = models.CharField(max_length=150)
    decided_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.decided_at:%Y-%m-%d %H:%M})"


class GateOverride(models.Model):
    """An admin's decision to let a release deploy without a Go, with the reason."""

    release = models.ForeignKey(RELEASE, on_delete=models.CASCADE, related_name="gate_overrides")
    reason = models.TextField()
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Override by {self.created_by_label}"


class FreezeWindow(models.Model):
    """A period without deployments: one-off, or repeating by an RRULE; global or per product.

    For a repeating window, starts_at/ends_at are its first occurrence: the rule repeats that
    start, and every occurrence lasts as long as the first.
    """

    product = models.ForeignKey("releases.Product", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="freeze_windows")
    name = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    rrule = models.CharField(max_length=500, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)
