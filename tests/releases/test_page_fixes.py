"""The release page, portfolio and history show what the data says, in words a person reads."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import ProductFactory, make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.text import with_links
from tminus.plans import exporting
from tminus.plans import services as plan_services
from tminus.releases import services
from tminus.releases.models import Milestone, Release
from tminus.releases.workflow import move_warning

pytestmark = pytest.mark.django_db

PLAN = b"""# Payments Release Plan

**Go-Live Date**: 2027-03-01

## Milestones

| Milestone | Date | Owner |
|---|---|---|
| Code complete | 2027-02-15 | Dev lead |
| Go-live | 2027-03-01 | Release manager |

## Checklist

- [ ] Release notes written, see [the guide](https://example.com/guide)
"""


def _imported(manager=None):
    plan_services.plan_import(data=PLAN, source_name="payments.md", product_key="pay",
                              release_key="pay-1", actor=Actor.cli())
    return Release.objects.get(key="pay-1")


def test_moving_go_live_of_an_imported_plan_moves_its_go_live_milestone_and_export_agrees():
    release = _imported()

    services.release_schedule_shift(release=release, go_live=date(2027, 2, 22),
                                    actor=Actor.cli())

    milestone = Milestone.objects.get(release=release, kind="go_live")
    assert milestone.date == date(2027, 2, 22)
    exported = exporting.export_markdown(release)
    assert "2027-03-01" not in exported
    assert "**Go-Live Date**: 2027-02-22" in exported


def test_release_page_plan_document_panel_shows_export_links_and_where_it_came_from(viewer):
    release = _imported()

    page = signed_in(viewer).get(f"/releases/{release.key}/").content.decode()

    assert "Imported from <code>payments.md</code>" in page
    assert f'href="/releases/{release.key}/export.md"' in page
    assert f'href="/releases/{release.key}/export.ics"' in page


def test_release_page_timeline_without_phases_shows_go_live_instead_of_asking_for_it(viewer):
    release = make_release(go_live=date(2027, 5, 1))
    release.phases.all().delete()
    release.milestones.all().delete()

    page = signed_in(viewer).get(f"/releases/{release.key}/").content.decode()

    assert "Set a go-live date" not in page
    assert "milestone-go_live" in page


def test_checklist_item_markdown_link_is_a_link_and_other_markup_stays_text(viewer):
    release = _imported()

    page = signed_in(viewer).get(f"/releases/{release.key}/").content.decode()

    assert '<a rel="noopener noreferrer" href="https://example.com/guide">the guide</a>' in page
    assert "[the guide](" not in page


def test_markdown_links_refuse_script_urls_and_escape_markup():
    assert str(with_links("[x](javascript:alert(1)) <b>")) == "[x](javascript:alert(1)) &lt;b&gt;"
    quoted = str(with_links('[<i>](https://a.example/"x)'))
    assert "&lt;i&gt;" in quoted and "<i>" not in quoted
    assert 'href="https://a.example/"' not in quoted


def test_move_to_list_offers_the_next_step_first_and_warns_on_back_close_and_cancel(manager):
    release = make_release()
    services.release_transition(release=release, to_status="development", actor=Actor.cli())

    page = signed_in(manager).get(f"/releases/{release.key}/").content.decode()

    options = page.split('id="transition-status"')[1].split("</select>")[0]
    assert options.index('value="testing"') < options.index('value="planning"')
    assert move_warning("development", "planning") == "Move this release back to planning?"
    assert move_warning("development", "testing") == ""
    assert "cannot be undone" in move_warning("live", "closed")
    assert "cannot be undone" in move_warning("planning", "cancelled")


def test_status_change_through_the_page_says_what_happened(manager):
    release = make_release(name="Checkout")

    response = signed_in(manager).post(f"/releases/{release.key}/transition",
                                       {"status": "development"}, follow=True)

    assert "Checkout moved from Planning to Development." in response.content.decode()


def test_portfolio_shows_names_and_lists_releases_without_go_live_last(viewer):
    product = ProductFactory(key="shop", name="E-Commerce Platform")
    dated = make_release(product, name="Dated release", go_live=date(2027, 1, 1))
    undated = make_release(product, name="Undated release")
    Release.objects.filter(pk=undated.pk).update(go_live=None)

    page = signed_in(viewer).get("/").content.decode()

    assert "E-Commerce Platform" in page and ">Dated release</a>" in page
    assert page.index("Dated release") < page.index("Undated release")
    assert dated.key in page


def test_history_shows_names_and_labels_groups_fields_and_filters(manager, contributor):
    release = make_release()
    item = release.checklist_items.first()
    services.checklist_item_update(item=item, revision=item.revision, changes={
        "owner": contributor, "status": "done"}, actor=Actor(manager, "web"))
    contributor.first_name, contributor.last_name = "Carl", "Contributor"
    contributor.save()
    client = signed_in(manager)

    page = client.get(f"/releases/{release.key}/history").content.decode()
    only_items = client.get(
        f"/releases/{release.key}/history?kind=releases.checklistitem&who={manager.username}"
    ).content.decode()

    assert "Checklist item changed" in page
    assert "<dt>Owner</dt><dd>— → Carl Contributor</dd>" in page
    assert "<dt>Status</dt><dd>To do → Done</dd>" in page
    assert f'href="/releases/{release.key}/#item-{item.pk}"' in page
    assert "Release created" in page and "Release created" not in only_items
    assert "Checklist item changed" in only_items


def test_history_shows_a_bulk_add_of_items_to_a_section(manager):
    release = make_release()
    section = release.checklist_sections.first()
    services.checklist_items_bulk_add(section=section, items=[{"text": "Warm the caches"}],
                                      actor=Actor(manager, "web"))

    response = signed_in(manager).get(f"/releases/{release.key}/history")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Warm the caches" in page and "&#x27;text&#x27;" not in page


def test_tick_sent_from_the_page_with_the_session_is_recorded_as_web(contributor):
    release = make_release()
    item = release.checklist_items.first()
    client = signed_in(contributor)

    response = client.patch(f"/api/v1/checklist-items/{item.pk}",
                            data={"revision": item.revision, "status": "done"},
                            content_type="application/json")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="checklist_item.update")
    assert event.interface == "web"


def test_tick_sent_with_a_token_is_recorded_as_api(api_as, contributor):
    release = make_release()
    item = release.checklist_items.first()

    api_as(contributor).patch(f"/api/v1/checklist-items/{item.pk}",
                              {"revision": item.revision, "status": "done"})

    assert AuditEvent.objects.get(action="checklist_item.update").interface == "api"


def test_favicon_is_served(viewer):
    response = signed_in(viewer).get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content if response.streaming else
                               [response.content])


def test_moving_go_live_through_the_page_moves_the_overview_planning_start(manager):
    go_live = timezone.localdate() + timedelta(days=60)
    release = make_release(go_live=go_live)
    start = release.planning_start

    signed_in(manager).post(f"/releases/{release.key}/schedule",
                            {"go_live": (go_live + timedelta(days=7)).isoformat(),
                             "revision": release.revision})

    release.refresh_from_db()
    assert release.planning_start == start + timedelta(days=7)
