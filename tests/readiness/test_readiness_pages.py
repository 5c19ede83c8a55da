"""The readiness pages: forms, errors, permissions, the release page panels and query bounds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import signed_in
from tests.readiness.helpers import move_to_ready
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.people import services as people_services
from tminus.people.models import Person
from tminus.readiness import services
from tminus.readiness.models import Dependency, GateOverride, GoNoGoVote, Risk

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def _fill(release, count: int) -> None:
    """count more people, each with a risk, a dependency, a stakeholder role and a vote."""
    start = Person.objects.count()
    for n in range(start, start + count):
        person = Person.objects.create(name=f"Person {n}", email=f"p{n}@example.com")
        services.risk_add(release=release, description=f"Risk {n}", probability="medium",
                          impact="high", owner=person, actor=CLI)
        services.dependency_add(release=release, name=f"Dependency {n}", owner=person,
                                actor=CLI)
        people_services.stakeholder_add(release=release, person=person, role="qa", actor=CLI)
        services.vote_record(release=release, approver=person, vote="go", actor=CLI)


@pytest.mark.parametrize("page", ["", "risks/", "dependencies/", "readiness/"])
def test_pages_run_the_same_queries_for_2_and_20_rows(viewer, release, page):
    client = signed_in(viewer)
    path = f"/releases/{release.key}/{page}"
    _fill(release, 2)
    few = _queries(client, path)
    _fill(release, 18)
    assert _queries(client, path) == few


def test_release_page_shows_readiness_heat_map_dependencies_and_support(viewer, release,
                                                                       other_person):
    services.risk_add(release=release, description="Security vulnerability", probability="low",
                      impact="critical", actor=CLI)
    services.dependency_add(release=release, name="SMS provider", kind="third_party", actor=CLI)
    client = signed_in(viewer)
    page = client.get(f"/releases/{release.key}/?tab=readiness").content.decode()
    assert "Readiness and go/no-go" in page and "Sign-off from QA" in page
    assert 'class="heat-map"' in page and "Security vulnerability" in page
    assert "SMS provider" in page and "Plan A: Delayed go-live" in page
    people_tab = client.get(f"/releases/{release.key}/?tab=people").content.decode()
    assert "Tier 1: First line" in people_tab


def test_risk_form_adds_a_risk_and_shows_it_on_the_register(contributor, release):
    client = signed_in(contributor)
    response = client.post(f"/releases/{release.key}/risks/new", {
        "description": "Performance under load", "probability": "low", "impact": "medium",
        "status": "open", "review": "T-3d"})
    assert response.status_code == 302
    risk = Risk.objects.get()
    assert risk.review_offset == -3
    assert "Performance under load" in client.get(f"/releases/{release.key}/risks/").content \
        .decode()


def test_risk_form_with_a_nonsense_offset_shows_the_error_and_saves_nothing(contributor,
                                                                           release):
    response = signed_in(contributor).post(f"/releases/{release.key}/risks/new", {
        "description": "Outage", "probability": "low", "impact": "medium", "status": "open",
        "review": "T-3 fortnights"})
    assert response.status_code == 422
    assert "is not a T-offset" in response.content.decode()
    assert not Risk.objects.exists()


def test_risk_edit_from_a_stale_page_is_a_conflict(contributor, release):
    risk = services.risk_add(release=release, description="Outage", probability="low",
                             impact="low", actor=CLI)
    client = signed_in(contributor)
    form = {"revision": risk.revision, "description": "Outage", "probability": "high",
            "impact": "low", "status": "open"}
    assert client.post(f"/releases/{release.key}/risks/{risk.pk}/edit", form).status_code == 302
    stale = client.post(f"/releases/{release.key}/risks/{risk.pk}/edit",
                        {**form, "probability": "medium"})
    assert stale.status_code == 409
    risk.refresh_from_db()
    assert risk.probability == "high"


def test_dependency_form_with_release_kind_but_no_release_shows_the_refusal(contributor,
                                                                           release):
    response = signed_in(contributor).post(f"/releases/{release.key}/dependencies/new", {
        "name": "Needs 1.1", "kind": "release", "status": "open"})
    assert response.status_code == 422
    assert "Choose the release this one needs live." in response.content.decode()
    assert not Dependency.objects.exists()


def test_viewer_cannot_open_edit_forms_or_post_votes(viewer, release):
    client = signed_in(viewer)
    assert client.get(f"/releases/{release.key}/risks/new").status_code == 403
    assert client.get(f"/releases/{release.key}/readiness/criteria/new").status_code == 403
    assert client.post(f"/releases/{release.key}/readiness/vote",
                       {"vote": "go"}).status_code == 403


def test_vote_form_records_the_vote_and_the_page_shows_it(manager, release, approver):
    client = signed_in(manager)
    response = client.post(f"/releases/{release.key}/readiness/vote", {
        "approver": approver.pk, "vote": "go_with_conditions", "comment": "Once UAT is done"})
    assert response.status_code == 302
    assert GoNoGoVote.objects.get().recorded_by == manager
    assert "Once UAT is done" in client.get(f"/releases/{release.key}/readiness/").content \
        .decode()


def test_vote_form_go_with_conditions_without_them_shows_the_error(manager, release, approver):
    response = signed_in(manager).post(f"/releases/{release.key}/readiness/vote", {
        "approver": approver.pk, "vote": "go_with_conditions"})
    assert response.status_code == 422
    assert "Name the conditions" in response.content.decode()


def test_decision_form_go_refused_lists_what_is_not_met(manager, release):
    response = signed_in(manager).post(f"/releases/{release.key}/readiness/decision",
                                       {"outcome": "go"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "No approver has voted yet." in page and "Sign-off from QA" in page


def test_override_form_is_for_admins_and_is_audited(admin_user, manager, release):
    move_to_ready(release)
    path = f"/releases/{release.key}/readiness/override"
    assert signed_in(manager).post(path, {"reason": "x"}).status_code == 403
    assert signed_in(admin_user).post(path, {"reason": "Fix for outage"}).status_code == 302
    assert GateOverride.objects.get().created_by == admin_user
    event = AuditEvent.objects.get(action="gate.override")
    assert event.interface == "web" and event.reason == "Fix for outage"


def test_transition_form_to_deploying_without_go_shows_the_guard_reason(manager, release):
    move_to_ready(release)
    client = signed_in(manager)
    response = client.post(f"/releases/{release.key}/transition", {"status": "deploying"},
                           follow=True)
    assert "only after a Go" in response.content.decode()
    release.refresh_from_db()
    assert release.status == "ready"


def test_criterion_form_with_bad_json_params_shows_the_error(manager, release):
    response = signed_in(manager).post(f"/releases/{release.key}/readiness/criteria/new", {
        "kind": "no_open_risk", "params": "{level: high}"})
    assert response.status_code == 422
    assert "not valid JSON" in response.content.decode()


def test_approver_with_a_viewer_account_signs_in_and_casts_their_own_vote(viewer, release):
    from tminus.people.models import Stakeholder

    person = Person.objects.create(name="Vera Viewer", user=viewer)
    Stakeholder.objects.create(release=release, person=person, role="qa", is_approver=True)
    client = signed_in(viewer)
    page = client.get(f"/releases/{release.key}/readiness/").content.decode()
    assert "You are an approver of this release" in page

    response = client.post(f"/releases/{release.key}/readiness/vote",
                           {"approver": person.pk, "vote": "go"})
    assert response.status_code == 302
    vote = GoNoGoVote.objects.get()
    assert (vote.approver, vote.recorded_by, vote.vote) == (person, viewer, "go")


def test_approver_with_a_viewer_account_cannot_cast_someone_elses_vote(viewer, release,
                                                                       other_person):
    from tminus.people.models import Stakeholder

    person = Person.objects.create(name="Vera Viewer", user=viewer)
    Stakeholder.objects.create(release=release, person=person, role="qa", is_approver=True)
    response = signed_in(viewer).post(f"/releases/{release.key}/readiness/vote",
                                      {"approver": other_person.pk, "vote": "no_go"})
    assert response.status_code == 403
    assert not GoNoGoVote.objects.exists()
