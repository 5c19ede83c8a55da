"""`tminus serve --demo`: the five seed plans, each at an instructive point of its life."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tminus.core.demo_loader import demo_load
from tminus.releases import demo
from tminus.releases.choices import FINISHED_ITEM_STATUSES
from tminus.releases.models import Release
from tminus.reports.risk import health, risk_reasons

pytestmark = pytest.mark.django_db
A_DAY = date(2031, 5, 14)


def test_demo_load_holds_the_five_seed_releases_each_with_its_checklist():
    demo_load()

    releases = {r.key: r for r in Release.objects.all()}
    assert set(releases) == {spec.key for spec in demo.DEMO_RELEASES}
    assert all(release.checklist_items.exists() for release in releases.values())
    assert {release.plan_document.source_name[:3] for release in releases.values()} == {
        "000", "001", "002", "003", "004"}
    assert {key: release.status for key, release in releases.items()} == {
        spec.key: spec.status for spec in demo.DEMO_RELEASES}


def test_demo_load_leaves_no_release_off_track_and_only_the_intended_item_late():
    demo_load()

    releases = list(Release.objects.all())
    reasons = risk_reasons(releases)
    assert {r.key: health(r, reasons.get(r.pk, [])) for r in releases if
            health(r, reasons.get(r.pk, [])) == "off_track"} == {}
    overdue = {r.key: _late(r, timezone.localdate()) for r in releases}
    assert overdue == {**{r.key: 0 for r in releases}, demo.LATE_ITEM_RELEASE: 1}


def test_demo_dates_follow_the_given_day():
    demo.load(today=A_DAY)

    for spec in demo.DEMO_RELEASES:
        release = Release.objects.get(key=spec.key)
        assert release.go_live == A_DAY + timedelta(days=spec.go_live_in), spec.key
        assert _late(release, A_DAY) == (1 if spec.key == demo.LATE_ITEM_RELEASE else 0)
    closed = Release.objects.get(key="shop-create-order")
    production = closed.phases.get(name="Production/Deployment")
    assert production.start_date == closed.go_live  # phases moved by the same rule
    planning = closed.phases.get(name="Planning")
    assert planning.start_date == closed.go_live - timedelta(days=86)  # Jan 2 to March 28
    rollout = Release.objects.get(key="va-1095b-rollout")
    assert rollout.phases.get().start_date == A_DAY  # deployment day is the day it starts
    layby = Release.objects.get(key="layby-1.0")
    assert 0 < (layby.go_live - A_DAY).days <= 3  # the go/no-go is at hand


def _late(release, day) -> int:
    return (release.checklist_items.filter(due_date__lt=day)
            .exclude(status__in=FINISHED_ITEM_STATUSES).count())
