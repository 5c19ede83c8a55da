import json
from datetime import timedelta

import pytest

from tests.conftest import signed_in
from tests.rollouts.conftest import SYSTEM, minutes_ago, seed_definition
from tminus.audit.models import AuditEvent
from tminus.rollouts import services
from tminus.rollouts.models import RolloutPlan

pytestmark = pytest.mark.django_db


def test_list_page_and_nav_link_show_plans(manager, plan):
    page = signed_in(manager).get("/rollouts/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/rollouts/{plan.key}/"' in html and "Draft" in html
    assert '<a href="/rollouts/">Rollouts</a>' in html


def test_list_page_runs_a_bounded_number_of_queries(manager, release, flag,
                                                    django_assert_max_num_queries):
    from tminus.flags import services as flags

    client = signed_in(manager)

    def add_plans(n):
        for _ in range(n):
            extra = flags.flag_create(project=flag.project,
                                      key=f"flag-{RolloutPlan.objects.count()}", actor=SYSTEM)
            services.rollout_plan_create(release=release, flag=extra, environment="production",
                                         definition_data=seed_definition(), actor=SYSTEM)

    add_plans(2)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/rollouts/").status_code == 200
    add_plans(18)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/rollouts/").content.decode().count("/rollouts/flag-") >= 20


def test_create_page_makes_a_draft_from_a_template(manager, release, flag):
    response = signed_in(manager).post("/rollouts/new", {
        "release": release.key, "flag": flag.key, "environment": "production",
        "template": "uat-10-50-100", "users": "mike.king, octo.vet.1 octo.vet.2",
        "stage_duration": "1d", "metric": "download_error", "aggregation": "ratio",
        "of": "download_click", "comparator": "<", "threshold": "2", "min_sample": "100",
        "trigger_metric": "download_error", "trigger_aggregation": "ratio",
        "trigger_of": "download_click", "trigger_comparator": ">", "trigger_threshold": "2",
        "trigger_window": "5", "trigger_min_sample": "200", "trigger_sample_metric": "exposures",
        "trigger_action": "rollback"})

    plan = RolloutPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rollouts/{plan.key}/"
    assert plan.stages.first().user_ids == ["mike.king", "octo.vet.1", "octo.vet.2"]
    trigger = plan.triggers.get()
    assert (trigger.sample_metric, trigger.min_sample, trigger.window_minutes) == (
        "exposures", 200, 5)


def test_create_page_with_a_threshold_that_is_not_a_number_says_so(manager, release, flag):
    response = signed_in(manager).post("/rollouts/new", {
        "release": release.key, "flag": flag.key, "environment": "production",
        "template": "1-5-25-50-100", "stage_duration": "1d", "metric": "download_error",
        "aggregation": "ratio", "of": "download_click", "comparator": "<",
        "threshold": "2%", "min_sample": "100", "trigger_aggregation": "count",
        "trigger_comparator": ">", "trigger_window": "5", "trigger_min_sample": "0",
        "trigger_action": "rollback"})

    assert response.status_code == 422
    assert "stages.0.criteria.0.threshold: &#x27;2%&#x27; is not a number." in (
        response.content.decode())
    assert not RolloutPlan.objects.exists()


def test_create_page_is_for_release_managers(contributor):
    assert signed_in(contributor).get("/rollouts/new").status_code == 403


def live_plan(plan, traffic):
    start = minutes_ago(30)
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=start)
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="UAT done", now=start)
    for minutes in (5, 10, 15):
        traffic.events(start + timedelta(minutes=minutes), clicks=80, errors=1)
        services.rollout_evaluate(plan=plan, now=start + timedelta(minutes=minutes, seconds=30))
    return plan


def test_detail_page_shows_stages_values_charts_and_timeline(viewer, plan, traffic):
    live_plan(plan, traffic)

    html = signed_in(viewer).get(f"/rollouts/{plan.key}/").content.decode()

    assert "Stage A: Canary" in html and "stage-current" in html
    assert html.count('<svg class="check-chart"') == 3  # two criteria and the trigger
    assert 'class="threshold"' in html and "<polyline" in html
    assert "<strong>1.25%</strong> against 2%" in html  # 3 errors of 240 clicks
    assert "UAT done" in html
    assert 'data-live-url="/rollouts/' in html
    assert 'action="/rollouts/' not in html  # a viewer gets no controls


def test_live_endpoint_returns_the_changing_parts(viewer, plan, traffic):
    live_plan(plan, traffic)

    response = signed_in(viewer).get(f"/rollouts/{plan.key}/live")

    body = response.json()
    assert body["status"] == "running" and body["step"] == plan.step + 2
    assert set(body["parts"]) == {"state", "checks", "stages", "timeline"}
    assert "<svg" in body["parts"]["checks"] and "Running" in body["parts"]["state"]


def test_controls_on_the_page_need_a_reason_and_are_audited(manager, plan):
    client = signed_in(manager)

    refused = client.post(f"/rollouts/{plan.key}/start", {"reason": ""}, follow=True)
    assert "Say why" in refused.content.decode()
    client.post(f"/rollouts/{plan.key}/start", {"reason": "go decision", "step": "0"})

    plan.refresh_from_db()
    assert plan.status == "running"
    assert AuditEvent.objects.get(action="rollout.start").interface == "web"
    html = client.get(f"/rollouts/{plan.key}/").content.decode()
    assert f'action="/rollouts/{plan.key}/pause"' in html
    assert f'action="/rollouts/{plan.key}/rollback"' in html


