"""A product's roadmap: its release cadence and the history of features moving between releases.

The features themselves are the releases' scope items (kind feature or enhancement), so the
roadmap, the release page and the release notes all read the same rows.
"""

from django.conf import settings
from django.db import models

from tminus.releases.models import Product, Release, ScopeItem

USER = settings.AUTH_USER_MODEL


class Cadence(models.Model):
    """How often a product releases, as written ("monthly on the 15th"); parsed when used."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="cadence")
    text = models.CharField(max_length=300)
    template_key = models.CharField(max_length=60, default="minor")
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.product}: {self.text}"


class FeatureMove(models.Model):
    """A feature moved from one release to another, and why."""

    feature = models.ForeignKey(ScopeItem, on_delete=models.CASCADE, related_name="moves")
    from_release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    to_release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Kept as text too, so the history still reads right after a release is deleted.
    from_label = models.CharField(max_length=200)
    to_label = models.CharField(max_length=200)
    reason = models.CharField(max_length=500, blank=True)
    moved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    moved_by_label = models.CharField(max_length=150)
    moved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-moved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.feature}: {self.from_label} → {self.to_label}"
