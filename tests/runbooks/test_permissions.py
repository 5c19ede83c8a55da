"""Every deployment-day page and endpoint, walked with every role."""

import json

import pytest

from tests.conftest import signed_in
from tminus.accounts.roles import ADMIN, CAPABILITIES, CONTRIBUTOR, RELEASE_MANAGER, VIEWER
from tminus.core.actors import Actor
from tminus.people.models import Person
from tminus.runbooks import services

pytestmark = pytest.mark.django_db


def _targets(release, run, person):
    key = release.key
    phase = release.runbook.phases.first()
    step = phase.steps.first()
    plan = release.rollback_plan
    rollback_step = plan.steps.first()
    step_run = run.steps.order_by("phase_run__order", "order").first()
    member = services.rollback_team_member_add(plan=plan, person=person, actor=Actor.cli())
    page = f"/releases/{key}/runbook"
    back = f"/releases/{key}/rollback"
    return [
        # (method, path, body, capability); writes come in an order that keeps later ones valid
        ("get", f"{page}/", None, "view"),
        ("get", f"{page}/runs/{run.number}/", None, "view"),
        ("get", f"{back}/", None, "view"),
        ("get", f"/api/v1/releases/{key}/runbook", None, "view"),
        ("get", f"/api/v1/releases/{key}/runs", None, "view"),
        ("get", f"/api/v1/releases/{key}/runs/current", None, "view"),
        ("get", f"/api/v1/releases/{key}/runs/{run.number}", None, "view"),
        ("get", f"/api/v1/releases/{key}/rollback-plan", None, "view"),
        ("get", f"/api/v1/releases/{key}/rollbacks", None, "view"),
        ("get", f"{page}/phases/{phase.pk}/edit", None, "contribute"),
        ("get", f"{page}/steps/{step.pk}/edit", None, "contribute"),
        ("get", f"{back}/steps/{rollback_step.pk}/edit", None, "contribute"),
        ("post", f"{page}/phases/add", {"name": "P", "stage": "execution"}, "contribute"),
        ("post", f"{page}/steps/add", {"phase": phase.pk, "title": "S"}, "contribute"),
        ("post", f"{page}/steps/{step.pk}/move", {"position": 1}, "contribute"),
        ("post", f"{page}/phases/{phase.pk}/move", {"position": 1}, "contribute"),
        ("post", f"/api/v1/releases/{key}/runbook/phases", {"name": "Api phase"}, "contribute"),
        ("post", f"/api/v1/runbook-phases/{phase.pk}/steps", {"title": "Api step"},
         "contribute"),
        ("patch", f"/api/v1/runbook-steps/{step.pk}", {"command": "make deploy"}, "contribute"),
        ("patch", f"/api/v1/runbook-phases/{phase.pk}", {"description": "d"}, "contribute"),
        ("post", f"/api/v1/runbook-steps/{step.pk}/move", {"position": 0}, "contribute"),
        ("post", f"/api/v1/runbook-phases/{phase.pk}/move", {"position": 0}, "contribute"),
        ("post", f"{page}/runs/{run.number}/steps/{step_run.pk}/start", {}, "contribute"),
        ("post", f"/api/v1/step-runs/{step_run.pk}/notes", {"notes": "n"}, "contribute"),
        ("post", f"/api/v1/step-runs/{step_run.pk}/finish", {"outcome": "succeeded"},
         "contribute"),
        ("post", f"{back}/edit", {"estimated_minutes": "20"}, "contribute"),
        ("post", f"{back}/steps/add", {"title": "R"}, "contribute"),
        ("post", f"{back}/steps/{rollback_step.pk}/move", {"position": 1}, "contribute"),
        ("patch", f"/api/v1/releases/{key}/rollback-plan", {"estimated_minutes": 25},
         "contribute"),
        ("post", f"/api/v1/releases/{key}/rollback-plan/steps", {"title": "Api R"},
         "contribute"),
        ("patch", f"/api/v1/rollback-steps/{rollback_step.pk}", {"command": "x"}, "contribute"),
        ("post", f"/api/v1/rollback-steps/{rollback_step.pk}/move", {"position": 0},
         "contribute"),
        ("delete", f"/api/v1/rollback-team/{member.pk}", None, "contribute"),
        ("post", f"/api/v1/releases/{key}/rollback-plan/team", {"person_id": person.pk},
         "contribute"),
        ("post", f"/releases/{key}/deployments/fail", {"reason": "r"}, "manage"),
        ("post", f"/api/v1/releases/{key}/deployments/start", {}, "manage"),
        ("post", f"/api/v1/releases/{key}/deployments/fail", {}, "manage"),
        ("post", f"/releases/{key}/deployments/start", {}, "manage"),
        ("post", f"/releases/{key}/deployments/finish", {}, "manage"),
        ("post", f"/api/v1/releases/{key}/rollback", {"reason": "r"}, "manage"),
        ("post", f"{back}/execute", {"reason": "again"}, "manage"),
        ("delete", f"/api/v1/runbook-steps/{step.pk}", None, "contribute"),
        ("post", f"{page}/phases/{phase.pk}/remove", {}, "contribute"),
        ("post", f"{back}/steps/{rollback_step.pk}/remove", {}, "contribute"),
    ]


@pytest.mark.parametrize("role", [ADMIN, RELEASE_MANAGER, CONTRIBUTOR, VIEWER])
def test_every_deployment_day_page_and_endpoint_allows_exactly_the_roles_with_the_capability(
        users, ready_release, role):
    run = services.deployment_start(release=ready_release, actor=Actor.cli())
    client = signed_in(users[role])
    granted = CAPABILITIES[role]
    wrong = []
    for method, path, body, capability in _targets(ready_release, run,
                                                   Person.objects.create(name="P")):
        call = getattr(client, method)
        if body is None:
            response = call(path)
        elif path.startswith("/api/"):
            response = call(path, data=json.dumps(body), content_type="application/json")
        else:
            response = call(path, data=body)
        refused = response.status_code == 403
        if refused == (capability in granted):
            wrong.append((method, path, response.status_code))
    assert not wrong