def test_control_from_a_stale_page_changes_nothing_and_says_why(manager, plan):
    client = signed_in(manager)
    client.post(f"/rollouts/{plan.key}/start", {"reason": "go", "step": "0"})

    page = client.post(f"/rollouts/{plan.key}/advance", {"reason": "ok", "step": "0"},
                       follow=True)

    assert "moved on meanwhile" in page.content.decode()
    plan.refresh_from_db()
    assert plan.stage_index == 0


def test_viewer_cannot_use_the_controls(viewer, plan):
    assert signed_in(viewer).post(f"/rollouts/{plan.key}/start",
                                  {"reason": "x"}).status_code == 403
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_definition_editor_saves_a_draft_and_refuses_bad_json(manager, plan):
    client = signed_in(manager)
    definition = services.plan_definition(plan)
    definition["stages"][1]["percentage"] = 20

    bad = client.post(f"/rollouts/{plan.key}/edit", {"revision": 1, "definition": "{oops"})
    good = client.post(f"/rollouts/{plan.key}/edit", {"revision": 1,
                                                      "definition": json.dumps(definition)})

    assert bad.status_code == 422 and "This is not JSON" in bad.content.decode()
    assert good.status_code == 302
    assert plan.stages.get(order=1).percentage == 20


def test_report_page_is_markdown(viewer, plan):
    response = signed_in(viewer).get(f"/rollouts/{plan.key}/report.md")
    assert response["Content-Type"].startswith("text/markdown")
    assert "## Stage A: Canary" in response.content.decode()


def test_release_page_has_a_rollouts_panel_on_its_deployment_tab(manager, plan, release):
    html = signed_in(manager).get(f"/releases/{release.key}/?tab=deployment").content.decode()
    assert "Staged rollouts" in html and f"/rollouts/{plan.key}/" in html
    assert f"/rollouts/new?release={release.key}" in html


def test_release_page_warns_of_a_rollout_rolled_back_by_a_trigger(manager, plan, release):
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go")
    services.rollout_rollback(plan=plan, actor=SYSTEM, reason="Trigger fired: errors above 2%")

    html = signed_in(manager).get(f"/releases/{release.key}/").content.decode()

    assert ("The rollout of 1095-b-download in production is rolled back: Trigger fired: "
            "errors above 2%") in html


def test_create_page_offers_the_error_rate_compared_with_control(manager, release, flag):
    response = signed_in(manager).post("/rollouts/new", {
        "release": release.key, "flag": flag.key, "environment": "production",
        "template": "uat-10-50-100", "users": "mike.king", "stage_duration": "1d",
        "metric": "download_error", "aggregation": "ratio", "of": "download_click",
        "comparator": "<=", "compare": "control", "threshold": "0.5", "min_sample": "1000",
        "on_regression": "hold", "trigger_aggregation": "count", "trigger_comparator": ">",
        "trigger_window": "5", "trigger_min_sample": "0", "trigger_action": "rollback"})

    assert response.status_code == 302, response.content.decode()[:2000]
    criterion = RolloutPlan.objects.get().stages.get(order=1).criteria.get()
    assert (criterion.compare, criterion.threshold, criterion.min_sample, criterion.confidence,
            criterion.on_regression) == (True, 0.5, 1000, 0.95, "hold")


def test_create_page_offers_a_comparison_per_exposed_user(manager, release, flag):
    response = signed_in(manager).post("/rollouts/new", {
        "release": release.key, "flag": flag.key, "environment": "production",
        "template": "uat-10-50-100", "users": "mike.king", "stage_duration": "1d",
        "metric": "download_error", "aggregation": "ratio", "of": "exposures", "per": "user",
        "comparator": "<=", "compare": "control", "threshold": "2", "min_sample": "500",
        "on_regression": "rollback", "trigger_aggregation": "count", "trigger_comparator": ">",
        "trigger_window": "5", "trigger_min_sample": "0", "trigger_action": "rollback"})

    assert response.status_code == 302, response.content.decode()[:2000]
    criterion = RolloutPlan.objects.get().stages.get(order=1).criteria.get()
    assert (criterion.compare, criterion.per_user, criterion.denominator) == (
        True, True, "exposures")


def test_create_page_refuses_counting_users_against_a_threshold(manager, release, flag):
    response = signed_in(manager).post("/rollouts/new", {
        "release": release.key, "flag": flag.key, "environment": "production",
        "template": "uat-10-50-100", "users": "mike.king", "stage_duration": "1d",
        "metric": "download_error", "aggregation": "ratio", "of": "download_click",
        "per": "user", "comparator": "<", "compare": "", "threshold": "2", "min_sample": "0",
        "trigger_aggregation": "count", "trigger_comparator": ">", "trigger_window": "5",
        "trigger_min_sample": "0", "trigger_action": "rollback"})

    assert response.status_code == 422
    assert "comparison with control" in response.content.decode()
    assert not RolloutPlan.objects.exists()
