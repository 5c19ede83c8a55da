from datetime import timedelta

import pytest
from django.utils import timezone

from tests.runbooks.conftest import release_at
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.people.models import Person
from tminus.readiness.services import freeze_window_add
from tminus.releases import workflow
from tminus.runbooks.models import RunbookRun, StepRun

pytestmark = pytest.mark.django_db


def _start(api, key, **body):
    return api.post(f"/api/v1/releases/{key}/deployments/start", body)


def test_pipeline_start_then_finish_with_a_token_moves_the_release_live(api_as, manager,
                                                                       ready_release, events):
    api = api_as(manager)

    started = _start(api, ready_release.key, environment="production")
    finished = api.post(f"/api/v1/releases/{ready_release.key}/deployments/finish", {})

    assert started.status_code == 201, started.json()
    body = started.json()
    assert (body["number"], body["status"], body["environment"]) == (1, "running", "production")
    assert body["phases"][0]["status"] == "pending"
    assert finished.status_code == 200
    assert finished.json()["status"] == "succeeded"
    ready_release.refresh_from_db()
    assert ready_release.status == "live"
    assert {e["interface"] for e in events.named("deployment.finished")} == {"api"}
    assert AuditEvent.objects.filter(action="deployment.start", interface="api",
                                     actor=manager).exists()


def test_pipeline_start_refused_by_the_go_guard_answers_409_with_the_reason(
        api_as, manager, ready_release, monkeypatch):
    monkeypatch.setattr(workflow, "_guards", [lambda r, to: "No Go decision yet."])

    response = _start(api_as(manager), ready_release.key)

    assert response.status_code == 409
    assert response.json()["detail"].endswith("No Go decision yet.")
    assert not RunbookRun.objects.exists()


def test_pipeline_start_inside_a_freeze_answers_409_and_override_with_reason_works(
        api_as, manager, ready_release):
    now = timezone.now()
    freeze_window_add(name="Weekend freeze", starts_at=now - timedelta(hours=1),
                      ends_at=now + timedelta(hours=8), actor=Actor.cli())
    api = api_as(manager)

    refused = _start(api, ready_release.key)
    no_reason = _start(api, ready_release.key, override_freeze=True)
    overridden = _start(api, ready_release.key, override_freeze=True, reason="Hotfix for outage")

    assert refused.status_code == 409 and "Weekend freeze" in refused.json()["detail"]
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    assert overridden.status_code == 201
    assert overridden.json()["freeze_override_reason"] == "Hotfix for outage"


def test_pipeline_finish_of_a_deployment_that_never_started_answers_409(api_as, manager,
                                                                        ready_release):
    response = api_as(manager).post(f"/api/v1/releases/{ready_release.key}/deployments/finish",
                                    {})

    assert response.status_code == 409
    assert "has started" in response.json()["detail"]
    ready_release.refresh_from_db()
    assert ready_release.status == "ready"


def test_pipeline_deployment_of_an_unknown_release_answers_404(api_as, manager):
    response = _start(api_as(manager), "nope-9")
    assert response.status_code == 404
    assert response.json()["detail"] == "No release with key 'nope-9'."


def test_pipeline_fail_keeps_release_deploying(api_as, manager, ready_release, events):
    api = api_as(manager)
    _start(api, ready_release.key)

    response = api.post(f"/api/v1/releases/{ready_release.key}/deployments/fail",
                        {"reason": "Smoke tests red"})

    assert response.json()["failure_reason"] == "Smoke tests red"
    ready_release.refresh_from_db()
    assert ready_release.status == "deploying"
    assert events.named("deployment.failed")[0]["payload"]["reason"] == "Smoke tests red"


@pytest.mark.parametrize("role, status", [("viewer", 403), ("contributor", 403),
                                          ("release_manager", 201), ("admin", 201)])
def test_deployment_start_permissions_by_role(api_as, users, ready_release, role, status):
    assert _start(api_as(users[role]), ready_release.key).status_code == status


def test_deployment_start_without_a_token_answers_401(client, ready_release):
    response = client.post(f"/api/v1/releases/{ready_release.key}/deployments/start", {},
                           content_type="application/json")
    assert response.status_code == 401


