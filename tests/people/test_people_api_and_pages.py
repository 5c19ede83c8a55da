import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import signed_in
from tests.factories import make_release
from tminus.core.actors import Actor
from tminus.people import services
from tminus.people.models import OnCallShift, Person, Stakeholder, SupportTier

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _people(count: int) -> list[Person]:
    start = Person.objects.count()
    return [services.person_create(name=f"Person {start + n}", email=f"p{start + n}@example.com",
                                   phone="+1 555", actor=CLI) for n in range(count)]


def test_api_person_create_links_account_and_lists_it(api_as, manager):
    api = api_as(manager)
    response = api.post("/api/v1/people", {"name": "Rita", "email": "rita@example.com",
                                           "username": manager.username})
    assert response.status_code == 201, response.content
    assert response.json()["username"] == manager.username
    assert [p["name"] for p in api.get("/api/v1/people").json()] == ["Rita"]


def test_api_person_with_bad_email_is_422_and_saves_nothing(api_as, manager):
    response = api_as(manager).post("/api/v1/people", {"name": "Rita", "email": "rita@"})
    assert response.status_code == 422
    assert "email" in response.json()["errors"]
    assert not Person.objects.exists()


def test_api_viewer_cannot_create_a_person(api_as, viewer):
    assert api_as(viewer).post("/api/v1/people", {"name": "X"}).status_code == 403


def test_api_stakeholder_add_and_list(api_as, manager):
    release = make_release()
    person = _people(1)[0]
    api = api_as(manager)
    response = api.post(f"/api/v1/releases/{release.key}/stakeholders",
                        {"person_id": person.pk, "role": "operations", "is_approver": True,
                         "responsible_for": "Deployment and rollback"})
    assert response.status_code == 201, response.content
    listed = api.get(f"/api/v1/releases/{release.key}/stakeholders").json()
    assert listed[0]["person"]["email"] == person.email
    assert listed[0]["role"] == "operations"


def test_api_stakeholder_with_unknown_person_or_role_is_422(api_as, manager):
    release = make_release()
    api = api_as(manager)
    missing = api.post(f"/api/v1/releases/{release.key}/stakeholders",
                       {"person_id": 999, "role": "qa"})
    assert missing.status_code == 422
    assert "No person with id 999" in missing.json()["errors"]["person"][0]
    person = _people(1)[0]
    bad_role = api.post(f"/api/v1/releases/{release.key}/stakeholders",
                        {"person_id": person.pk, "role": "wizard"})
    assert bad_role.status_code == 422
    assert not Stakeholder.objects.exists()


def test_api_stakeholder_update_from_stale_revision_is_409(api_as, manager):
    release = make_release()
    stakeholder = services.stakeholder_add(release=release, person=_people(1)[0], role="qa",
                                           actor=CLI)
    api = api_as(manager)
    first = api.patch(f"/api/v1/stakeholders/{stakeholder.pk}",
                      {"revision": 1, "accountability": "accountable"})
    assert first.status_code == 200
    stale = api.patch(f"/api/v1/stakeholders/{stakeholder.pk}",
                      {"revision": 1, "accountability": "informed"})
    assert stale.status_code == 409
    assert stale.json()["current"]["accountability"] == "accountable"


def test_api_support_tier_takes_durations_as_people_write_them(api_as, manager):
    release = make_release(template="patch")
    api = api_as(manager)
    response = api.post(f"/api/v1/releases/{release.key}/support/tiers",
                        {"level": 1, "name": "First line", "response": "4h",
                         "resolution": "24h", "handles": ["Password resets"]})
    assert response.status_code == 201, response.content
    assert response.json()["response_minutes"] == 240
    bad = api.post(f"/api/v1/releases/{release.key}/support/tiers",
                   {"level": 2, "name": "Tech", "response": "quickly"})
    assert bad.status_code == 422
    assert "quickly" in bad.json()["errors"]["response"][0]
    assert SupportTier.objects.filter(release=release).count() == 1


def test_api_rota_week_that_makes_no_sense_is_422(api_as, manager):
    release = make_release(template="patch")
    response = api_as(manager).post(f"/api/v1/releases/{release.key}/support/rota",
                                    {"week": -2})
    assert response.status_code == 422
    assert "week" in response.json()["errors"]


def test_api_support_model_lists_tiers_escalation_and_rota(api_as, viewer):
    release = make_release(template="major")
    model = api_as(viewer).get(f"/api/v1/releases/{release.key}/support").json()
    assert [t["response"] for t in model["tiers"]] == ["4h", "2h", "1h"]
    assert model["escalation"][0]["from_party"] == "User"
    assert len(model["rota"]) == 4


