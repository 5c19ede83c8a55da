"""The release page runs the same queries for a checklist of 10 items or of 200."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import signed_in
from tests.factories import UserFactory, make_release
from tminus.releases.models import ChecklistItem, ChecklistSection

pytestmark = pytest.mark.django_db
GO_LIVE = date(2030, 6, 1)


def _release_with(items: int, owners: list):
    release = make_release(go_live=GO_LIVE)
    section = ChecklistSection.objects.create(release=release, title="Filler")
    ChecklistItem.objects.bulk_create(
        ChecklistItem(release=release, section=section, text=f"Item {n} [docs](https://x.test)",
                      owner=owners[n % len(owners)], status="done" if n % 3 else "todo",
                      done_by=owners[0] if n % 3 else None,
                      due_date=GO_LIVE - timedelta(days=n % 40), due_offset=-(n % 40),
                      parent=None, order=n)
        for n in range(items))
    return release


def _queries(client, release) -> int:
    client.get(f"/releases/{release.key}/")  # sessions and caches settle on the first visit
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/releases/{release.key}/").status_code == 200
    return len(captured)


def test_release_page_queries_do_not_grow_with_its_items(manager):
    owners = [UserFactory(username=f"owner-{n}") for n in range(5)]
    client = signed_in(manager)

    small = _queries(client, _release_with(10, owners))
    large = _queries(client, _release_with(200, owners))

    assert large == small
