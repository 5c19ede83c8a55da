"""Every kind of release row declared as `RowPages` gets working add, edit and remove pages:
the edit form starts from the row and saves it back, a stale edit is refused, viewers are
kept out, and removing takes the row away."""

import pytest
from django.urls import reverse

from tests.conftest import signed_in
from tests.factories import make_release
from tminus.core.actors import Actor
from tminus.people import services as people
from tminus.people import views as people_views
from tminus.people.models import Person
from tminus.readiness import services as readiness
from tminus.readiness import views as readiness_views

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _person():
    return Person.objects.get_or_create(name="Rita Owner")[0]


# Each declaration, the name of its URLs, and how a row of it is made.
KINDS = {
    "readiness-risk": (readiness_views.RISKS, lambda release: readiness.risk_add(
        release=release, description="Payments time out", probability="high", impact="high",
        review_offset=-3, actor=CLI)),
    "readiness-dependency": (readiness_views.DEPENDENCIES, lambda release:
                             readiness.dependency_add(release=release, name="Identity API",
                                                      needed_by_offset=-10, actor=CLI)),
    "readiness-contingency": (readiness_views.CONTINGENCIES, lambda release:
                              readiness.contingency_add(release=release, name="Roll back",
                                                        trigger="Errors over 2%",
                                                        steps=["Turn the flag off"],
                                                        actor=CLI)),
    "readiness-criterion": (readiness_views.CRITERIA, lambda release: readiness.criterion_add(
        release=release, kind="no_open_risk", label="No open risk", actor=CLI)),
    "people-stakeholder": (people_views.STAKEHOLDERS, lambda release: people.stakeholder_add(
        release=release, person=_person(), role="qa", actor=CLI)),
    "people-tier": (people_views.TIERS, lambda release: people.support_tier_add(
        release=release, level=9, name="Service desk", response_minutes=15, actor=CLI)),
    "people-step": (people_views.ESCALATION_STEPS, lambda release: people.escalation_step_add(
        release=release, from_party="Service desk", to_party="On-call engineer", actor=CLI)),
    "people-shift": (people_views.ON_CALL_SHIFTS, lambda release: people.on_call_shift_add(
        release=release, week=9, primary=_person(), actor=CLI)),
}


def _posted(form) -> dict:
    """What a browser posts back for `form` untouched: each field's value as it is shown."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


def _edit_form_of(pages, row):
    initial = {"revision": row.revision, **{f: getattr(row, f) for f in pages.fields},
               **pages.initial(row)}
    return (pages.edit_form or pages.form)(initial=initial)


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
    response = client.post(url, _posted(_edit_form_of(pages, row)))

    assert response.status_code == 302, response.content.decode()[:2000]
    before = row.revision
    row.refresh_from_db()
    assert row.revision == before + 1


def test_it_refuses_an_edit_made_from_a_stale_revision_and_changes_nothing(kind, admin_user):
    pages, make = KINDS[kind]
    release = make_release()
    row = make(release)
    data = _posted(_edit_form_of(pages, row))
    data["revision"] = row.revision - 1 if row.revision > 0 else row.revision + 5

    response = signed_in(admin_user).post(reverse(f"{kind}-edit", args=[release.key, row.pk]),
                                          data)

    assert response.status_code == 409
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
