import pytest

from tminus.people import demo as people_demo
from tminus.readiness import demo as readiness_demo
from tminus.readiness import selectors
from tminus.readiness.models import FreezeWindow
from tminus.releases import demo as releases_demo
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db


def test_demo_takes_shop_1_0_live_through_an_override_and_adds_readiness_data():
    releases_demo.load()
    people_demo.load()
    readiness_demo.load()

    shop_1_0 = Release.objects.get(key="shop-1.0")
    assert shop_1_0.status == "live"
    assert "Demo data" in selectors.active_override(shop_1_0).reason
    layby = Release.objects.get(key="layby-1.0")
    assert layby.risks.count() == 5
    assert [p.label for p in layby.contingencies.all()] == ["A", "B", "C"]
    assert layby.on_call_shifts.filter(primary__isnull=False).count() == 4
    assert layby.stakeholders.filter(is_approver=True).count() == 3
    assert layby.go_no_go_votes.get().vote == "go_with_conditions"  # cast ahead of the go/no-go
    rollout = Release.objects.get(key="va-1095b-rollout")
    assert rollout.dependencies.get().status == "met"
    assert FreezeWindow.objects.filter(rrule="FREQ=WEEKLY;BYDAY=FR").exists()
