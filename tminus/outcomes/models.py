"""Whether a release succeeded: KPIs and their check-ins, the post-launch review, the close-out."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tminus.releases.models import ChecklistSection, Product, Release

USER = settings.AUTH_USER_MODEL


class Kpi(models.Model):
    """A success metric of a release (or of a product's roadmap) with a target to meet."""

    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="kpis")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="kpis")
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    # The target as it was written ("500+ registered users in the first month") and parsed.
    target_text = models.CharField(max_length=300)
    comparator = models.CharField(max_length=2)
    target_value = models.FloatField()
    unit = models.CharField(max_length=20)
    window = models.CharField(max_length=40, blank=True)
    # Where the metric stood before the release (a plan's Baseline column), in the KPI's unit.
    baseline = models.FloatField(null=True, blank=True)
    window_hours = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=30, default="manual")
    # What an automatic source reads: a PromQL query, or a T-Minus metric name.
    query = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    # Empty: the server's default schedule (TMINUS_KPI_CHECKIN_SCHEDULE).
    schedule = models.CharField(max_length=200, blank=True)
    # Check-ins of a product KPI count from this day; a release KPI counts from go-live.
    starts_on = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="kpis")
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "KPI"
        constraints = [
            models.CheckConstraint(
                condition=Q(release__isnull=False, product__isnull=True)
                | Q(release__isnull=True, product__isnull=False),
                name="outcomes_kpi_release_or_product",
            ),
            models.UniqueConstraint(fields=["release", "key"], condition=Q(release__isnull=False),
                                    name="outcomes_kpi_key_per_release"),
            models.UniqueConstraint(fields=["product", "key"], condition=Q(product__isnull=False),
                                    name="outcomes_kpi_key_per_product"),
        ]

    def __str__(self) -> str:
        return self.name


class KpiCheckin(models.Model):
    """One reading of a KPI: a value, or a missing one with the reason it could not be taken."""

    RECORDED, MISSING = "recorded", "missing"
    STATUSES = [(RECORDED, "Recorded"), (MISSING, "Missing")]

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="checkins")
    # The scheduled slot ("day-1", "week-2"); empty for an extra reading.
    slot = models.CharField(max_length=20, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField()
    value = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=RECORDED)
    error = models.TextField(blank=True)
    source = models.CharField(max_length=30)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    note = models.CharField(max_length=500, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["taken_at", "id"]
        constraints = [
            # A scheduled slot is taken once, however many workers notice it is due.
            models.UniqueConstraint(fields=["kpi", "slot"], condition=~Q(slot=""),
                                    name="outcomes_checkin_once_per_slot"),
        ]

    def __str__(self) -> str:
        when = self.slot or f"{self.taken_at:%Y-%m-%d %H:%M}"
        return f"{self.kpi} {when}"

    @property
    def moment(self):
        """When the reading stands for: its slot's due time, else when it was taken."""
        return self.due_at or self.taken_at


class ReviewQuestion(models.Model):
    """A post-launch question (seed 004) and its answer."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE,
                                related_name="review_questions")
    question = models.TextField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.question[:80]


class Lesson(models.Model):
    """A lesson learned (seed 003): what went well, what to improve, a recommendation."""

    WENT_WELL, TO_IMPROVE, RECOMMENDATION = "went_well", "to_improve", "recommendation"
    KINDS = [(WENT_WELL, "What went well"), (TO_IMPROVE, "What could be improved"),
             (RECOMMENDATION, "Recommendations for future projects")]

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="lessons")
    kind = models.CharField(max_length=20, choices=KINDS)
    text = models.TextField()
    added_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class SignOff(models.Model):
    """The closure sign-off of one role (Project Manager, Technical Lead …): who signed, when."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="signoffs")
    role = models.CharField(max_length=100)
    assignee = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="signoffs_assigned")
    signed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    signed_by_label = models.CharField(max_length=150, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(max_length=500, blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["release", "role"],
                                               name="outcomes_signoff_role_once")]

    def __str__(self) -> str:
        return f"{self.role} sign-off"


class Closeout(models.Model):
    """A release's close-out: the checklist section that is its handoff (seed 003)."""

    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="closeout")
    handoff_section = models.ForeignKey(ChecklistSection, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    saved_template_key = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Close-out of {self.release}"
