"""Demo data: the five real plan documents, imported through the importer as any team would."""

from importlib import resources

from tminus.core.actors import Actor
from tminus.plans import services
from tminus.releases import services as release_services
from tminus.releases.models import Product

# (file prefix, product key, product name, release key)
DEMO_PLANS = [
    ("000", "shop", "E-Commerce Platform", "shop-create-order-plan"),
    ("001", "shop", "E-Commerce Platform", "shop-release-train"),
    ("002", "food", "Food Delivery Platform", "food-release-process"),
    ("003", "layby", "Layby Management", "layby-go-live-plan"),
    ("004", "va-health", "VA.gov Health Records", "va-1095b-rollout"),
]


def _demo_file(prefix: str):
    folder = resources.files("tminus.plans.demo_plans")
    return next(entry for entry in folder.iterdir() if entry.name.startswith(prefix))


def load() -> None:
    actor = Actor.cli()
    for prefix, product_key, product_name, release_key in DEMO_PLANS:
        if not Product.objects.filter(key=product_key).exists():
            release_services.product_create(key=product_key, name=product_name, actor=actor)
        entry = _demo_file(prefix)
        services.plan_import(data=entry.read_bytes(), source_name=entry.name,
                             product_key=product_key, release_key=release_key, actor=actor)
