from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import ProductFactory, make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.concurrency import NULL_MESSAGE
from tminus.core.errors import Conflict, NotAllowed, ValidationFailed
from tminus.releases import services as release_services
from tminus.releases.models import Release
from tminus.roadmap import selectors, services
from tminus.roadmap.models import Cadence, FeatureMove
from tminus.roadmap.timeline import roadmap_svg

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _shop():
    """Seed 001's first three releases on the 15th of January to March 2026."""
    shop = ProductFactory(key="shop", name="E-Commerce Platform")
    releases = {}
    for version, month, theme in (("1.0", 1, "Core E-commerce Functionality"),
                                  ("1.1", 2, "User Experience & Performance"),
                                  ("1.2", 3, "Data-Driven Insights")):
        releases[version] = make_release(shop, name=f"Release {version}", version=version,
                                         go_live=date(2026, month, 15), goal=theme)
    return shop, releases


def _feature(release, title, status="planned"):
    return release_services.scope_item_add(release=release, title=title, status=status,
                                           actor=CLI)


def test_cadence_set_then_proposals_follow_the_latest_release():
    shop, _ = _shop()
    services.cadence_set(product=shop, text="monthly on the 15th", actor=CLI)

    proposals = selectors.roadmap(shop, now=date(2026, 1, 1)).proposals

    assert [(p.go_live, p.version) for p in proposals] == [
        (date(2026, 4, 15), "1.3"), (date(2026, 5, 15), "1.4"), (date(2026, 6, 15), "1.5")]


def test_cadence_that_does_not_parse_is_refused_and_changes_nothing():
    shop, _ = _shop()
    services.cadence_set(product=shop, text="monthly on the 15th", actor=CLI)

    with pytest.raises(ValidationFailed) as refused:
        services.cadence_set(product=shop, text="whenever we feel like it", actor=CLI)

    assert "is not a cadence" in refused.value.errors["cadence"][0]
    assert Cadence.objects.get(product=shop).text == "monthly on the 15th"
    assert AuditEvent.objects.filter(action="cadence.set").count() == 1


def test_cadence_set_with_null_text_is_refused_naming_the_field_and_changes_nothing():
    shop, _ = _shop()
    services.cadence_set(product=shop, text="monthly on the 15th", actor=CLI)

    with pytest.raises(ValidationFailed) as refused:
        services.cadence_set(product=shop, text=None, actor=CLI)

    assert refused.value.errors == {"text": [NULL_MESSAGE]}
    assert Cadence.objects.get(product=shop).text == "monthly on the 15th"
    assert AuditEvent.objects.filter(action="cadence.set").count() == 1


def test_cadence_set_from_a_stale_revision_is_a_conflict_and_changes_nothing():
    shop, _ = _shop()
    first = services.cadence_set(product=shop, text="monthly on the 15th", actor=CLI)
    services.cadence_set(product=shop, text="every 2 weeks", revision=first.revision, actor=CLI)

    with pytest.raises(Conflict) as refused:
        services.cadence_set(product=shop, text="monthly on the 1st", revision=first.revision,
                             actor=CLI)

    assert refused.value.current["text"] == "every 2 weeks"
    assert Cadence.objects.get(product=shop).text == "every 2 weeks"


def test_cadence_set_by_a_contributor_is_not_allowed(contributor):
    with pytest.raises(NotAllowed):
        services.cadence_set(product=ProductFactory(), text="every 2 weeks",
                             actor=Actor(contributor, "web"))


def test_roadmap_release_create_uses_the_cadence_template_and_theme():
    shop, _ = _shop()
    services.cadence_set(product=shop, text="monthly on the 15th", template_key="major",
                         actor=CLI)

    release = services.roadmap_release_create(product=shop, go_live=date(2026, 4, 15),
                                              version="1.3", theme="Social & Community",
                                              actor=CLI)

    assert (release.key, release.name, release.goal) == (
        "shop-1.3", "Social & Community v1.3", "Social & Community")
    assert release.template_key == "major"
    assert release.milestones.get(kind="go_live").date == date(2026, 4, 15)


def test_roadmap_release_create_on_a_taken_date_is_refused():
    shop, _ = _shop()
    with pytest.raises(ValidationFailed, match=r"shop-1\.2 already goes live"):
        services.roadmap_release_create(product=shop, go_live=date(2026, 3, 15), version="9",
                                        actor=CLI)
    assert shop.releases.count() == 3


def test_feature_move_keeps_its_history_and_both_releases_see_it(manager):
    _, releases = _shop()
    loyalty = _feature(releases["1.1"], "Loyalty program")

    services.feature_move(feature=loyalty, to_release=releases["1.2"], reason="needs data",
                          actor=Actor(manager, "web"))
    services.feature_move(feature=loyalty, to_release=releases["1.1"], reason="back",
                          actor=CLI)

    loyalty.refresh_from_db()
    assert loyalty.release == releases["1.1"]
    history = selectors.feature_history(loyalty)
    assert [(m.from_label, m.to_label, m.reason, m.moved_by_label) for m in history] == [
        ("shop-1.1", "shop-1.2", "needs data", manager.username),
        ("shop-1.2", "shop-1.1", "back", "system (cli)")]
    moves = AuditEvent.objects.filter(action="feature.move")
    assert sorted(moves.values_list("release_id", flat=True)) == sorted(
        [releases["1.1"].pk, releases["1.2"].pk] * 2)


