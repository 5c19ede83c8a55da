from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ProductFactory, UserFactory, make_release
from tminus.accounts.roles import RELEASE_MANAGER
from tminus.outcomes import demo as outcomes_demo
from tminus.outcomes import selectors
from tminus.releases.models import Release
from tminus.reports import demo as reports_demo
from tminus.reports.models import ReleaseNotes
from tminus.roadmap import demo as roadmap_demo
from tminus.roadmap.models import FeatureMove

pytestmark = pytest.mark.django_db


def _shop_like_the_releases_demo():
    """shop-1.0 live for ten days, 1.1 and 1.2 ahead, as tminus.releases.demo makes them."""
    UserFactory(username="maria", role=RELEASE_MANAGER)
    shop = ProductFactory(key="shop", name="E-Commerce Platform")
    today = timezone.localdate()
    for version, days, template in (("1.0", -10, "major"), ("1.1", 12, "minor"),
                                    ("1.2", 40, "minor")):
        make_release(shop, name=f"Shop v{version}", version=version, template=template,
                     go_live=today + timedelta(days=days))
    Release.objects.filter(key="shop-1.0").update(status="live")
    return shop


def test_demo_loads_seed_001_roadmap_success_metrics_and_release_notes():
    shop = _shop_like_the_releases_demo()

    outcomes_demo.load()
    roadmap_demo.load()
    reports_demo.load()

    first = Release.objects.get(key="shop-1.0")
    views = {v.kpi.key: v for v in selectors.release_kpis(first)}
    assert list(views) == ["registered-users", "products-listed", "successful-orders", "uptime",
                           "page-load-time"]
    assert views["uptime"].status == "met"
    assert len(views["uptime"].checkins) == 8  # Day 1 … Day 7 and Week 1
    assert views["registered-users"].status == "pending"
    next_one = Release.objects.get(key="shop-1.3")
    assert next_one.go_live.day == 15
    assert next_one.go_live > Release.objects.get(key="shop-1.2").go_live
    assert next_one.goal == "Community Features"
    statuses = dict(Release.objects.get(key="shop-1.1").scope_items.values_list("title",
                                                                              "status"))
    assert statuses["Advanced delivery tracking"] == "in_progress"
    assert statuses["Real-time notifications"] == "planned"
    assert next_one.scope_items.filter(title="Loyalty program").exists()
    assert FeatureMove.objects.get().to_release == next_one
    assert ReleaseNotes.objects.filter(release=first).exists()
    assert shop.cadence.text == "monthly on the 15th"