def test_step_start_and_finish_through_the_api_show_up_in_the_run(api_as, manager, contributor,
                                                                  ready_release):
    _start(api_as(manager), ready_release.key)
    api = api_as(contributor)
    step = StepRun.objects.order_by("phase_run__order", "order").first()

    started = api.post(f"/api/v1/step-runs/{step.pk}/start", {"notes": "Bridge is open"})
    finished = api.post(f"/api/v1/step-runs/{step.pk}/finish", {"outcome": "failed",
                                                               "notes": "DBA missing"})
    run = api.get(f"/api/v1/releases/{ready_release.key}/runs/current").json()

    assert started.status_code == 200 and started.json()["status"] == "running"
    assert finished.json()["status"] == "failed"
    assert finished.json()["notes"] == "Bridge is open\nDBA missing"
    assert run["phases"][0]["status"] == "failed"
    assert run["phases"][0]["steps"][0]["finished_by"] == "carl-contributor"
    assert run["steps_failed"] == 1


def test_step_finish_before_start_through_the_api_answers_409(api_as, manager, ready_release):
    api = api_as(manager)
    _start(api, ready_release.key)
    step = StepRun.objects.first()

    response = api.post(f"/api/v1/step-runs/{step.pk}/finish", {"outcome": "succeeded"})

    assert response.status_code == 409
    assert "has not been started" in response.json()["detail"]


def test_step_finish_with_time_before_start_answers_422(api_as, manager, ready_release):
    api = api_as(manager)
    _start(api, ready_release.key)
    step = StepRun.objects.first()
    api.post(f"/api/v1/step-runs/{step.pk}/start", {})
    earlier = (timezone.now() - timedelta(hours=1)).isoformat()

    response = api.post(f"/api/v1/step-runs/{step.pk}/finish",
                        {"outcome": "succeeded", "at": earlier})

    assert response.status_code == 422
    assert "before it started" in response.json()["errors"]["at"][0]


def test_step_actions_as_viewer_are_forbidden(api_as, manager, viewer, ready_release):
    _start(api_as(manager), ready_release.key)
    step = StepRun.objects.first()

    assert api_as(viewer).post(f"/api/v1/step-runs/{step.pk}/start", {}).status_code == 403
    assert api_as(viewer).get(
        f"/api/v1/releases/{ready_release.key}/runs/1").status_code == 200


def test_runbook_editing_through_the_api(api_as, contributor, manager, ready_release):
    api = api_as(contributor)
    runbook = api.get(f"/api/v1/releases/{ready_release.key}/runbook").json()
    phase = runbook["phases"][2]
    person = Person.objects.create(name="Dana DBA")

    added = api.post(f"/api/v1/runbook-phases/{phase['id']}/steps",
                     {"title": "Vacuum analyse", "command": "vacuumdb --analyze",
                      "owner_person_id": person.pk, "position": 0})
    step = added.json()
    edited = api.patch(f"/api/v1/runbook-steps/{step['id']}",
                       {"revision": step["revision"], "owner_user": manager.username,
                        "expected_minutes": 3})
    moved = api.post(f"/api/v1/runbook-steps/{step['id']}/move", {"position": 2})
    stale = api.patch(f"/api/v1/runbook-steps/{step['id']}", {"revision": 1, "title": "x"})

    assert added.status_code == 201 and step["owner"] == "Dana DBA" and step["order"] == 0
    assert edited.json()["owner_user"] == manager.username
    assert edited.json()["owner_person_id"] is None
    assert moved.json()["order"] == 2
    assert stale.status_code == 409 and stale.json()["current"]["expected_minutes"] == 3
    assert api.delete(f"/api/v1/runbook-steps/{step['id']}").status_code == 204


def test_runbook_step_add_with_unknown_owner_answers_422_and_adds_nothing(api_as, contributor,
                                                                         ready_release):
    api = api_as(contributor)
    phase = ready_release.runbook.phases.first()
    count = phase.steps.count()

    response = api.post(f"/api/v1/runbook-phases/{phase.pk}/steps",
                        {"title": "x", "owner_user": "ghost"})

    assert response.status_code == 422
    assert "ghost" in response.json()["errors"]["owner_user"][0]
    assert phase.steps.count() == count


