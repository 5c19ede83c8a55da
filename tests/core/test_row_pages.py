"""Every kind of release row declared as `RowPages` gets working add, edit and remove pages:
the edit form starts from the row and saves it back, a stale edit is refused, viewers are
kept out, and removing takes the row away."""

import pytest
from django.urls import reverse

from tests.conftest import signed_in
from tests.factories import make_release
from tests.support.release_rows import MAKERS
from tminus.people import views as people_views
from tminus.readiness import views as readiness_views

pytestmark = pytest.mark.django_db
PAGES = {
    "readiness-risk": readiness_views.RISKS,
    "readiness-dependency": readiness_views.DEPENDENCIES,
    "readiness-contingency": readiness_views.CONTINGENCIES,
    "readiness-criterion": readiness_views.CRITERIA,
    "people-stakeholder": people_views.STAKEHOLDERS,
    "people-tier": people_views.TIERS,
    "people-step": people_views.ESCALATION_STEPS,
    "people-shift": people_views.ON_CALL_SHIFTS,
}
KINDS = {name: (pages, MAKERS[name.split("-", 1)[1]]) for name, pages in PAGES.items()}


def _posted(form) -> dict:
    """What a browser posts back for `form` untouched: each field's value as it is shown."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


@pytest.fixture(params=sorted(KINDS))
def kind(request):
    return request.param


def test_it_saves_an_untouched_edit_form_back_and_bumps_the_revision(kind, admin_user):
    pages, make = KINDS[kind]
    release = make_release()
    row = make(release)
    client = signed_in(admin_user)
    url = reverse(f"{kind}-edit", args=[release.key, row.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, _posted(pages.edit_form_for(row)))

    assert response.status_code == 302, response.content.decode()[:2000]
    before = row.revision
    row.refresh_from_db()
    assert row.revision == before + 1


def test_it_refuses_an_edit_made_from_a_stale_revision_and_changes_nothing(kind, admin_user):
    pages, make = KINDS[kind]
    release = make_release()
    row = make(release)
    data = _posted(pages.edit_form_for(row))
    data["revision"] = row.revision - 1 if row.revision > 0 else row.revision + 5

    response = signed_in(admin_user).post(reverse(f"{kind}-edit", args=[release.key, row.pk]),
                                          data)

    assert response.status_code == 409
    assert type(row).objects.get(pk=row.pk).revision == row.revision


def test_it_refuses_an_edit_without_a_revision_and_changes_nothing(kind, admin_user):
    pages, make = KINDS[kind]
    release = make_release()
    row = make(release)
    data = _posted(pages.edit_form_for(row))
    del data["revision"]

    response = signed_in(admin_user).post(reverse(f"{kind}-edit", args=[release.key, row.pk]),
                                          data)

    assert response.status_code == 428
    assert type(row).objects.get(pk=row.pk).revision == row.revision


def test_it_keeps_viewers_out_of_the_add_edit_and_remove_pages(kind, viewer):
    _pages, make = KINDS[kind]
    release = make_release()
    row = make(release)
    client = signed_in(viewer)

    assert client.get(reverse(f"{kind}-add", args=[release.key])).status_code == 403
    assert client.get(reverse(f"{kind}-edit", args=[release.key, row.pk])).status_code == 403
    assert client.post(reverse(f"{kind}-remove", args=[release.key, row.pk])).status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def test_it_removes_a_row_from_a_post_only(kind, admin_user):
    _pages, make = KINDS[kind]
    release = make_release()
    row = make(release)
    client = signed_in(admin_user)
    url = reverse(f"{kind}-remove", args=[release.key, row.pk])

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not type(row).objects.filter(pk=row.pk).exists()


def test_it_does_not_find_a_row_through_another_release(kind, admin_user):
    _pages, make = KINDS[kind]
    row = make(make_release())
    other = make_release()

    response = signed_in(admin_user).get(reverse(f"{kind}-edit", args=[other.key, row.pk]))

    assert response.status_code == 404
