"""Roadmap mapper: seed 001's release train becomes releases 1.1-1.3 on the product's roadmap
with their themes and features, and the cadence; the export shows their live state."""

from datetime import date

import pytest

from tests.plans.helpers import import_plan, missing_lines, seed, seed_text
from tminus.core.actors import Actor
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.releases import services
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _imported(**kwargs) -> Release:
    return Release.objects.get(key=import_plan(seed("001").read_bytes(), product="shop",
                                               **kwargs).release_key)


def test_seed_001_release_train_puts_releases_1_1_to_1_3_on_the_roadmap():
    release = _imported()

    assert (release.version, release.goal, release.go_live) == (
        "1.0", "Core E-commerce Functionality", date(2026, 1, 15))
    train = {r.version: (r.go_live, r.goal) for r in release.product.releases.exclude(
        pk=release.pk)}
    assert train == {"1.1": (date(2026, 2, 15), "User Experience & Performance"),
                     "1.2": (date(2026, 3, 15), "Data-Driven Insights"),
                     "1.3": (date(2026, 4, 15), "Community Features")}
    other = release.product.releases.get(version="1.1")
    assert {s.title: s.status for s in other.scope_items.all()}[
        "Advanced delivery tracking"] == "in_progress"
    assert not release.scope_items.filter(title="Loyalty program").exists()
    assert release.product.cadence.text == "monthly on the 15th"
    assert missing_lines(seed_text("001"), export_markdown(release)) == []


def test_train_release_moved_and_feature_finished_in_t_minus_show_in_the_export():
    release = _imported()
    other = release.product.releases.get(version="1.2")
    services.release_schedule_shift(release=other, go_live=date(2026, 3, 20), actor=CLI)
    feature = other.scope_items.get(title="Customer insights")
    services.scope_item_update(item=feature, revision=None, changes={"status": "done"},
                               actor=CLI)

    exported = export_markdown(release)

    assert "**Target Date**: March 20, 2026" in exported
    assert "- ✅ Customer insights" in exported
    assert "**Target Date**: April 15, 2026" in exported
    code = plan_as_code(release)["roadmap"]
    assert code[0] == {"cadence": "monthly on the 15th"}
    assert {"title": "Customer insights", "status": "done"} in code[2]["features"]


def test_reimporting_the_train_changes_nothing_and_creates_no_second_release():
    release = _imported(key="shop-train")
    count = release.product.releases.count()

    again = import_plan(seed("001").read_bytes(), product="shop", key="shop-train")

    assert again.report["changes"] == [] and again.report["warnings"][1:] == []
    assert release.product.releases.count() == count == 4
