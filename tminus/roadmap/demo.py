"""Seed 001's roadmap for the demo product `shop`: a monthly cadence on the 15th, and the theme
and features of each of its releases the demo holds."""

from tminus.core.actors import Actor
from tminus.releases import services as release_services
from tminus.releases.models import Product, Release
from tminus.roadmap import services

THEMES = {
    "1.0": "Core E-commerce Functionality",
    "1.1": "User Experience & Performance",
    "1.2": "Data-Driven Insights",
    "1.3": "Community Features",
}
FEATURES = {
    "1.0": [("User authentication (Buyers, Sellers, Delivery Agents)", "done"),
            ("Product management (CRUD operations)", "done"),
            ("Shopping cart and wishlist", "done"), ("Order processing", "done"),
            ("Basic delivery management", "done"), ("Payment integration", "done"),
            ("Basic analytics", "done")],
    "1.1": [("Advanced delivery tracking", "in_progress"), ("Real-time notifications", "planned"),
            ("Enhanced search and filters", "planned"), ("Mobile app (PWA)", "planned"),
            ("Performance optimizations", "planned")],
    "1.2": [("Advanced analytics dashboard", "planned"), ("Recommendation engine", "planned"),
            ("Inventory optimization", "planned"), ("Customer insights", "planned"),
            ("Business intelligence reports", "planned"), ("Loyalty program", "planned")],
    "1.3": [("Product reviews and ratings", "planned"), ("Social sharing", "planned"),
            ("Seller ratings", "planned"), ("Community features", "planned")],
}


def load() -> None:
    actor = Actor.cli()
    shop = Product.objects.filter(key="shop").first()
    if shop is None:
        return
    services.cadence_set(product=shop, text="monthly on the 15th", template_key="minor",
                         actor=actor)
    # The demo keeps to the seed plans' releases: the themes and features of later versions
    # stay on the roadmap page as the cadence's proposals until someone creates them.
    releases = {r.version: r for r in shop.releases.all()}
    for version, release in releases.items():
        if version in THEMES:
            release_services.release_update(release=release, revision=release.revision,
                                            changes={"goal": THEMES[version]}, actor=actor)
        _features(release, FEATURES.get(version, []), actor)


def _features(release: Release, features, actor) -> None:
    known = set(release.scope_items.values_list("title", flat=True))
    for title, status in features:
        if title not in known:
            release_services.scope_item_add(release=release, title=title, kind="feature",
                                            status=status, actor=actor)
