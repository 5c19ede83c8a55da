"""A product's working calendar in a real headless Chromium: holidays imported from an ICS file
show up as warnings on the dates of the release page that land on them."""

from datetime import date

import pytest

from tests.factories import make_release
from tests.releases.test_working_days import ICS
from tests.support.pages import sign_in
from tminus.core.actors import Actor
from tminus.releases import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_holidays_imported_from_ics_are_flagged_on_the_release_page(browser, live_server,
                                                                    manager, tmp_path):
    release = make_release(go_live=date(2027, 3, 5))
    item = release.checklist_items.first()
    services.checklist_item_update(item=item, revision=None,
                                   changes={"due_date": date(2027, 3, 1)}, actor=Actor.cli())
    calendar_file = tmp_path / "holidays.ics"
    calendar_file.write_bytes(ICS)
    page = sign_in(browser, live_server, manager)

    page.goto(f"{live_server.url}/products/")
    page.click("text=Working days and holidays")
    page.set_input_files("input[name=file]", str(calendar_file))
    page.click("button:has-text('Import')")
    page.wait_for_selector(".message.success")
    assert "4 holidays imported." in page.inner_text(".messages")
    assert "Company day" in page.inner_text("#holidays")

    page.goto(f"{live_server.url}/releases/{release.key}/")
    flag = page.locator(f"#item-{item.pk} .nonworking")
    assert flag.inner_text() == "⚠ holiday: Company day"
