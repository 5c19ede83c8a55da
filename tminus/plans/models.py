"""Plan documents: the shape of an imported (or templated) plan, pending imports, calendar feeds.

The data of a plan lives in its areas' own tables (phases, checklists, risks ...). What is kept
here is the document's shape: its blocks in order, each either Markdown kept verbatim or a
reference to the record(s) it became, so an export gives the document back with live data.
"""

from django.conf import settings
from django.db import models

from tminus.releases.models import Product, Release

USER = settings.AUTH_USER_MODEL


class PlanDocument(models.Model):
    """The document a release was imported from (or laid out from a Markdown template)."""

    class Origin(models.TextChoices):
        IMPORT = "import", "Imported document"
        TEMPLATE = "template", "Markdown template"

    release = models.OneToOneField(Release, on_delete=models.CASCADE,
                                   related_name="plan_document")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.IMPORT)
    source_name = models.CharField(max_length=255, blank=True)
    # The source as read (after encoding repair), kept so that a later import can be compared.
    source_text = models.TextField(blank=True)
    title = models.CharField(max_length=300, blank=True)
    # The name the document gives its release ("Release Name/ID", else its first heading): a
    # later import of the same document into the same product, without a key, updates this
    # release instead of creating another.
    plan_name = models.CharField(max_length=200, blank=True, db_index=True)
    warnings = models.JSONField(default=list, blank=True)
    imported_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return self.source_name or self.title or f"Plan of {self.release_id}"


class PlanBlock(models.Model):
    """One block of a document, in order: `text` (kept Markdown) or a mapper's kind of block."""

    document = models.ForeignKey(PlanDocument, on_delete=models.CASCADE, related_name="blocks")
    order = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["document", "order"],
                                               name="plans_block_order_unique")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.order}"


class PendingImport(models.Model):
    """An upload that was previewed and waits for someone to commit (or drop) it."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for commit"
        COMMITTED = "committed", "Committed"
        DISCARDED = "discarded", "Discarded"

    source_name = models.CharField(max_length=255, blank=True)
    source_text = models.TextField()
    product_key = models.CharField(max_length=40, blank=True)
    release_key = models.CharField(max_length=80, blank=True)
    report = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of {self.source_name or 'a plan'} ({self.state})"


class CalendarFeed(models.Model):
    """A secret calendar URL for a product's releases or one person's work; only a hash of the
    secret is stored, and a revoked feed answers 404."""

    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="calendar_feeds")
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="calendar_feeds")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(
            condition=models.Q(product__isnull=False, user__isnull=True)
            | models.Q(product__isnull=True, user__isnull=False),
            name="plans_feed_product_xor_user")]

    def __str__(self) -> str:
        subject = self.product.name if self.product_id else str(self.user)
        return f"Calendar of {subject} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
