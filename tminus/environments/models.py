"""Where a product runs (QA, staging, production ...) and which version is deployed there."""

from django.conf import settings
from django.db import models

from tminus.releases.models import Product, Release

USER = settings.AUTH_USER_MODEL

# Every product gets these; teams add any others (performance, training, demo ...).
DEFAULT_ENVIRONMENTS = [("qa", "QA"), ("staging", "Staging"), ("production", "Production")]


class Environment(models.Model):
    """One environment of a product, with the version deployed there now."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="environments")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    order = models.PositiveIntegerField(default=0)
    # The newest deployment, copied here so that lists need no subquery; the history is kept
    # in Deployment rows.
    current_version = models.CharField(max_length=50, blank=True)
    current_release = models.ForeignKey(Release, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    current_since = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "key"],
                                               name="environment_unique_key_per_product")]

    def __str__(self) -> str:
        return self.name


class Deployment(models.Model):
    """A version arriving in an environment: the environment's history, newest first."""

    environment = models.ForeignKey(Environment, on_delete=models.CASCADE,
                                    related_name="deployments")
    version = models.CharField(max_length=50)
    previous_version = models.CharField(max_length=50, blank=True)
    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="environment_deployments")
    deployed_at = models.DateTimeField(db_index=True)
    deployed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    deployed_by_label = models.CharField(max_length=150)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-deployed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.version} on {self.environment}"
