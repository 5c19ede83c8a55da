"""Deployment day: a runbook per release, its runs (execution records), and the rollback plan.

A run copies the runbook's phases and steps when it starts, so editing the runbook later never
rewrites what happened on the day, and a failed run and its retry are both kept.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tminus.core.actors import INTERFACES
from tminus.people.models import Person
from tminus.releases.models import Release
from tminus.runbooks.choices import RunStatus, Stage, StepStatus
from tminus.runbooks.durations import seconds_between

USER = settings.AUTH_USER_MODEL


class Owned(models.Model):
    """A row owned by a person from the plan or by a user who signs in (at most one of them);
    `owner_name` keeps who the plan names when that is a role or a team ("Incident Commander")."""

    owner_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    owner_user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    owner_name = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def owner_label(self) -> str:
        owner = self.owner_person or self.owner_user
        return str(owner) if owner else self.owner_name


class Runbook(models.Model):
    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="runbook")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Runbook of {self.release}"


class RunbookPhase(Owned):
    runbook = models.ForeignKey(Runbook, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.EXECUTION)
    description = models.TextField(blank=True)
    # "15-30 minutes" in the plan: a low and a high estimate, either may be unknown.
    expected_minutes_min = models.PositiveIntegerField(null=True, blank=True)
    expected_minutes_max = models.PositiveIntegerField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class RunbookStep(Owned):
    phase = models.ForeignKey(RunbookPhase, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    # Steps of one phase may be grouped ("Immediate checks (5 minutes)") as in the plan.
    group = models.CharField(max_length=200, blank=True)
    command = models.TextField(blank=True)
    expected_minutes = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class RunbookRun(models.Model):
    """One execution of a release's runbook: a deployment attempt."""

    runbook = models.ForeignKey(Runbook, on_delete=models.CASCADE, related_name="runs")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="runbook_runs")
    number = models.PositiveIntegerField()
    environment = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=RunStatus.choices,
                              default=RunStatus.RUNNING, db_index=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    started_by_label = models.CharField(max_length=150, blank=True)
    finished_by_label = models.CharField(max_length=150, blank=True)
    interface = models.CharField(max_length=10, choices=INTERFACES)
    failure_reason = models.TextField(blank=True)
    freeze_override_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["runbook", "number"], name="runbooks_run_number"),
            # At most one deployment of a release runs at a time.
            models.UniqueConstraint(fields=["runbook"], condition=Q(status="running"),
                                    name="runbooks_one_running_run"),
        ]

    def __str__(self) -> str:
        return f"Run #{self.number} of {self.release}"

    @property
    def duration_seconds(self) -> int | None:
        return seconds_between(self.started_at, self.finished_at)


class PhaseRun(models.Model):
    """A runbook phase as it was when the run started; its times and status follow its steps."""

    run = models.ForeignKey(RunbookRun, on_delete=models.CASCADE, related_name="phases")
    phase = models.ForeignKey(RunbookPhase, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.EXECUTION)
    owner_label = models.CharField(max_length=200, blank=True)
    expected_minutes_min = models.PositiveIntegerField(null=True, blank=True)
    expected_minutes_max = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class StepRun(models.Model):
    """One step of one run: when it started and finished, by whom, how it went."""

    run = models.ForeignKey(RunbookRun, on_delete=models.CASCADE, related_name="steps")
    phase_run = models.ForeignKey(PhaseRun, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(RunbookStep, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    group = models.CharField(max_length=200, blank=True)
    command = models.TextField(blank=True)
    expected_minutes = models.PositiveIntegerField(null=True, blank=True)
    owner_label = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=StepStatus.choices,
                              default=StepStatus.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by_label = models.CharField(max_length=150, blank=True)
    finished_by_label = models.CharField(max_length=150, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_seconds(self) -> int | None:
        return seconds_between(self.started_at, self.finished_at)


class RollbackPlan(models.Model):
    release = models.OneToOneField(Release, on_delete=models.CASCADE,
                                   related_name="rollback_plan")
    # Decision criteria: what makes the team roll back at once, and what makes it consider it.
    immediate_criteria = models.JSONField(default=list, blank=True)
    consider_criteria = models.JSONField(default=list, blank=True)
    communication = models.JSONField(default=list, blank=True)
    estimated_minutes = models.PositiveIntegerField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Rollback plan of {self.release}"


class RollbackStep(Owned):
    plan = models.ForeignKey(RollbackPlan, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    command = models.TextField(blank=True)
    expected_minutes = models.PositiveIntegerField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class RollbackTeamMember(models.Model):
    plan = models.ForeignKey(RollbackPlan, on_delete=models.CASCADE, related_name="team")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=100, blank=True)  # Lead, Database, DevOps ...
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "person"],
                                               name="runbooks_team_member_once")]

    def __str__(self) -> str:
        return f"{self.person} ({self.role})" if self.role else str(self.person)


class Rollback(models.Model):
    """A rollback that was carried out: who, when, why, from which state, which steps."""

    plan = models.ForeignKey(RollbackPlan, on_delete=models.CASCADE, related_name="rollbacks")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="rollbacks")
    run = models.ForeignKey(RunbookRun, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="rollbacks")
    from_status = models.CharField(max_length=20)
    reason = models.TextField()
    criterion = models.CharField(max_length=300, blank=True)
    steps = models.JSONField(default=list)  # [{"title": ..., "done": bool}] as executed
    notes = models.TextField(blank=True)
    executed_at = models.DateTimeField()
    executed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    executed_by_label = models.CharField(max_length=150)
    interface = models.CharField(max_length=10, choices=INTERFACES)

    class Meta:
        ordering = ["-executed_at", "-id"]

    def __str__(self) -> str:
        return f"Rollback of {self.release} at {self.executed_at:%Y-%m-%d %H:%M}"
