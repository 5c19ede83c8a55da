"""Release notes: generated from the scope, then edited by a person."""

from django.conf import settings
from django.db import models

from tminus.releases.models import Release

USER = settings.AUTH_USER_MODEL


class ReleaseNotes(models.Model):
    """A release's notes as Markdown; every edit bumps the revision and is audited."""

    release = models.OneToOneField(Release, on_delete=models.CASCADE,
                                   related_name="release_notes")
    body = models.TextField()
    generated_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    edited = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    sent_to = models.JSONField(default=list, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "release notes"

    def __str__(self) -> str:
        return f"Release notes of {self.release}"
