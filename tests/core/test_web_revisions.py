"""An edit made in a web form names the revision the page was opened at; a post without it is
refused with a message and changes nothing, whichever page it comes from."""

import pytest

from tests.conftest import signed_in
from tests.factories import make_release
from tminus.core.actors import Actor
from tminus.readiness import services as readiness_services
from tminus.releases.models import ChecklistItem

pytestmark = pytest.mark.django_db
MESSAGE = "did not say which version it was opened at"


@pytest.fixture
def release(db):
    return make_release(name="Checkout")


@pytest.fixture
def risk(release):
    return readiness_services.risk_add(release=release, description="Outage", probability="low",
                                       impact="low", actor=Actor.cli())


def test_it_refuses_a_risk_form_without_revision_and_keeps_the_risk(contributor, release, risk):
    response = signed_in(contributor).post(f"/releases/{release.key}/risks/{risk.pk}/edit", {
        "description": "Overwritten", "probability": "high", "impact": "low", "status": "open"})
    assert response.status_code == 428
    assert MESSAGE in response.content.decode()
    risk.refresh_from_db()
    assert (risk.description, risk.probability) == ("Outage", "low")


def test_it_refuses_the_overview_form_without_revision_without_a_conflict_table(manager,
                                                                                release):
    response = signed_in(manager).post(f"/releases/{release.key}/edit",
                                       {"name": "Overwritten", "release_type": "minor"})
    page = response.content.decode()
    assert 400 <= response.status_code < 500
    assert MESSAGE in page and "Saved (theirs)" not in page
    release.refresh_from_db()
    assert release.name == "Checkout"


def test_it_refuses_an_in_place_edit_without_revision_beside_what_was_typed(contributor,
                                                                           release):
    item = ChecklistItem.objects.filter(release=release).first()
    response = signed_in(contributor).post(f"/inline/item/{item.pk}/text", {"value": "Lost?"},
                                           HTTP_HX_REQUEST="true")
    assert response.status_code == 428
    assert MESSAGE in response.content.decode() and 'value="Lost?"' in response.content.decode()
    assert ChecklistItem.objects.get(pk=item.pk).text == item.text


def test_it_refuses_a_status_button_without_revision_and_keeps_the_status(contributor, release):
    feature = release.scope_items.create(title="Search", kind="feature")
    response = signed_in(contributor).post(
        f"/releases/{release.key}/scope/{feature.pk}/status", {"status": "done"}, follow=True)
    assert MESSAGE in response.content.decode()
    feature.refresh_from_db()
    assert feature.status != "done"


def test_it_still_saves_a_form_that_names_the_current_revision(contributor, release, risk):
    response = signed_in(contributor).post(f"/releases/{release.key}/risks/{risk.pk}/edit", {
        "revision": risk.revision, "description": "Outage", "probability": "high",
        "impact": "low", "status": "open"})
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.probability == "high"
