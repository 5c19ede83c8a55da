from datetime import timedelta

import pytest
from django.utils import timezone

from tests.rollouts.conftest import SYSTEM, minutes_ago
from tminus.releases.models import ChecklistItem
from tminus.rollouts import services, tasks  # noqa: F401 (registers the periodic tasks)
from tminus.rollouts.models import CheckIn, RolloutPlan, TimelineEntry
from tminus.worker.loop import run_once

pytestmark = pytest.mark.django_db


def completed(plan, at):
    """A plan that reached 100% at `at` and completed there."""
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go", now=at)
    for _ in range(4):
        services.rollout_advance(plan=plan, actor=SYSTEM, reason="fine", now=at)
    plan.refresh_from_db()
    assert plan.status == "completed"
    return plan


def test_due_check_ins_take_a_snapshot_of_the_metrics_since_launch(plan, traffic, settings):
    settings.ROLLOUT_CHECKIN_DAYS = ["1", "7"]
    launch = minutes_ago(60 * 30)
    completed(plan, launch)
    traffic.events(launch + timedelta(hours=2), clicks=500, errors=5)
    traffic.exposures(launch + timedelta(hours=2), yes=500)
    traffic.events(launch + timedelta(hours=28), clicks=100, errors=50)  # after the first day

    assert services.rollout_checkins_take(now=launch + timedelta(days=1, minutes=1)) == 1
    assert services.rollout_checkins_take(now=launch + timedelta(days=1, minutes=2)) == 0

    day = CheckIn.objects.get(days=1)
    assert day.label == "1-day results" and day.taken_at is not None
    assert day.results["metrics"] == {"download_click": 500, "download_error": 5}
    assert day.results["exposures"] == 500 and day.results["unique_users"] == 500
    rate = {c["measure"]: c for c in day.results["criteria"]}[
        "% download_error of download_click"]
    assert (rate["value"], rate["met"]) == (1.0, True)
    assert CheckIn.objects.get(days=7).taken_at is None
    assert TimelineEntry.objects.filter(plan=plan, moment="checkin").count() == 1


def test_flag_at_full_for_long_enough_gets_a_clean_up_task_once(plan, flag, manager, settings):
    settings.ROLLOUT_CLEANUP_AFTER_DAYS = 14
    settings.ROLLOUT_CLEANUP_DUE_DAYS = 10
    flag.owner = manager
    flag.save()
    completed(plan, timezone.now() - timedelta(days=15))

    assert services.rollout_cleanups_create() == 1
    assert services.rollout_cleanups_create() == 0

    items = list(ChecklistItem.objects.filter(release=plan.release,
                                              section__title=f"Feature flag clean-up: {flag.key}"))
    assert [i.text for i in items] == [f"Remove the toggle {flag.key} from the code",
                                       f"Archive the flag {flag.key} in T-Minus"]
    assert {(i.owner, i.due_date) for i in items} == {
        (manager, timezone.localdate() + timedelta(days=10))}
    plan.refresh_from_db()
    assert plan.cleanup_section_id == items[0].section_id


def test_flag_at_full_for_too_short_a_time_gets_no_clean_up_task(plan, settings):
    settings.ROLLOUT_CLEANUP_AFTER_DAYS = 14
    completed(plan, timezone.now() - timedelta(days=13))
    assert services.rollout_cleanups_create() == 0


def test_worker_round_runs_the_rollout_checks(plan):
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go")

    run_once("w1")

    assert RolloutPlan.objects.get(pk=plan.pk).status == "awaiting_approval"


@pytest.mark.parametrize("days", [["7", "month"], ["0"]])
def test_bad_check_in_days_stop_start_up_with_a_clear_message(settings, days):
    from django.core.exceptions import ImproperlyConfigured

    from tminus.rollouts.apps import _check_settings

    settings.ROLLOUT_CHECKIN_DAYS = days
    with pytest.raises(ImproperlyConfigured, match="TMINUS_ROLLOUT_CHECKIN_DAYS must be whole"):
        _check_settings()
