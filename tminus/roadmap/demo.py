"""Seed 001's roadmap for the demo product `shop`: themes, features with their status, a monthly
cadence on the 15th, and release 1.3 created from what the cadence proposes."""

from tminus.core.actors import Actor
from tminus.releases import services as release_services
from tminus.releases.models import Product, Release
from tminus.roadmap import selectors, services

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
    releases = {r.version: r for r in shop.releases.all()}
    for version, release in releases.items():
        if version in THEMES:
            release_services.release_update(release=release, revision=release.revision,
                                            changes={"goal": THEMES[version]}, actor=actor)
    if "1.3" not in releases:
        proposal = selectors.roadmap(shop).proposals[0]
        releases["1.3"] = services.roadmap_release_create(
            product=shop, go_live=proposal.go_live, version="1.3", theme="Social & Community",
            actor=actor)
        release_services.release_update(release=releases["1.3"],
                                        revision=releases["1.3"].revision,
                                        changes={"goal": THEMES["1.3"]}, actor=actor)
    for version, features in FEATURES.items():
        _features(releases.get(version), features, actor)
    _move_loyalty_program(releases, actor)


def _features(release: Release | None, features, actor) -> None:
    if release is None:
        return
    for title, status in features:
        release_services.scope_item_add(release=release, title=title, kind="feature",
                                        status=status, actor=actor)


def _move_loyalty_program(releases, actor) -> None:
    # Planned for 1.2 first, then moved to 1.3, so the demo shows a feature's history.
    feature = releases["1.2"].scope_items.filter(title="Loyalty program").first()
    if feature is not None and "1.3" in releases:
        services.feature_move(feature=feature, to_release=releases["1.3"],
                              reason="Needs the recommendation engine's data first.", actor=actor)
