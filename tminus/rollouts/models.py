"""Staged rollouts: a plan that takes a flag from named users to 100% of users, stage by stage,
advancing while its success criteria hold and turning the flag off when a trigger fires.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tminus.rollouts.choices import Comparator, Moment, Outcome, RolloutStatus, TriggerAction

USER = settings.AUTH_USER_MODEL


class RolloutPlan(models.Model):
    """The rollout of one flag in one environment, for a release.

    `step` counts state changes. Whoever changes the state (a worker, a person) claims the change
    with a conditional update on the step it read, in the same transaction as the flag change,
    so two workers never act twice and a killed worker leaves nothing half done.
    `revision` counts edits of the definition (stages, criteria, triggers), allowed in draft.
    """

    key = models.CharField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    release = models.ForeignKey("releases.Release", on_delete=models.CASCADE,
                                related_name="rollout_plans")
    flag = models.ForeignKey("flags.Flag", on_delete=models.PROTECT, related_name="rollout_plans")
    environment = models.ForeignKey("flags.Environment", on_delete=models.PROTECT,
                                    related_name="rollout_plans")
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="rollout_plans")
    template_key = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=RolloutStatus.choices,
                              default=RolloutStatus.DRAFT, db_index=True)
    status_reason = models.TextField(blank=True)
    stage_index = models.PositiveIntegerField(default=0)
    step = models.PositiveIntegerField(default=0)
    stage_started_at = models.DateTimeField(null=True, blank=True)
    # Since when every criterion of the current stage has been met, at every check.
    healthy_since = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Triggers look no further back than this: the start, or the last resume (a resume after
    # a rollback must not fire again on the errors that caused it).
    watch_from = models.DateTimeField(null=True, blank=True)
    full_at = models.DateTimeField(null=True, blank=True)  # when the flag reached 100%
    completed_at = models.DateTimeField(null=True, blank=True)
    # The flag's strategies this plan manages: {"users": id, "percentage": id, "segment:7": id}.
    strategy_ids = models.JSONField(default=dict, blank=True)
    cleanup_requested_at = models.DateTimeField(null=True, blank=True)
    cleanup_section_id = models.BigIntegerField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["flag", "environment", "status"])]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """One step of a plan: who sees the flag, for how long at least, and what good looks like."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    user_ids = models.JSONField(default=list, blank=True)  # named users (UAT)
    segment_ids = models.JSONField(default=list, blank=True)  # flags.Segment ids (rings)
    percentage = models.PositiveSmallIntegerField(null=True, blank=True)
    min_duration_minutes = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)  # planned start
    approval_required = models.BooleanField(default=False)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["plan", "order"],
                                               name="rollouts_stage_order_unique")]

    def __str__(self) -> str:
        return self.name


class Measurement(models.Model):
    """A metric measured and compared with a threshold (see tminus.metrics.measures)."""

    metric = models.CharField(max_length=100, blank=True)
    aggregation = models.CharField(max_length=10, default="count")
    denominator = models.CharField(max_length=100, blank=True)
    sample_metric = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=20, default="events")
    query = models.TextField(blank=True)
    # A Prometheus comparison's denominator; both queries take $arm (on, off) and $window.
    of_query = models.TextField(blank=True)
    # A Prometheus comparison of means: the sum of squares per arm (query: sum, of_query: count).
    squares_query = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    # False: only events that name the plan's flag; True: every event of the metric.
    all_flags = models.BooleanField(default=False)
    comparator = models.CharField(max_length=2, choices=Comparator.choices)
    threshold = models.FloatField()
    min_sample = models.PositiveIntegerField(default=0)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]


class Criterion(Measurement):
    """A success criterion of a stage, measured over the stage's window.

    A comparing criterion (`compare`) measures the treatment arm against the control arm with
    a sequential test instead of against a fixed value: `threshold` is then the margin (how
    much worse than control is still acceptable), the comparator says which way is worse
    (< and <=: lower is better), `min_sample` is per arm, and a regression does
    `on_regression`.
    """

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="criteria")
    compare = models.BooleanField(default=False)
    confidence = models.FloatField(default=0.95)
    on_regression = models.CharField(max_length=10, choices=TriggerAction.choices,
                                     default=TriggerAction.ROLLBACK)
    # A comparison of a ratio per user: users with the metric of users with "of" (or exposed).
    per_user = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.metric} {self.comparator} {self.threshold:g}"


class Trigger(Measurement):
    """A rollback trigger of a plan, measured over its last minutes, checked all the time."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="triggers")
    window_minutes = models.PositiveIntegerField(default=5)
    action = models.CharField(max_length=10, choices=TriggerAction.choices,
                              default=TriggerAction.ROLLBACK)

    def __str__(self) -> str:
        return f"{self.metric} {self.comparator} {self.threshold:g} over {self.window_minutes} min"


class StageRun(models.Model):
    """A stage as it ran: when, how it ended and why, and its results measured from the data.

    A stage runs again after a rollback and a resume; each run is kept.
    """

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="runs")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="runs")
    attempt = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    reason = models.TextField(blank=True)
    ended_by = models.CharField(max_length=150, blank=True)
    # {unique_users, exposures, evaluations, metrics: {key: n}, criteria: [...], errors: [...]}
    results = models.JSONField(default=dict, blank=True)
    # Holds, pauses and resumes during the run: [{at, what, why, by}].
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.stage} (run {self.attempt})"


class Reading(models.Model):
    """A criterion's or trigger's value as the worker last saw it in one minute (for charts)."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="readings")
    criterion = models.ForeignKey(Criterion, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="readings")
    trigger = models.ForeignKey(Trigger, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="readings")
    minute = models.DateTimeField()
    value = models.FloatField(null=True, blank=True)
    sample = models.BigIntegerField(null=True, blank=True)
    met = models.BooleanField(null=True)  # None: unknown
    error = models.CharField(max_length=600, blank=True)  # why unknown; a comparison's verdict
    # A comparison's confidence sequence (value is treatment minus control) and its verdict.
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    control_sample = models.BigIntegerField(null=True, blank=True)
    # Distinct users behind each arm's sample, where known.
    treatment_users = models.BigIntegerField(null=True, blank=True)
    control_users = models.BigIntegerField(null=True, blank=True)
    verdict = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["minute"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "minute"],
                                    condition=Q(criterion__isnull=False),
                                    name="rollouts_reading_criterion_minute"),
            models.UniqueConstraint(fields=["trigger", "minute"],
                                    condition=Q(trigger__isnull=False),
                                    name="rollouts_reading_trigger_minute"),
        ]
        indexes = [models.Index(fields=["plan", "minute"])]

    def __str__(self) -> str:
        return f"{self.minute:%H:%M} {self.value}"


class TimelineEntry(models.Model):
    """Something that happened to a plan: started, advanced, held, rolled back, checked in ..."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(db_index=True)
    moment = models.CharField(max_length=30, choices=Moment.choices)
    stage_name = models.CharField(max_length=200, blank=True)
    actor_label = models.CharField(max_length=150)
    interface = models.CharField(max_length=10)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_moment_display()}"


class CheckIn(models.Model):
    """A snapshot of the metrics some days after the flag reached everyone (1 week, 1 month)."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="checkins")
    days = models.PositiveIntegerField()
    label = models.CharField(max_length=100)
    due_at = models.DateTimeField(db_index=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "days"],
                                               name="rollouts_checkin_unique")]

    def __str__(self) -> str:
        return self.label
