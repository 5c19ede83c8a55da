from datetime import date, timedelta

import pytest

from tests.factories import ProductFactory, make_release
from tminus.accounts.models import ApiToken
from tminus.audit.models import AuditEvent
from tminus.releases.models import ChecklistItem, Release

pytestmark = pytest.mark.django_db


def test_api_without_token_is_401(client):
    response = client.get("/api/v1/releases")
    assert response.status_code == 401
    assert "token" in response.json()["detail"]


def test_api_with_revoked_token_is_401(api_as, manager):
    api = api_as(manager)
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert api.get("/api/v1/releases").status_code == 401


def test_api_token_is_stored_hashed(api_as, manager):
    api = api_as(manager)
    stored = ApiToken.objects.get()
    assert api.token not in (stored.token_hash, stored.prefix)
    assert len(stored.token_hash) == 64


def test_api_create_release_from_template_as_manager_audits_api_interface(api_as, manager):
    ProductFactory(key="shop")
    response = api_as(manager).post("/api/v1/releases", {
        "product": "shop", "name": "Create Order", "version": "1.0", "template": "major",
        "go_live": "2026-03-28", "owner": manager.username,
    })

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key"] == "shop-1.0"
    assert body["release_type"] == "major"
    assert body["items_total"] > 10
    assert body["phases"][0]["name"] == "Planning"
    event = AuditEvent.objects.get(action="release.create")
    assert (event.interface, event.actor) == ("api", manager)


def test_api_create_release_with_bad_fields_answers_422_per_field_and_saves_nothing(api_as,
                                                                                   manager):
    ProductFactory(key="shop")
    response = api_as(manager).post("/api/v1/releases", {
        "product": "shop", "name": "", "template": "major", "go_live": "2026-03-28",
        "planning_start": "2026-04-01",
    })

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"name", "go_live"}
    assert not Release.objects.exists()


def test_api_create_release_with_unparseable_date_answers_422_naming_the_field(api_as, manager):
    ProductFactory(key="shop")
    response = api_as(manager).post("/api/v1/releases", {
        "product": "shop", "name": "X", "template": "minor", "go_live": "next tuesday"})
    assert response.status_code == 422
    assert "go_live" in response.json()["errors"]


def test_api_transition_not_allowed_answers_409_with_reason(api_as, manager):
    release = make_release()
    response = api_as(manager).post(f"/api/v1/releases/{release.key}/transition",
                                    {"status": "live"})
    assert response.status_code == 409
    assert "cannot move to live" in response.json()["detail"]


def test_api_transition_to_unknown_status_is_refused(api_as, manager):
    release = make_release()
    response = api_as(manager).post(f"/api/v1/releases/{release.key}/transition",
                                    {"status": "shipped"})
    assert response.status_code == 409
    assert "not a release status" in response.json()["detail"]


def test_api_schedule_shift_moves_checklist_due_dates(api_as, manager):
    release = make_release(go_live=date(2026, 5, 1))
    item = release.checklist_items.filter(due_offset__isnull=False).first()
    response = api_as(manager).post(f"/api/v1/releases/{release.key}/schedule",
                                    {"go_live": "2026-05-11", "reason": "vendor slipped"})
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.due_date == date(2026, 5, 11) + timedelta(days=item.due_offset)


def test_api_checklist_item_stale_patch_answers_409_with_current_state(api_as, contributor):
    release = make_release()
    item = release.checklist_items.first()
    api = api_as(contributor)
    first = api.patch(f"/api/v1/checklist-items/{item.pk}",
                      {"revision": item.revision, "status": "done"})
    assert first.status_code == 200
    assert first.json()["done_by"] == contributor.username

    stale = api.patch(f"/api/v1/checklist-items/{item.pk}",
                      {"revision": item.revision, "status": "blocked"})

    assert stale.status_code == 409
    assert stale.json()["current"]["status"] == "done"
    assert ChecklistItem.objects.get(pk=item.pk).status == "done"


def test_api_checklist_lists_sections_with_progress(api_as, viewer):
    release = make_release()
    body = api_as(viewer).get(f"/api/v1/releases/{release.key}/checklists").json()
    assert body[0]["total"] == len(body[0]["items"])
    assert {"done", "overdue", "percent"} <= set(body[0])


def test_api_portfolio_filters_by_product_and_status(api_as, viewer):
    shop, other = ProductFactory(key="shop"), ProductFactory(key="other")
    make_release(shop, name="A")
    make_release(other, name="B")
    api = api_as(viewer)
    assert [r["product"] for r in api.get("/api/v1/releases?product=shop").json()["items"]] == [
        "shop"]
    assert api.get("/api/v1/releases?status=live").json() == {"count": 0, "items": []}


def test_api_history_lists_the_release_changes(api_as, manager):
    release = make_release()
    api = api_as(manager)
    api.post(f"/api/v1/releases/{release.key}/transition", {"status": "development"})
    actions = [e["action"] for e in api.get(f"/api/v1/releases/{release.key}/history").json()]
    assert actions[:2] == ["release.transition", "release.create"]


def test_api_session_post_without_csrf_token_is_refused(manager):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(manager)
    ProductFactory(key="shop")
    response = browser.post("/api/v1/products", {"name": "Sneaky"},
                            content_type="application/json")
    assert response.status_code in (401, 403)


def test_openapi_document_lists_release_endpoints(client):
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/releases/{key}/transition" in document["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_api_token_create_and_revoke_through_api(api_as, viewer):
    api = api_as(viewer)
    created = api.post("/api/v1/tokens", {"name": "ci"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("tmn_")
    revoked = api.delete(f"/api/v1/tokens/{created.json()['id']}")
    assert revoked.json()["revoked_at"] is not None


def test_api_checklist_item_patch_keeps_the_edit_rules_and_refuses_a_too_long_owner_note(
        api_as, contributor):
    from tests.support.edit_rules import assert_edit_rules_hold

    item = make_release().checklist_items.first()
    api = api_as(contributor)
    path = f"/api/v1/checklist-items/{item.pk}"
    assert_edit_rules_hold(api, path, revision=item.revision, null_field="responsible",
                           change={"status": "done"})
    too_long = api.patch(path, {"revision": item.revision, "responsible": "r" * 201})

    assert too_long.status_code == 422
    assert too_long.json()["errors"] == {"responsible": ["At most 200 characters."]}
    item.refresh_from_db()
    assert (item.status, item.responsible, item.done_by) == ("todo", "", None)


def test_api_release_patch_keeps_the_edit_rules_and_refuses_a_too_long_version(api_as, manager):
    from tests.support.edit_rules import assert_edit_rules_hold

    release = make_release()
    before = (release.goal, release.version, release.revision)
    api = api_as(manager)
    path = f"/api/v1/releases/{release.key}"
    assert_edit_rules_hold(api, path, revision=release.revision, null_field="name",
                           change={"goal": "Faster checkout"})
    too_long = api.patch(path, {"revision": release.revision, "version": "1." * 30})

    assert too_long.status_code == 422
    assert too_long.json()["errors"] == {"version": ["At most 50 characters."]}
    release.refresh_from_db()
    assert (release.goal, release.version, release.revision) == before
