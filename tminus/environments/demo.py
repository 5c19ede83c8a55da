"""Demo deployments: shop 1.0 live in production, 1.1 on staging, layby 1.0 on QA."""

from datetime import timedelta

from django.utils import timezone

from tminus.core.actors import Actor
from tminus.environments import services
from tminus.releases.models import Product, Release


def load() -> None:
    actor = Actor.cli()
    now = timezone.now()
    history = [
        ("shop", "qa", "0.9", None, 60), ("shop", "staging", "0.9", None, 55),
        ("shop", "production", "0.9", None, 50),
        ("shop", "qa", "1.0", "shop-1.0", 24), ("shop", "staging", "1.0", "shop-1.0", 17),
        ("shop", "production", "1.0", "shop-1.0", 10),
        ("shop", "qa", "1.1", "shop-1.1", 9), ("shop", "staging", "1.1", "shop-1.1", 3),
        ("shop", "qa", "1.2", "shop-1.2", 1),
        ("layby", "qa", "0.9", None, 12), ("layby", "qa", "1.0", "layby-1.0", 4),
        ("layby", "staging", "0.9", None, 11),
    ]
    for product_key, environment, version, release_key, days_ago in history:
        product = Product.objects.filter(key=product_key).first()
        if product is None:
            continue
        release = Release.objects.filter(key=release_key).first() if release_key else None
        services.environment_version_set(
            product=product, environment=environment, version=version, release=release,
            deployed_at=now - timedelta(days=days_ago, hours=3), actor=actor)