def test_runbook_phase_add_and_remove_through_the_api(api_as, contributor, ready_release):
    api = api_as(contributor)

    added = api.post(f"/api/v1/releases/{ready_release.key}/runbook/phases",
                     {"name": "Phase 5: Cache warm-up", "expected_minutes_min": 5})
    phase_id = added.json()["id"]

    assert added.status_code == 201
    assert api.patch(f"/api/v1/runbook-phases/{phase_id}",
                     {"expected_minutes_max": 1}).status_code == 422
    assert api.delete(f"/api/v1/runbook-phases/{phase_id}").status_code == 204
    assert api.delete(f"/api/v1/runbook-phases/{phase_id}").status_code == 404


def test_runbook_editing_as_viewer_is_forbidden(api_as, viewer, ready_release):
    phase = ready_release.runbook.phases.first()
    response = api_as(viewer).post(f"/api/v1/runbook-phases/{phase.pk}/steps", {"title": "x"})
    assert response.status_code == 403


def test_rollback_through_the_api_sets_status_and_lists_it(api_as, manager, events, db,
                                                           open_gate):
    release = release_at("live")
    api = api_as(manager)

    response = api.post(f"/api/v1/releases/{release.key}/rollback",
                        {"reason": "Data corruption detected",
                         "criterion": "Data corruption detected"})
    listing = api.get(f"/api/v1/releases/{release.key}/rollbacks").json()

    assert response.status_code == 201
    assert response.json()["from_status"] == "live"
    release.refresh_from_db()
    assert release.status == "rolled_back"
    assert listing[0]["reason"] == "Data corruption detected"
    assert events.named("release.rolled_back")[0]["interface"] == "api"


def test_rollback_through_the_api_from_ready_answers_409(api_as, manager, ready_release):
    response = api_as(manager).post(f"/api/v1/releases/{ready_release.key}/rollback",
                                    {"reason": "x"})
    assert response.status_code == 409
    assert "cannot move to rolled back" in response.json()["detail"]


def test_rollback_as_contributor_is_forbidden(api_as, contributor, db, open_gate):
    release = release_at("live")
    response = api_as(contributor).post(f"/api/v1/releases/{release.key}/rollback",
                                        {"reason": "x"})
    assert response.status_code == 403
    release.refresh_from_db()
    assert release.status == "live"


def test_rollback_plan_editing_through_the_api(api_as, contributor, ready_release):
    api = api_as(contributor)
    person = Person.objects.create(name="Lena Lead", email="lena@example.com")

    patched = api.patch(f"/api/v1/releases/{ready_release.key}/rollback-plan",
                        {"revision": 1, "consider_criteria": ["Checkout slower than 3s"],
                         "estimated_minutes": 40})
    member = api.post(f"/api/v1/releases/{ready_release.key}/rollback-plan/team",
                      {"person_id": person.pk, "role": "Lead"})
    step = api.post(f"/api/v1/releases/{ready_release.key}/rollback-plan/steps",
                    {"title": "Turn the checkout flag off", "position": 0})
    plan = api.get(f"/api/v1/releases/{ready_release.key}/rollback-plan").json()

    assert patched.status_code == 200 and patched.json()["revision"] == 2
    assert member.status_code == 201 and member.json()["email"] == "lena@example.com"
    assert step.status_code == 201
    assert plan["consider_criteria"] == ["Checkout slower than 3s"]
    assert plan["steps"][0]["title"] == "Turn the checkout flag off"
    assert plan["team"][0]["role"] == "Lead"
    assert api.delete(f"/api/v1/rollback-team/{member.json()['id']}").status_code == 204


def test_run_list_shows_the_failed_run_and_its_retry(api_as, manager, ready_release):
    api = api_as(manager)
    _start(api, ready_release.key)
    api.post(f"/api/v1/releases/{ready_release.key}/deployments/fail", {"reason": "x"})
    _start(api, ready_release.key)

    runs = api.get(f"/api/v1/releases/{ready_release.key}/runs").json()

    assert [(r["number"], r["status"]) for r in runs] == [(2, "running"), (1, "failed")]
    assert runs[0]["steps_total"] > 10


def test_run_detail_of_a_run_that_does_not_exist_answers_404(api_as, viewer, ready_release):
    response = api_as(viewer).get(f"/api/v1/releases/{ready_release.key}/runs/7")
    assert response.status_code == 404
    assert "no run #7" in response.json()["detail"]
