"""Feature flags served to SDKs: projects, environments, flags and their per-environment state.

Definitions are stored in the shape of Unleash's client API (parameters, constraints and variants
as JSON), so what an SDK receives is what was saved, and the shared engine evaluates both.
"""

from django.conf import settings
from django.db import models

from tminus.accounts.roles import RELEASE_MANAGER, ROLE_CHOICES
from tminus.flags.choices import ChangeKind, ChangeRequestStatus, FlagType, TokenKind

USER = settings.AUTH_USER_MODEL


class Project(models.Model):
    """A group of flags; a token sees one or more projects."""

    key = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name or self.key


PRODUCTION_KEYS = ("production", "prod", "live")


class Environment(models.Model):
    """Where a project's flags run (development, staging, production ...), each with its state.

    `revision` is the number of the last change to this environment's client state; numbers
    come from one instance-wide sequence, so they only grow and a token spanning several
    projects can use the largest as its ETag and delta position.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="environments")
    key = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    sort_order = models.PositiveIntegerField(default=0)
    revision = models.BigIntegerField(default=0)
    # Protected: a person's change here becomes a change request that someone else with at
    # least `approver_role` approves before it is applied.
    requires_approval = models.BooleanField(default=False)
    approver_role = models.CharField(max_length=20, choices=ROLE_CHOICES,
                                     default=RELEASE_MANAGER)
    # The kill switch: while set, SDKs see every flag of this environment off.
    killed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project__key", "sort_order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="flags_env_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.project.key}/{self.key}"

    @property
    def is_production(self) -> bool:
        """Real users see this environment: its changes are confirmed before they are made."""
        return self.key.lower() in PRODUCTION_KEYS or "production" in self.name.lower()


class RoleRule(models.Model):
    """A project's own answer to "may this role change flags here?", overriding the role's
    global default (contributors and up may). Without an environment it covers the whole
    project; a rule for an environment wins over the project-wide one."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="role_rules")
    environment = models.ForeignKey(Environment, null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="role_rules")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    may_change = models.BooleanField()

    class Meta:
        ordering = ["project__key", "role", "environment__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "environment", "role"],
                                    name="flags_role_rule_unique"),
            models.UniqueConstraint(fields=["project", "role"],
                                    condition=models.Q(environment__isnull=True),
                                    name="flags_role_rule_project_unique"),
        ]

    def __str__(self) -> str:
        where = self.environment.key if self.environment_id else "every environment"
        return f"{self.role} {'may' if self.may_change else 'may not'} change {where}"


class Flag(models.Model):
    """A feature flag; its name (`key`) is unique across projects, as in Unleash."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="flags")
    key = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    flag_type = models.CharField(max_length=20, choices=FlagType.choices,
                                 default=FlagType.RELEASE)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_flags")
    release = models.ForeignKey("releases.Release", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="flags")
    impression_data = models.BooleanField(default=False)
    # Marked stale by a person (Unleash's `stale`); "potentially stale" is computed from age.
    stale = models.BooleanField(default=False)
    # Lifecycle: set when someone says the flag's work is done and it is to be removed from code.
    cleanup_since = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class FlagEnvironment(models.Model):
    """A flag's state in one environment: on or off, its variants, and (below) its strategies.

    A flag is served in an environment only while this row exists.
    """

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="states")
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE,
                                    related_name="flag_states")
    enabled = models.BooleanField(default=False)
    # [{name, weight, weightType, stickiness, payload: {type, value}, overrides: [...]}]
    variants = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["environment__sort_order", "environment__key"]
        constraints = [
            models.UniqueConstraint(fields=["flag", "environment"], name="flags_state_unique")
        ]

    def __str__(self) -> str:
        return f"{self.flag.key} in {self.environment.key}"


class Strategy(models.Model):
    """One activation strategy of a flag in an environment; the first that matches decides."""

    state = models.ForeignKey(FlagEnvironment, on_delete=models.CASCADE,
                              related_name="strategies")
    name = models.CharField(max_length=100)
    title = models.CharField(max_length=200, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    constraints = models.JSONField(default=list, blank=True)
    # Segment ids as served to SDKs; a negative id stands for a segment an imported state
    # referred to without defining it (the strategy never matches, as in Unleash SDKs).
    segments = models.JSONField(default=list, blank=True)
    variants = models.JSONField(default=list, blank=True)
    sort_order = models.IntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.title or self.name


class Segment(models.Model):
    """A named, reusable list of constraints that strategies refer to."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="segments")
    constraints = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FlagDependency(models.Model):
    """This flag is on only if its parent is on (or off), optionally with one of some variants.

    The parent is named rather than linked: an imported state may name a flag it does not
    define, which SDKs evaluate as an unmet dependency.
    """

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="dependencies")
    parent_key = models.CharField(max_length=255)
    enabled = models.BooleanField(default=True)
    variants = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["parent_key"]
        constraints = [
            models.UniqueConstraint(fields=["flag", "parent_key"], name="flags_dependency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.flag.key} needs {self.parent_key}"


class FlagTag(models.Model):
    """A label on a flag, typed as in Unleash (`simple:checkout`)."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="tags")
    tag_type = models.CharField(max_length=50, default="simple")
    value = models.CharField(max_length=100)

    class Meta:
        ordering = ["tag_type", "value"]
        constraints = [
            models.UniqueConstraint(fields=["flag", "tag_type", "value"], name="flags_tag_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tag_type}:{self.value}"


class ChangeRequest(models.Model):
    """A flag change waiting for approval, or for its time: an operation (the name of the
    service function) and its arguments, applied once through that same service."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="change_requests")
    environment = models.ForeignKey(Environment, null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="change_requests")
    flag = models.ForeignKey(Flag, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="change_requests")
    subject = models.CharField(max_length=255)  # the flag's or segment's name
    summary = models.CharField(max_length=300)
    operation = models.CharField(max_length=80)
    payload = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    needs_approval = models.BooleanField(default=True)
    status = models.CharField(max_length=12, choices=ChangeRequestStatus.choices,
                              default=ChangeRequestStatus.OPEN, db_index=True)
    requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_label = models.CharField(max_length=150)
    requested_via = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)
    # When it is applied once approved; None: as soon as it is approved.
    scheduled_for = models.DateTimeField(null=True, blank=True, db_index=True)
    time_zone = models.CharField(max_length=64, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_label = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.summary}"


class RevisionSequence(models.Model):
    """The single row that hands out revision numbers; its row lock orders concurrent changes.

    `pruned_below`: change events below this revision were deleted, so a delta from before it
    is answered with a full hydration.
    """

    value = models.BigIntegerField(default=0)
    pruned_below = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"revision {self.value}"


class ChangeEvent(models.Model):
    """One change to an environment's client state, for the delta API and the stream."""

    revision = models.BigIntegerField(db_index=True)
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE,
                                    related_name="change_events")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    # The flag name, or the segment id as text.
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["revision", "id"]
        indexes = [models.Index(fields=["environment", "revision"])]

    def __str__(self) -> str:
        return f"{self.revision} {self.kind} {self.subject}"


