from datetime import date

import pytest

from tests.conftest import signed_in
from tests.factories import ProductFactory, make_release
from tminus.audit.models import AuditEvent
from tminus.releases.models import Product, Release

pytestmark = pytest.mark.django_db


def test_release_form_creates_release_from_template_and_shows_it(manager):
    ProductFactory(key="shop", name="Shop")
    client = signed_in(manager)

    response = client.post("/releases/new", {
        "product": "shop", "name": "Create Order", "version": "1.0", "template": "major",
        "go_live": "2026-03-28", "goal": "Orders", "owner": manager.username,
    }, follow=True)

    release = Release.objects.get()
    assert response.redirect_chain[-1][0] == f"/releases/{release.key}/"
    page = response.content.decode()
    assert "Create Order" in page and "<svg" in page and "Development completion" in page
    assert AuditEvent.objects.filter(action="release.create", interface="web").exists()


def test_release_form_without_name_shows_field_error_with_422_and_saves_nothing(manager):
    ProductFactory(key="shop")
    response = signed_in(manager).post("/releases/new", {
        "product": "shop", "name": "", "template": "major", "go_live": "2026-03-28"})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    assert not Release.objects.exists()


def test_release_form_with_bad_date_shows_field_error(manager):
    ProductFactory(key="shop")
    response = signed_in(manager).post("/releases/new", {
        "product": "shop", "name": "X", "template": "major", "go_live": "soon"})
    assert response.status_code == 422
    assert "Enter a valid date" in response.content.decode()


def test_product_form_with_duplicate_key_shows_message(manager):
    ProductFactory(key="shop")
    response = signed_in(manager).post("/products/new", {"name": "Shop", "key": "shop"})
    assert response.status_code == 422
    assert "already exists" in response.content.decode()
    assert Product.objects.count() == 1


def test_checklist_item_form_ticks_item_and_progress_changes(contributor):
    release = make_release()
    item = release.checklist_items.first()
    client = signed_in(contributor)

    client.post(f"/releases/{release.key}/items/{item.pk}/status",
                {"status": "done", "revision": item.revision})

    page = client.get(f"/releases/{release.key}/").content.decode()
    total = release.checklist_items.count()
    assert f"1/{total}" in page
    assert f"done by {contributor}" in page


def test_checklist_item_form_from_stale_page_shows_conflict_and_keeps_other_edit(contributor):
    release = make_release()
    item = release.checklist_items.first()
    client = signed_in(contributor)
    client.post(f"/releases/{release.key}/items/{item.pk}/status",
                {"status": "done", "revision": item.revision})

    response = client.post(f"/releases/{release.key}/items/{item.pk}/status",
                           {"status": "blocked", "revision": item.revision}, follow=True)

    assert "changed by someone else" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "done"


def test_transition_form_refused_shows_reason(manager):
    release = make_release()
    response = signed_in(manager).post(f"/releases/{release.key}/transition",
                                       {"status": "live"}, follow=True)
    assert "cannot move to live" in response.content.decode()


def test_release_page_marks_overdue_items(viewer):
    release = make_release(go_live=date(2020, 6, 1))
    page = signed_in(viewer).get(f"/releases/{release.key}/").content.decode()
    assert "is-overdue" in page and "overdue</strong>" in page


def test_portfolio_filters_by_owner(viewer, manager):
    make_release(name="Mine", owner=manager)
    make_release(name="Nobody's")
    page = signed_in(viewer).get(f"/?owner={manager.username}").content.decode()
    rows = page.count('<tr>\n  <td><a href="/releases/')
    assert rows == 1


def test_edit_release_from_stale_revision_is_refused(manager):
    release = make_release()
    client = signed_in(manager)
    data = {"revision": release.revision, "name": "First", "release_type": "minor"}
    client.post(f"/releases/{release.key}/edit", data)

    response = client.post(f"/releases/{release.key}/edit", {**data, "name": "Second"})

    assert response.status_code == 409
    release.refresh_from_db()
    assert release.name == "First"


def test_release_page_tabs_show_only_their_own_panels(viewer):
    release = make_release()
    client = signed_in(viewer)

    plan = client.get(f"/releases/{release.key}/").content.decode()
    readiness = client.get(f"/releases/{release.key}/?tab=readiness").content.decode()
    history = client.get(f"/releases/{release.key}/?tab=history").content.decode()

    assert "Checklists" in plan and "panel-readiness" not in plan
    assert "panel-readiness" in readiness and "<h2>Checklists</h2>" not in readiness
    assert "Release created" in history
    unknown = client.get(f"/releases/{release.key}/?tab=nonsense").content.decode()
    assert "<h2>Checklists</h2>" in unknown


def test_edit_release_conflict_shows_theirs_beside_mine_and_saving_again_applies_mine(manager):
    release = make_release(name="Original")
    client = signed_in(manager)
    data = {"revision": release.revision, "name": "Theirs", "release_type": "minor"}
    client.post(f"/releases/{release.key}/edit", data)

    response = client.post(f"/releases/{release.key}/edit", {**data, "name": "Mine"})
    page = response.content.decode()
    release.refresh_from_db()
    assert response.status_code == 409
    assert '<td class="theirs">Theirs</td><td class="yours">Mine</td>' in page
    assert f'name="revision" value="{release.revision}"' in page and 'value="Mine"' in page

    again = client.post(f"/releases/{release.key}/edit",
                        {**data, "name": "Mine", "revision": release.revision})
    release.refresh_from_db()
    assert again.status_code == 302 and release.name == "Mine"


def test_release_page_of_a_release_keyed_zero_links_each_item_and_section_to_itself(manager):
    # The row links are built from a pattern with 0 for the id: a key "0" is no id.
    release = make_release(key="0")
    item = release.checklist_items.first()
    section = item.section

    response = signed_in(manager).get("/releases/0/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'action="/releases/0/items/{item.pk}/status"' in page
    assert f'data-move="/releases/0/plan/section/{section.pk}/move"' in page
    assert 'action="/releases/0/plan/item/add"' in page
