"""The documents a release needs (user guide, admin docs, FAQ ...) and its important links."""

from django.conf import settings
from django.db import models

from tminus.documents.choices import DocumentKind, DocumentStatus, LinkKind
from tminus.releases.models import Release

USER = settings.AUTH_USER_MODEL


class Document(models.Model):
    """A document users or staff need, with owner, due date (offset from go-live) and status."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices,
                            default=DocumentKind.OTHER)
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    due_date = models.DateField(null=True, blank=True)
    due_offset = models.IntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=DocumentStatus.choices,
                              default=DocumentStatus.NOT_STARTED, db_index=True)
    link = models.URLField(max_length=500, blank=True)
    # An optional document (video tutorials in seed 003) never holds a release back.
    required = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class ImportantLink(models.Model):
    """A link people need on go-live day: dashboards, the issue tracker, the support portal."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE,
                                related_name="important_links")
    kind = models.CharField(max_length=20, choices=LinkKind.choices, default=LinkKind.OTHER)
    label = models.CharField(max_length=200)
    # Empty until someone fills it in: a template lists the links a release should have.
    url = models.URLField(max_length=500, blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label
