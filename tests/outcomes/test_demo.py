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

pytestmark = pytest.mark.django_db


def _shop_like_the_releases_demo():
    """shop-1.0 live for ten days, as tminus.releases.demo makes it."""
    UserFactory(username="maria", role=RELEASE_MANAGER)
    shop = ProductFactory(key="shop", name="E-Commerce Platform")
    today = timezone.localdate()
    make_release(shop, name="Shop v1.0", version="1.0", template="major",
                 go_live=today + timedelta(days=-10))
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
    assert first.goal == "Core E-commerce Functionality"
    statuses = dict(first.scope_items.values_list("title", "status"))
    assert statuses["Order processing"] == "done"
    assert Release.objects.count() == 1  # the roadmap adds no release of its own
    assert ReleaseNotes.objects.filter(release=first).exists()
    assert shop.cadence.text == "monthly on the 15th"
