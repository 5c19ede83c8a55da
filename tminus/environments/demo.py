"""Demo deployments: shop 1.0 live in production, the 1095-B release going out today, layby 1.0
on staging."""

from datetime import timedelta

from django.utils import timezone

from tminus.core.actors import Actor
from tminus.environments import services
from tminus.releases.models import Product, Release


def load() -> None:
    actor = Actor.cli()
    now = timezone.now()
    history = [
        ("shop", "qa", "0.9", "shop-create-order", 70),
        ("shop", "staging", "0.9", "shop-create-order", 63),
        ("shop", "production", "0.9", "shop-create-order", 56),
        ("shop", "qa", "1.0", "shop-1.0", 24), ("shop", "staging", "1.0", "shop-1.0", 17),
        ("shop", "production", "1.0", "shop-1.0", 10),
        ("va-health", "qa", "1.0", "va-1095b-rollout", 9),
        ("va-health", "staging", "1.0", "va-1095b-rollout", 3),
        ("va-health", "production", "1.0", "va-1095b-rollout", 0),
        ("layby", "qa", "0.9", None, 12), ("layby", "qa", "1.0", "layby-1.0", 4),
        ("layby", "staging", "0.9", None, 11), ("layby", "staging", "1.0", "layby-1.0", 1),
    ]
    for product_key, environment, version, release_key, days_ago in history:
        product = Product.objects.filter(key=product_key).first()
        if product is None:
            continue
        release = Release.objects.filter(key=release_key).first() if release_key else None
        services.environment_version_set(
            product=product, environment=environment, version=version, release=release,
            deployed_at=now - timedelta(days=days_ago, hours=3), actor=actor)
