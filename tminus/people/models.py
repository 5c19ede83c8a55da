"""People a plan names: stakeholders, owners, approvers, attendees, on-call engineers.

A Person need not be able to sign in; when they can, `user` links their account. The release's
hypercare support model (tiers, escalation path, on-call rota) lives here too.
"""

from django.conf import settings
from django.db import models

from tminus.people.choices import Accountability, StakeholderRole


class Person(models.Model):
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True, help_text="Job title, e.g. QA Lead.")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="person")
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class Stakeholder(models.Model):
    """A person's part in one release: their discipline and what they answer for."""

    release = models.ForeignKey("releases.Release", on_delete=models.CASCADE,
                                related_name="stakeholders")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="stakeholder_roles")
    role = models.CharField(max_length=30, choices=StakeholderRole.choices)
    accountability = models.CharField(max_length=20, choices=Accountability.choices,
                                      default=Accountability.RESPONSIBLE)
    responsible_for = models.TextField(blank=True)
    # Approvers are asked for their Go / No-Go at the go/no-go meeting.
    is_approver = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["release", "person", "role"],
                                               name="people_stakeholder_once_per_role")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class SupportTier(models.Model):
    """One line of hypercare support with its response and resolution targets."""

    release = models.ForeignKey("releases.Release", on_delete=models.CASCADE,
                                related_name="support_tiers")
    level = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    handles = models.TextField(blank=True, help_text="What this tier handles, one per line.")
    response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_note = models.CharField(max_length=300, blank=True)
    contact = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["level", "id"]
        constraints = [models.UniqueConstraint(fields=["release", "level"],
                                               name="people_support_tier_level_once")]

    def __str__(self) -> str:
        return f"Tier {self.level}: {self.name}"

    @property
    def handles_list(self) -> list[str]:
        return [line.strip() for line in self.handles.splitlines() if line.strip()]


class EscalationStep(models.Model):
    """One step of the escalation path: who hands over to whom, and when."""

    release = models.ForeignKey("releases.Release", on_delete=models.CASCADE,
                                related_name="escalation_steps")
    order = models.PositiveIntegerField(default=0)
    from_party = models.CharField(max_length=200)
    to_party = models.CharField(max_length=200)
    condition = models.CharField(max_length=300, blank=True)
    contact = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.from_party} → {self.to_party}"


class OnCallShift(models.Model):
    """Week N of the on-call rota after go-live; its dates follow go-live."""

    release = models.ForeignKey("releases.Release", on_delete=models.CASCADE,
                                related_name="on_call_shifts")
    week = models.PositiveSmallIntegerField()
    primary = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    secondary = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    start_date = models.DateField(null=True, blank=True)
    start_offset = models.IntegerField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    end_offset = models.IntegerField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["week", "id"]
        constraints = [models.UniqueConstraint(fields=["release", "week"],
                                               name="people_on_call_week_once")]

    def __str__(self) -> str:
        return f"Week {self.week}"
