"""The readiness JSON API: registers, criteria, votes, decisions, overrides; 422s and bounds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_release
from tests.readiness.helpers import move_to_ready
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.readiness import services
from tminus.readiness.models import Criterion, Dependency, GoNoGoDecision, Risk

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _queries(api, path: str) -> int:
    api.get(path)  # the first call of a token records its use; measure the ones after
    with CaptureQueriesContext(connection) as captured:
        assert api.get(path).status_code == 200
    return len(captured.captured_queries)


def _add_risks(release, owner, count: int) -> None:
    for n in range(count):
        services.risk_add(release=release, description=f"Risk {n}", probability="low",
                          impact="high", owner=owner, actor=CLI)


def test_api_risk_add_scores_it_and_takes_a_t_offset_review_date(api_as, contributor, release,
                                                                 other_person):
    response = api_as(contributor).post(f"/api/v1/releases/{release.key}/risks", {
        "description": "Integration failures", "probability": "low", "impact": "high",
        "owner_id": other_person.pk, "mitigation": "Fallback procedures", "review": "T-7d"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["score"], body["level"], body["review_offset"]) == (3, "medium", -7)
    assert body["owner"]["name"] == "Oscar Ops"


@pytest.mark.parametrize(("payload", "field", "text"), [
    ({"probability": "likely"}, "probability", "Unknown probability 'likely'"),
    ({"review": "T-soon"}, "review", "not a T-offset"),
    ({"review": "next week"}, "review", "neither a date"),
    ({"owner_id": 999}, "owner", "No person with id 999"),
])
def test_api_risk_with_bad_input_is_422_and_saves_nothing(api_as, contributor, release, payload,
                                                          field, text):
    data = {"description": "Outage", "probability": "low", "impact": "high", **payload}
    response = api_as(contributor).post(f"/api/v1/releases/{release.key}/risks", data)
    assert response.status_code == 422
    assert text in " ".join(response.json()["errors"][field])
    assert not Risk.objects.exists()


def test_api_risk_patch_with_null_description_is_422(api_as, contributor, release):
    risk = services.risk_add(release=release, description="Outage", probability="low",
                             impact="low", actor=CLI)
    response = api_as(contributor).patch(f"/api/v1/risks/{risk.pk}", {"description": None})
    assert response.status_code == 422
    risk.refresh_from_db()
    assert risk.description == "Outage"


def test_api_viewer_reads_risks_but_cannot_add_one(api_as, viewer, release):
    api = api_as(viewer)
    assert api.get(f"/api/v1/releases/{release.key}/risks").status_code == 200
    assert api.post(f"/api/v1/releases/{release.key}/risks", {
        "description": "x", "probability": "low", "impact": "low"}).status_code == 403


def test_api_risk_list_runs_the_same_queries_for_2_and_20_risks(api_as, viewer, release,
                                                                other_person):
    api = api_as(viewer)
    path = f"/api/v1/releases/{release.key}/risks"
    _add_risks(release, other_person, 2)
    few = _queries(api, path)
    _add_risks(release, other_person, 18)
    assert _queries(api, path) == few
    assert len(api.get(path).json()) == 20


def test_api_dependency_on_another_release_by_key(api_as, contributor, release):
    other = make_release(name="Other")
    api = api_as(contributor)
    response = api.post(f"/api/v1/releases/{release.key}/dependencies", {
        "name": "Needs Other live", "kind": "release", "required_release": other.key,
        "needed_by": "T-3d"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["required_release"] == other.key and body["met"] is False
    assert body["needed_by_offset"] == -3
    missing = api.post(f"/api/v1/releases/{release.key}/dependencies", {
        "name": "Ghost", "kind": "release", "required_release": "no-such"})
    assert missing.status_code == 422
    assert Dependency.objects.count() == 1


def test_api_dependency_list_runs_the_same_queries_for_2_and_20(api_as, viewer, release,
                                                               other_person):
    api = api_as(viewer)
    path = f"/api/v1/releases/{release.key}/dependencies"
    others = [make_release(name=f"Other {n}") for n in range(20)]

    def add(targets):
        for other in targets:
            services.dependency_add(release=release, name=f"Needs {other.key}", kind="release",
                                    required_release=other, owner=other_person, actor=CLI)

    add(others[:2])
    few = _queries(api, path)
    add(others[2:])
    assert _queries(api, path) == few


def test_api_contingency_crud(api_as, contributor, release):
    api = api_as(contributor)
    created = api.post(f"/api/v1/releases/{release.key}/contingencies", {
        "label": "D", "name": "Flag off", "trigger": "Errors above 5%", "steps": ["Turn off"]})
    assert created.status_code == 201
    plan_id = created.json()["id"]
    patched = api.patch(f"/api/v1/contingencies/{plan_id}", {"steps": ["Turn off", "Tell"]})
    assert patched.json()["steps"] == ["Turn off", "Tell"]
    assert api.delete(f"/api/v1/contingencies/{plan_id}").status_code == 204
    assert AuditEvent.objects.filter(action="contingency.remove",
                                     release_id=release.pk).exists()


def test_api_criteria_add_and_readiness_report(api_as, manager, viewer, release):
    api = api_as(manager)
    response = api.post(f"/api/v1/releases/{release.key}/criteria",
                        {"kind": "no_open_risk", "params": {"level": "critical"}})
    assert response.status_code == 201, response.content
    assert response.json()["met"] is True
    bad = api.post(f"/api/v1/releases/{release.key}/criteria",
                   {"kind": "signoff_discipline", "params": {"discipline": "astrology"}})
    assert bad.status_code == 422
    kinds = {k["kind"] for k in api.get("/api/v1/criterion-kinds").json()}
    assert "dependencies_met" in kinds
    report = api_as(viewer).get(f"/api/v1/releases/{release.key}/readiness").json()
    assert [c["label"] for c in report["criteria"]][-1] == "No open risk at critical level or above"
    assert report["ready"] is False and report["go"] is False


def test_api_contributor_cannot_add_criteria(api_as, contributor, release):
    response = api_as(contributor).post(f"/api/v1/releases/{release.key}/criteria",
                                        {"kind": "no_open_risk"})
    assert response.status_code == 403
    assert Criterion.objects.filter(release=release).count() == 5


def test_api_readiness_runs_the_same_queries_for_2_and_20_rows(api_as, viewer, release,
                                                              other_person):
    api = api_as(viewer)
    path = f"/api/v1/releases/{release.key}/readiness"
    _add_risks(release, other_person, 2)
    few = _queries(api, path)
    _add_risks(release, other_person, 18)
    for n in range(18):
        services.dependency_add(release=release, name=f"Dep {n}", owner=other_person, actor=CLI)
    assert _queries(api, path) == few


def test_api_vote_defaults_to_the_callers_own_person(api_as, manager, approver, release):
    response = api_as(manager).post(f"/api/v1/releases/{release.key}/votes", {"vote": "go"})
    assert response.status_code == 201, response.content
    assert response.json()["approver"]["name"] == "Quinn QA"


def test_api_vote_without_a_linked_person_must_name_the_approver(api_as, contributor, release):
    response = api_as(contributor).post(f"/api/v1/releases/{release.key}/votes", {"vote": "go"})
    assert response.status_code == 422
    assert "approver_id" in response.json()["errors"]


def test_api_go_decision_refused_is_422_and_no_go_is_201(api_as, manager, release,
                                                         other_person):
    api = api_as(manager)
    api.post(f"/api/v1/releases/{release.key}/votes",
             {"vote": "no_go", "approver_id": other_person.pk, "comment": "UAT open"})
    refused = api.post(f"/api/v1/releases/{release.key}/decisions", {"outcome": "go"})
    assert refused.status_code == 422
    assert "Oscar Ops voted No-Go." in refused.json()["errors"]["outcome"]
    assert not GoNoGoDecision.objects.exists()
    recorded = api.post(f"/api/v1/releases/{release.key}/decisions",
                        {"outcome": "no_go", "comment": "Again on Thursday"})
    assert recorded.status_code == 201
    assert recorded.json()["votes"][0]["comment"] == "UAT open"
    assert len(api.get(f"/api/v1/releases/{release.key}/decisions").json()) == 1


def test_api_override_needs_admin(api_as, manager, admin_user, release):
    path = f"/api/v1/releases/{release.key}/gate/override"
    assert api_as(manager).post(path, {"reason": "x"}).status_code == 403
    empty = api_as(admin_user).post(path, {"reason": " "})
    assert empty.status_code == 422
    done = api_as(admin_user).post(path, {"reason": "Outage fix"})
    assert done.status_code == 201 and done.json()["created_by"] == admin_user.username
    assert api_as(manager).get(f"/api/v1/releases/{release.key}/gate").json()["go"] is True


def test_api_transition_to_deploying_without_go_is_409_with_the_reason(api_as, manager):
    release = move_to_ready(make_release())
    response = api_as(manager).post(f"/api/v1/releases/{release.key}/transition",
                                    {"status": "deploying"})
    assert response.status_code == 409
    assert "only after a Go" in response.json()["detail"]


def test_api_vote_by_an_approver_with_a_viewer_account_records_their_own(api_as, viewer,
                                                                         release):
    from tminus.people.models import Person, Stakeholder

    person = Person.objects.create(name="Vera Viewer", user=viewer)
    Stakeholder.objects.create(release=release, person=person, role="qa", is_approver=True)
    response = api_as(viewer).post(f"/api/v1/releases/{release.key}/votes", {"vote": "go"})
    assert response.status_code == 201, response.content
    assert response.json()["approver"]["name"] == "Vera Viewer"


def test_api_vote_by_a_viewer_who_is_not_an_approver_is_refused(api_as, viewer, release):
    response = api_as(viewer).post(f"/api/v1/releases/{release.key}/votes", {"vote": "go"})
    assert response.status_code == 403
