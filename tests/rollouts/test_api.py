import pytest

from tests.rollouts.conftest import ERROR_TRIGGER, SYSTEM, UAT_USERS, seed_definition
from tminus.audit.models import AuditEvent
from tminus.flags.models import FlagEnvironment
from tminus.rollouts import services
from tminus.rollouts.models import RolloutPlan

pytestmark = pytest.mark.django_db


def test_api_creates_a_plan_from_a_template(api_as, manager, release, flag):
    api = api_as(manager)

    response = api.post("/api/v1/rollouts", {
        "release": release.key, "flag": flag.key, "environment": "production",
        "template": "uat-10-50-100",
        "template_options": {"users": UAT_USERS, "triggers": [ERROR_TRIGGER],
                             "stage_duration": "12h"}})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["key"] == "1095-b-download-production"
    assert [s["audience"] for s in body["stages"]] == [
        "3 named users: mike.king, octo.vet.1, octo.vet.2", "10% of users", "50% of users",
        "100% of users"]
    assert body["definition"]["stages"][1]["min_duration"] == "12h"
    assert body["triggers"][0]["label"].startswith("% download_error of download_click above 2")


def test_api_create_with_a_bad_definition_answers_422_with_paths(api_as, manager, release,
                                                                  flag):
    definition = seed_definition()
    definition["stages"][2]["percentage"] = 5
    definition["stages"][1]["criteria"][0]["metric"] = "nope"

    response = api_as(manager).post("/api/v1/rollouts", {
        "release": release.key, "flag": flag.key, "definition": definition})

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "out of order" in errors["stages.2.percentage"][0]
    assert "no metric 'nope'" in errors["stages.1.criteria.0.metric"][0]
    assert not RolloutPlan.objects.exists()


def test_api_create_for_unknown_release_answers_422(api_as, manager, flag):
    response = api_as(manager).post("/api/v1/rollouts", {"release": "nope", "flag": flag.key,
                                                         "template": "1-5-25-50-100"})
    assert response.status_code == 422
    assert "No release 'nope'" in response.json()["detail"]


def test_api_controls_need_a_reason_and_are_audited(api_as, manager, plan, flag):
    api = api_as(manager)

    assert api.post(f"/api/v1/rollouts/{plan.key}/start", {}).status_code == 422
    response = api.post(f"/api/v1/rollouts/{plan.key}/start", {"reason": "go decision"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "running"
    assert FlagEnvironment.objects.get(flag=flag, environment__key="production").enabled
    event = AuditEvent.objects.get(action="rollout.start")
    assert (event.interface, event.reason, event.actor) == ("api", "go decision", manager)
    assert response.json()["timeline"][0]["reason"] == "go decision"


def test_api_control_from_a_stale_step_is_409_with_the_current_state(api_as, manager, plan):
    api = api_as(manager)
    api.post(f"/api/v1/rollouts/{plan.key}/start", {"reason": "go"})

    response = api.post(f"/api/v1/rollouts/{plan.key}/advance", {"reason": "ok", "step": 0})

    assert response.status_code == 409
    assert response.json()["current"]["step"] == 1


@pytest.mark.parametrize("action, role, status", [
    ("start", "contributor", 403), ("start", "viewer", 403), ("pause", "viewer", 403),
    ("rollback", "contributor", 200), ("advance", "contributor", 403),
])
def test_api_controls_check_roles(api_as, users, plan, action, role, status):
    if action != "start":
        services.rollout_start(plan=plan, actor=SYSTEM, reason="go")
    response = api_as(users[role]).post(f"/api/v1/rollouts/{plan.key}/{action}",
                                        {"reason": "because"})
    assert response.status_code == status, response.content


def test_api_unknown_control_is_404(api_as, manager, plan):
    response = api_as(manager).post(f"/api/v1/rollouts/{plan.key}/explode", {"reason": "x"})
    assert response.status_code == 404


def test_api_updates_a_draft_definition_with_its_revision(api_as, manager, plan):
    definition = services.plan_definition(plan)
    definition["stages"][1]["percentage"] = 20

    stale = api_as(manager).client.put(f"/api/v1/rollouts/{plan.key}/definition", data={
        "definition": definition, "revision": 9}, content_type="application/json")
    fresh = api_as(manager).client.put(f"/api/v1/rollouts/{plan.key}/definition", data={
        "definition": definition, "revision": 1}, content_type="application/json")

    assert stale.status_code == 409
    assert fresh.status_code == 200, fresh.content
    assert fresh.json()["stages"][1]["percentage"] == 20


def test_api_report_is_markdown(api_as, viewer, plan):
    response = api_as(viewer).get(f"/api/v1/rollouts/{plan.key}/report")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert response.content.decode().startswith("# Staged rollout: 1095-b-download")


def test_api_templates_and_list(api_as, viewer, plan):
    api = api_as(viewer)
    assert [t["key"] for t in api.get("/api/v1/rollout-templates").json()] == [
        "uat-10-50-100", "1-5-25-50-100", "ring-by-segment"]
    body = api.get("/api/v1/rollouts?status=draft").json()
    assert body["count"] == 1 and body["items"][0]["stage"] == "UAT"
    assert api.get("/api/v1/rollouts?status=live").json()["count"] == 0


def test_api_list_runs_a_bounded_number_of_queries(api_as, viewer, release, flag,
                                                   django_assert_max_num_queries):
    from tminus.flags import services as flags

    api = api_as(viewer)

    def add_plans(n):
        for _ in range(n):
            key = f"flag-{RolloutPlan.objects.count()}"
            extra = flags.flag_create(project=flag.project, key=key, actor=SYSTEM)
            services.rollout_plan_create(release=release, flag=extra, environment="production",
                                         definition_data=seed_definition(), actor=SYSTEM)

    add_plans(2)
    api.get("/api/v1/me")  # the token's use is recorded once a minute: not part of the count
    with django_assert_max_num_queries(8) as few:
        assert api.get("/api/v1/rollouts").json()["count"] == 2
    add_plans(18)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/api/v1/rollouts").json()["count"] == 20
