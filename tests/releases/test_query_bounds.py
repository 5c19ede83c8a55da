"""The portfolio and the release page run the same number of queries for 10 or 500 rows."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import signed_in
from tests.factories import ProductFactory, make_release
from tminus.releases.models import ChecklistItem, Release

pytestmark = pytest.mark.django_db


def _add_releases(product, count: int) -> None:
    start = Release.objects.count()
    Release.objects.bulk_create(
        Release(product=product, key=f"bulk-{start + n}", name=f"Bulk {start + n}",
                go_live=date(2026, 6, 1) + timedelta(days=n))
        for n in range(count)
    )
    releases = Release.objects.filter(key__startswith="bulk-")
    section = make_release(product).checklist_sections.first()
    ChecklistItem.objects.bulk_create(
        ChecklistItem(release=r, section=section, text="item", due_date=date(2020, 1, 1))
        for r in releases
    )


def _add_items(release, count: int) -> None:
    section = release.checklist_sections.first()
    ChecklistItem.objects.bulk_create(
        ChecklistItem(release=release, section=section, text=f"extra {n}",
                      due_date=date(2020, 1, 1), owner=release.owner)
        for n in range(count)
    )


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_portfolio_runs_the_same_queries_for_10_and_500_releases(viewer):
    product = ProductFactory()
    client = signed_in(viewer)
    _add_releases(product, 10)
    few = _queries(client, "/")
    few_api = _queries(client, "/api/v1/releases")

    _add_releases(product, 490)

    assert _queries(client, "/") == few
    assert _queries(client, "/api/v1/releases") == few_api


def test_release_page_runs_the_same_queries_for_10_and_500_checklist_items(viewer, manager):
    release = make_release(template="major", owner=manager)
    client = signed_in(viewer)
    _add_items(release, 10)
    few = _queries(client, f"/releases/{release.key}/")
    few_api = _queries(client, f"/api/v1/releases/{release.key}/checklists")

    _add_items(release, 490)

    assert _queries(client, f"/releases/{release.key}/") == few
    assert _queries(client, f"/api/v1/releases/{release.key}/checklists") == few_api


def test_portfolio_pages_long_lists_of_releases(viewer):
    _add_releases(ProductFactory(), 120)
    client = signed_in(viewer)

    first = client.get("/").content.decode()
    last = client.get("/?page=3").content.decode()

    assert first.count('<td><a href="/releases/') == 50
    assert "Page 1 of 3" in first and "121 releases" in first
    assert last.count('<td><a href="/releases/') == 21
    api = client.get("/api/v1/releases?limit=10&offset=115").json()
    assert api["count"] == 121 and len(api["items"]) == 6