class ClientToken(models.Model):
    """A token SDKs present: backend (client) or frontend, for some projects and one environment.

    Only a hash of the secret is stored. `environment` is an environment key, matched in each
    project the token covers.
    """

    kind = models.CharField(max_length=10, choices=TokenKind.choices, default=TokenKind.CLIENT)
    name = models.CharField(max_length=100)
    environment = models.CharField(max_length=100)
    all_projects = models.BooleanField(default=False)
    projects = models.ManyToManyField(Project, blank=True, related_name="client_tokens")
    prefix = models.CharField(max_length=120)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ClientApplication(models.Model):
    """An SDK instance that registered: which app, where, with which SDK, when last seen."""

    app_name = models.CharField(max_length=255)
    instance_id = models.CharField(max_length=255)
    environment = models.CharField(max_length=100)
    sdk_version = models.CharField(max_length=100, blank=True)
    strategies = models.JSONField(default=list, blank=True)
    interval = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["app_name", "instance_id"]
        constraints = [
            models.UniqueConstraint(fields=["app_name", "instance_id", "environment"],
                                    name="flags_client_app_unique")
        ]

    def __str__(self) -> str:
        return f"{self.app_name} ({self.instance_id})"


class MetricsBucket(models.Model):
    """How often SDKs answered yes and no (and which variants) for a flag, per minute.

    One row per flag name, environment, application and minute (`start`, the minute in which
    the SDK's own bucket started). `flag` and `environment` are set when the name is a known
    flag; SDKs also report flags they were asked about that do not exist.
    """

    flag = models.ForeignKey(Flag, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="metrics")
    flag_name = models.CharField(max_length=255)
    environment = models.ForeignKey(Environment, null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="metrics")
    environment_key = models.CharField(max_length=100)
    app_name = models.CharField(max_length=255)
    start = models.DateTimeField()
    yes = models.BigIntegerField(default=0)
    no = models.BigIntegerField(default=0)
    variants = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["start", "flag_name"]
        constraints = [
            models.UniqueConstraint(fields=["flag_name", "environment_key", "app_name", "start"],
                                    name="flags_metrics_bucket_unique")
        ]
        indexes = [models.Index(fields=["flag", "environment", "start"])]

    def __str__(self) -> str:
        return f"{self.flag_name} {self.environment_key} {self.start:%Y-%m-%d %H:%M}"


class ExposedUser(models.Model):
    """A user an SDK answered on (the treatment) or off (the control) for a flag.

    SDKs that report users (tminus_client with report_users) send each user hashed; one row per
    flag, environment, arm and user keeps when it was first and last answered, by the minute.
    The users of a window that ends now (a rollout stage so far) are those last seen in it.
    """

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="exposed_users")
    environment_key = models.CharField(max_length=100)
    arm = models.CharField(max_length=10)  # "treatment" (answered on) or "control" (off)
    user_hash = models.CharField(max_length=64)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["flag", "environment_key", "arm", "user_hash"],
                                    name="flags_exposed_user_unique")
        ]
        indexes = [models.Index(fields=["flag", "environment_key", "last_seen"])]

    def __str__(self) -> str:
        return f"{self.user_hash} ({self.arm})"


__all__ = [
    "ChangeEvent",
    "ChangeKind",
    "ChangeRequest",
    "ClientApplication",
    "ClientToken",
    "Environment",
    "Flag",
    "FlagDependency",
    "FlagEnvironment",
    "FlagTag",
    "FlagType",
    "MetricsBucket",
    "Project",
    "RevisionSequence",
    "RoleRule",
    "Segment",
    "Strategy",
    "TokenKind",
]