def test_feature_move_to_another_product_or_a_closed_release_is_refused():
    _, releases = _shop()
    feature = _feature(releases["1.1"], "Social sharing")
    elsewhere = make_release()
    with pytest.raises(ValidationFailed, match="same product"):
        services.feature_move(feature=feature, to_release=elsewhere, actor=CLI)
    Release.objects.filter(pk=releases["1.0"].pk).update(status="closed")
    with pytest.raises(ValidationFailed, match="closed"):
        services.feature_move(feature=feature, to_release=Release.objects.get(
            pk=releases["1.0"].pk), actor=CLI)
    feature.refresh_from_db()
    assert feature.release == releases["1.1"]
    assert not FeatureMove.objects.exists()


def test_roadmap_timeline_shows_themes_feature_marks_and_proposals():
    shop, releases = _shop()
    services.cadence_set(product=shop, text="monthly on the 15th", actor=CLI)
    _feature(releases["1.0"], "Order processing", "done")
    _feature(releases["1.1"], "Advanced delivery tracking", "in_progress")
    _feature(releases["1.1"], "Real-time notifications <b>")
    view = selectors.roadmap(shop, now=date(2026, 1, 1))

    svg = roadmap_svg(view.columns, view.proposals, date(2026, 1, 1))

    assert "Core E-commerce Functionality" in svg
    assert "✅ Order processing" in svg
    assert "🔄 Advanced delivery tracking" in svg
    assert "📋 Real-time notifications &lt;b&gt;" in svg
    assert svg.count('class="release proposed"') == 3


def test_roadmap_page_query_count_does_not_grow_with_releases(viewer):
    shop, _releases = _shop()
    services.cadence_set(product=shop, text="monthly on the 15th", actor=CLI)
    client = signed_in(viewer)
    client.get("/roadmap/shop/")
    with CaptureQueriesContext(connection) as small:
        client.get("/roadmap/shop/")
    for month in range(4, 13):
        release = make_release(shop, version=f"1.{month}", go_live=date(2026, month, 15))
        for index in range(3):
            _feature(release, f"Feature {month}.{index}")
    with CaptureQueriesContext(connection) as large:
        page = client.get("/roadmap/shop/")
    assert page.status_code == 200
    assert page.content.decode().count('class="card" id="release-') == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_roadmap_page_moves_a_feature_for_a_manager_and_refuses_a_viewer(manager, viewer):
    _, releases = _shop()
    feature = _feature(releases["1.1"], "Mobile app (PWA)")
    url = f"/roadmap/shop/features/{feature.pk}/move"

    assert signed_in(viewer).post(url, {"release": "shop-1.2"}).status_code == 403
    response = signed_in(manager).post(url, {"release": "shop-1.2", "reason": "late design"})

    assert response.status_code == 302
    feature.refresh_from_db()
    assert feature.release == releases["1.2"]
    history = signed_in(viewer).get(f"/roadmap/shop/features/{feature.pk}/").content.decode()
    assert "late design" in history


def test_roadmap_page_with_a_bad_cadence_shows_the_message(manager):
    _shop()
    client = signed_in(manager)
    client.post("/roadmap/shop/cadence", {"cadence": "sometimes", "template": "minor"},
                follow=True)
    page = client.get("/roadmap/shop/")
    assert not Cadence.objects.exists()
    assert page.status_code == 200


def test_api_roadmap_cadence_proposals_create_and_move(api_as, manager):
    _, releases = _shop()
    api = api_as(manager)

    bad = api._send("put", "/api/v1/roadmap/shop/cadence", {"cadence": "fast"})
    assert bad.status_code == 422
    ok = api._send("put", "/api/v1/roadmap/shop/cadence", {"cadence": "monthly on the 15th"})
    assert ok.json()["meaning"] == "monthly on the 15th"
    proposals = api.get("/api/v1/roadmap/shop/proposals?count=2").json()
    today = timezone.localdate()
    assert all(date.fromisoformat(p["go_live"]) > today - timedelta(days=1) for p in proposals)
    created = api.post("/api/v1/roadmap/shop/releases",
                       {"go_live": proposals[0]["go_live"], "version": "1.3",
                        "theme": "Community Features"})
    assert created.status_code == 201, created.content
    feature = _feature(releases["1.2"], "Loyalty program")
    moved = api.post(f"/api/v1/features/{feature.pk}/move", {"release": "shop-1.3"})
    assert moved.json()["to_release"] == "shop-1.3"
    roadmap = api.get("/api/v1/roadmap/shop").json()
    assert [r["key"] for r in roadmap["releases"]] == ["shop-1.0", "shop-1.1", "shop-1.2",
                                                        "shop-1.3"]
    assert roadmap["releases"][3]["features"][0]["title"] == "Loyalty program"
    assert roadmap["moves"][0]["from_release"] == "shop-1.2"


def test_cli_roadmap_cadence_that_does_not_parse_fails():
    _shop()
    with pytest.raises(CommandError, match="is not a cadence"):
        call_command("roadmap", "cadence", "shop", "now and then")


def test_cli_roadmap_propose_creates_the_next_release(capsys):
    shop, _ = _shop()
    call_command("roadmap", "cadence", "shop", "monthly on the 15th")
    call_command("roadmap", "propose", "shop", "--theme", "Community Features")
    release = shop.releases.order_by("-go_live").first()
    assert release.version == "1.3"
    assert release.go_live.day == 15
    assert release.goal == "Community Features"
