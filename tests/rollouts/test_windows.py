"""Windows start at the exact moment a stage (or a resume) began, not at its whole minute."""

from datetime import timedelta

from tests.rollouts.conftest import SYSTEM, minutes_ago, seed_definition
from tminus.rollouts import services
from tminus.rollouts.choices import RolloutStatus

ERRORS_OVER_CLICKS = {"metric": "download_error", "aggregation": "ratio", "of": "download_click",
                      "comparator": ">", "threshold": 2, "window_minutes": 5, "min_sample": 100,
                      "action": "rollback"}


def canary(plan, at):
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=at)
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="UAT done", now=at)
    plan.refresh_from_db()
    return plan


def test_resumed_plan_is_not_rolled_back_again_by_the_errors_before_the_resume(
        flag, release, traffic):
    plan = services.rollout_plan_create(
        release=release, flag=flag, environment="production", actor=SYSTEM,
        definition_data=seed_definition(triggers=[ERRORS_OVER_CLICKS]))
    minute = minutes_ago(30).replace(second=0, microsecond=0)
    plan = canary(plan, minute - timedelta(minutes=10))
    traffic.events(minute + timedelta(seconds=5), clicks=200, errors=20)
    assert services.rollout_evaluate(plan=plan, now=minute + timedelta(seconds=10)) == \
        "rolled back"
    services.rollout_resume(plan=plan, actor=SYSTEM, reason="fixed",
                            now=minute + timedelta(seconds=40))
    # No new events since the resume: nothing to roll back for, in the same minute or later.
    for seconds in (45, 70, 200):
        assert services.rollout_evaluate(plan=plan, now=minute + timedelta(seconds=seconds)) \
            != "rolled back"
    plan.refresh_from_db()
    assert plan.status == RolloutStatus.RUNNING


def test_stage_counts_no_traffic_from_the_stage_before_in_its_first_minute(plan, traffic):
    minute = minutes_ago(30).replace(second=0, microsecond=0)
    plan = canary(plan, minute - timedelta(minutes=10))
    traffic.events(minute + timedelta(seconds=10), clicks=300)
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="canary done",
                             now=minute + timedelta(seconds=30))
    plan.refresh_from_db()
    traffic.events(minute + timedelta(seconds=50), clicks=7)
    traffic.events(minute + timedelta(minutes=2), clicks=5)
    results = services.rollout_evaluate(plan=plan, now=minute + timedelta(minutes=3))
    assert results == "waiting"
    reading = plan.stages.get(order=plan.stage_index).criteria.get(metric="download_click") \
        .readings.get()
    assert reading.value == 12  # 7 + 5: the 300 clicks of the canary stay with the canary
    canary_run = plan.runs.get(stage__order=1)
    assert canary_run.results["metrics"]["download_click"] == 300
