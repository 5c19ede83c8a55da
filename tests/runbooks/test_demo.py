import pytest

from tminus.releases import demo as releases_demo
from tminus.releases.models import Release
from tminus.runbooks import demo, selectors

pytestmark = pytest.mark.django_db


def test_demo_shop_went_live_through_a_timed_retry_and_layby_carries_its_commands(open_gate):
    releases_demo.load()
    demo.load()
    shop = Release.objects.get(key="shop-1.0")
    layby = Release.objects.get(key="layby-1.0")

    first, retry = (selectors.run_view(run) for run in shop.runbook_runs.order_by("number"))

    assert first.run.status == "failed" and first.failed == 1
    assert retry.run.status == "succeeded"
    assert retry.ended == retry.total > 30
    assert all(phase.status == "success" and phase.duration_seconds > 0
               for phase in retry.phases)
    assert retry.run.finished_at.date() == shop.go_live
    assert shop.rollback_plan.team.count() == 3
    commands = set(layby.runbook.phases.values_list("steps__command", flat=True))
    assert {"npx prisma migrate deploy", "npm run build"} <= commands
    migration = layby.runbook.phases.get(name__iexact="Phase 1: Database migration")
    assert migration.owner_person.name == "Dana Kim"