def test_api_support_model_runs_the_same_queries_for_2_and_20_people(
        api_as, viewer, django_assert_max_num_queries):
    release = make_release(template="major")
    api = api_as(viewer)
    path = f"/api/v1/releases/{release.key}/support"

    def fill(count):
        people = _people(count)
        for shift in OnCallShift.objects.filter(release=release):
            shift.primary, shift.secondary = people[0], people[-1]
            shift.save()
        for person in people:
            services.escalation_step_add(release=release, from_party="A", to_party="B",
                                         contact=person, actor=CLI)

    fill(2)
    with CaptureQueriesContext(connection) as few:
        api.get(path)
    fill(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(path).status_code == 200


def test_stakeholders_page_runs_the_same_queries_for_2_and_20(viewer,
                                                              django_assert_max_num_queries):
    release = make_release()
    client = signed_in(viewer)
    path = f"/releases/{release.key}/stakeholders/"
    for person in _people(2):
        services.stakeholder_add(release=release, person=person, role="qa", actor=CLI)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    for person in _people(18):
        services.stakeholder_add(release=release, person=person, role="qa", actor=CLI)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(path)
    assert response.content.count(b"@example.com</a>") == 20


def test_stakeholder_form_adds_and_shows_on_release_page(manager):
    release = make_release()
    person = _people(1)[0]
    client = signed_in(manager)
    response = client.post(f"/releases/{release.key}/stakeholders/new",
                           {"person": person.pk, "role": "security",
                            "accountability": "consulted", "responsible_for": "Pen test"})
    assert response.status_code == 302
    page = client.get(f"/releases/{release.key}/?tab=people").content.decode()
    assert "Pen test" in page and "Security" in page


def test_support_tier_form_with_bad_target_shows_the_error_and_saves_nothing(manager):
    release = make_release(template="patch")
    response = signed_in(manager).post(f"/releases/{release.key}/support/tiers/new",
                                       {"level": 1, "name": "Desk", "response_minutes": "asap"})
    assert response.status_code == 422
    assert "is not a duration" in response.content.decode()
    assert not release.support_tiers.exists()


def test_support_tier_form_with_good_targets_saves_them_in_minutes(manager):
    release = make_release(template="patch")
    response = signed_in(manager).post(f"/releases/{release.key}/support/tiers/new", {
        "level": 7, "name": "Desk", "response_minutes": "30m", "resolution_minutes": "1d 4h"})
    assert response.status_code == 302
    tier = release.support_tiers.get(level=7)
    assert (tier.response_minutes, tier.resolution_minutes) == (30, 28 * 60)


def test_support_tier_form_with_a_target_too_long_to_read_says_so(manager):
    release = make_release(template="patch")
    response = signed_in(manager).post(f"/releases/{release.key}/support/tiers/new", {
        "level": 7, "name": "Desk", "response_minutes": "1m " * 20})
    assert response.status_code == 422
    assert "at most 40 characters" in response.content.decode()


def test_rota_form_week_zero_shows_the_service_refusal(manager):
    release = make_release(template="patch")
    response = signed_in(manager).post(f"/releases/{release.key}/support/rota/new",
                                       {"week": 0})
    assert response.status_code == 422
    assert "weeks count from go-live" in response.content.decode()


def test_viewer_sees_support_page_but_cannot_open_its_forms(viewer):
    release = make_release(template="major")
    client = signed_in(viewer)
    assert client.get(f"/releases/{release.key}/support/").status_code == 200
    assert client.get(f"/releases/{release.key}/support/tiers/new").status_code == 403
    assert client.get("/people/new").status_code == 403


def test_person_edit_form_changes_contact_details(manager):
    person = _people(1)[0]
    client = signed_in(manager)
    response = client.post(f"/people/{person.pk}/edit",
                           {"revision": person.revision, "name": person.name,
                            "email": "new@example.com", "phone": "+44 20"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.email, person.phone) == ("new@example.com", "+44 20")


def test_stakeholder_remove_is_post_only_and_audited(manager):
    release = make_release()
    stakeholder = services.stakeholder_add(release=release, person=_people(1)[0], role="qa",
                                           actor=CLI)
    client = signed_in(manager)
    path = f"/releases/{release.key}/stakeholders/{stakeholder.pk}/remove"
    assert client.get(path).status_code == 405
    assert client.post(path).status_code == 302
    assert not Stakeholder.objects.exists()
