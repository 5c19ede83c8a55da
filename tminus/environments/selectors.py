"""Reads of environments: what runs where, since when, and where a release's version stands."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from tminus.core.errors import NotFound
from tminus.environments.models import Deployment, Environment
from tminus.releases.models import Product, Release


def product_get(key: str) -> Product:
    product = Product.objects.filter(key=key).first()
    if product is None:
        raise NotFound(f"No product with key {key!r}.")
    return product


def environments_of(product: Product) -> QuerySet[Environment]:
    """A product's environments with what is deployed there now."""
    return Environment.objects.filter(product=product).select_related("current_release")


def deployment_history(environment: Environment, limit: int = 100) -> QuerySet[Deployment]:
    """What arrived in an environment, newest first."""
    return (Deployment.objects.filter(environment=environment)
            .select_related("release", "deployed_by")[:limit])


def products_with_environments() -> QuerySet[Product]:
    """Every product with its environments (for the overview page), in two queries."""
    environments = Environment.objects.select_related("current_release")
    return Product.objects.order_by("name").prefetch_related(
        Prefetch("environments", queryset=environments))


@dataclass
class Standing:
    """Where a release's version is in one environment."""

    environment: Environment
    is_current: bool
    first_deployed_at: datetime | None
    last_deployed_at: datetime | None

    @property
    def state(self) -> str:
        if self.is_current:
            return "current"
        return "replaced" if self.first_deployed_at else "not_deployed"

    @property
    def summary(self) -> str:
        env = self.environment
        if self.is_current:
            return f"Deployed since {env.current_since:%Y-%m-%d %H:%M}"
        if self.first_deployed_at:
            now = env.current_version or "nothing"
            return (f"Was deployed {self.last_deployed_at:%Y-%m-%d %H:%M}; "
                    f"now {now}")
        return "Not deployed yet"


def release_standing(release: Release) -> list[Standing]:
    """For each environment of the release's product: is its version there, since when."""
    environments = list(environments_of(release.product))
    match = Q(release=release)
    if release.version:
        match |= Q(version=release.version)
    deployments = (Deployment.objects.filter(environment__product_id=release.product_id)
                   .filter(match).order_by("deployed_at", "id"))
    seen: dict[int, list[Deployment]] = {}
    for deployment in deployments:
        seen.setdefault(deployment.environment_id, []).append(deployment)
    standings = []
    for environment in environments:
        history = seen.get(environment.pk, [])
        latest = environment.current_release_id == release.pk or (
            bool(release.version) and environment.current_version == release.version)
        standings.append(Standing(
            environment=environment, is_current=latest,
            first_deployed_at=history[0].deployed_at if history else None,
            last_deployed_at=history[-1].deployed_at if history else None,
        ))
    return standings


def environments_with_history(product: Product, per_environment: int = 10) -> list[Environment]:
    """A product's environments, each with its latest deployments, in two queries."""
    recent = Deployment.objects.select_related("release").order_by("-deployed_at", "-id")
    return list(environments_of(product).prefetch_related(
        Prefetch("deployments", queryset=recent[:per_environment], to_attr="recent")))
