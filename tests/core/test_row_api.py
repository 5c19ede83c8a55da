"""Every kind of release row registered as `RowApi` answers its update and remove endpoints
alike: a change needs the revision it was made from, viewers are refused, removing takes
the row away."""

import pytest

from tests.factories import make_release
from tests.support.release_rows import MAKERS

pytestmark = pytest.mark.django_db

# kind: (the path of its rows, one change a person might make)
ENDPOINTS = {
    "risk": ("risks", {"mitigation": "Retry with backoff"}),
    "dependency": ("dependencies", {"description": "Token exchange"}),
    "contingency": ("contingencies", {"trigger": "Errors over 5%"}),
    "criterion": ("criteria", {"label": "No risk left open"}),
    "stakeholder": ("stakeholders", {"responsible_for": "Regression tests"}),
    "tier": ("support-tiers", {"name": "First line"}),
    "step": ("escalation-steps", {"condition": "If the desk cannot solve it"}),
    "shift": ("on-call-shifts", {"week": 8}),
}


@pytest.fixture(params=sorted(ENDPOINTS))
def kind(request):
    return request.param


def _row(kind):
    return MAKERS[kind](make_release())


def test_it_changes_a_row_only_from_its_current_revision(kind, manager, api_as):
    row = _row(kind)
    path, change = ENDPOINTS[kind]
    url = f"/api/v1/{path}/{row.pk}"
    api = api_as(manager)

    assert api.patch(url, change).status_code == 428
    assert api.patch(url, {**change, "revision": row.revision + 7}).status_code == 409
    response = api.patch(url, {**change, "revision": row.revision})

    assert response.status_code == 200, response.content
    field, value = next(iter(change.items()))
    row.refresh_from_db()
    assert getattr(row, field) == value


def test_it_refuses_viewers_changes_and_removals(kind, viewer, api_as):
    row = _row(kind)
    path, change = ENDPOINTS[kind]
    api = api_as(viewer)

    assert api.patch(f"/api/v1/{path}/{row.pk}",
                     {**change, "revision": row.revision}).status_code == 403
    assert api.delete(f"/api/v1/{path}/{row.pk}").status_code == 403
    assert type(row).objects.filter(pk=row.pk, revision=row.revision).exists()


def test_it_removes_a_row_once(kind, manager, api_as):
    row = _row(kind)
    path, _change = ENDPOINTS[kind]
    api = api_as(manager)

    assert api.delete(f"/api/v1/{path}/{row.pk}").status_code == 204
    assert not type(row).objects.filter(pk=row.pk).exists()
    assert api.delete(f"/api/v1/{path}/{row.pk}").status_code == 404
