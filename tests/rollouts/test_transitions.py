from datetime import timedelta

import pytest
from django.utils import timezone

from tests.rollouts.conftest import FLAG, SYSTEM, UAT_USERS, minutes_ago, seed_definition
from tests.rollouts.helpers import enabled_share, sdk_from_server
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, NotAllowed, TransitionNotAllowed, ValidationFailed
from tminus.flags import services as flags
from tminus.flags.models import FlagEnvironment, Strategy
from tminus.rollouts import services
from tminus.rollouts.models import CheckIn, RolloutPlan, StageRun, TimelineEntry

pytestmark = pytest.mark.django_db
START = minutes_ago(600)


def state(flag) -> FlagEnvironment:
    return FlagEnvironment.objects.get(flag=flag, environment__key="production")


def started(plan, now=START):
    return services.rollout_start(plan=plan, actor=SYSTEM, reason="go/no-go said go", now=now)


def test_start_serves_the_uat_users_only_and_records_it(plan, flag, sdk_secret):
    plan = started(plan)

    assert plan.status == "running" and plan.stage_index == 0 and plan.step == 1
    assert state(flag).enabled
    sdk = sdk_from_server(sdk_secret)
    assert all(sdk.is_enabled(FLAG, {"userId": user}) for user in UAT_USERS)
    assert enabled_share(sdk, FLAG, range(500)) == 0
    run = StageRun.objects.get(plan=plan)
    assert (run.stage.name, run.started_at, run.ended_at) == ("UAT", START, None)
    assert TimelineEntry.objects.filter(plan=plan, moment="started",
                                        reason="go/no-go said go").exists()
    assert AuditEvent.objects.filter(action="rollout.start", release_id=plan.release_id,
                                     reason="go/no-go said go").exists()


def test_start_without_a_reason_is_refused(plan):
    with pytest.raises(ValidationFailed, match="Say why"):
        services.rollout_start(plan=plan, actor=SYSTEM, reason=" ")
    plan.refresh_from_db()
    assert (plan.status, plan.step) == ("draft", 0)


def test_start_with_a_strategy_the_plan_does_not_manage_is_refused_and_changes_nothing(
        plan, flag):
    flags.strategy_create(flag=flag, environment="production", name="default", title="Everyone",
                          actor=SYSTEM)

    with pytest.raises(ValidationFailed, match=r"already has strategies in production \(Everyone"):
        started(plan)

    plan.refresh_from_db()
    assert (plan.status, plan.step) == ("draft", 0)
    assert not state(flag).enabled and Strategy.objects.count() == 1


def test_worker_asks_for_approval_after_uat_then_a_person_advances_to_ten_percent(
        plan, flag, sdk_secret, emitted):
    started(plan)

    assert services.rollout_evaluate(plan=plan, now=START + timedelta(minutes=1)) == (
        "awaiting approval")
    plan.refresh_from_db()
    assert plan.status == "awaiting_approval"
    assert [e for e, _ in emitted] == ["rollout.approval_requested"]

    services.rollout_advance(plan=plan, actor=SYSTEM, reason="Mike King sees his 1095-B",
                             now=START + timedelta(minutes=30))

    plan.refresh_from_db()
    assert (plan.status, plan.stage_index) == ("running", 1)
    sdk = sdk_from_server(sdk_secret)
    assert 0.07 < enabled_share(sdk, FLAG, range(4000)) < 0.13
    assert all(sdk.is_enabled(FLAG, {"userId": user}) for user in UAT_USERS)
    uat = StageRun.objects.get(plan=plan, stage__name="UAT")
    assert (uat.outcome, uat.reason) == ("advanced", "Mike King sees his 1095-B")
    assert emitted[-1][0] == "rollout.advanced"
    assert emitted[-1][1]["percentage"] == 10


def test_users_inside_at_ten_percent_stay_inside_at_fifty(plan, flag, sdk_secret):
    started(plan)
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="UAT done")
    inside = {u for u in range(3000) if sdk_from_server(sdk_secret).is_enabled(
        FLAG, {"userId": str(u)})}

    services.rollout_advance(plan=plan, actor=SYSTEM, reason="canary fine")

    sdk = sdk_from_server(sdk_secret)
    assert all(sdk.is_enabled(FLAG, {"userId": str(u)}) for u in inside)
    assert 0.45 < enabled_share(sdk, FLAG, range(3000)) < 0.55
    percentage = Strategy.objects.get(name="flexibleRollout")
    assert percentage.parameters == {"rollout": "50", "stickiness": "default", "groupId": FLAG}


def canary(plan, now=START):
    started(plan, now)
    return services.rollout_advance(plan=plan, actor=SYSTEM, reason="UAT done", now=now)


def test_worker_advances_only_after_criteria_held_for_the_minimum_duration(plan, traffic,
                                                                           emitted):
    canary(plan)
    at = START + timedelta(minutes=5)
    traffic.events(at, clicks=400, errors=2)
    traffic.exposures(at, yes=400, no=3600)

    assert services.rollout_evaluate(plan=plan, now=at + timedelta(minutes=1)) == "waiting"
    plan.refresh_from_db()
    assert plan.healthy_since == at + timedelta(minutes=1)
    assert services.rollout_evaluate(plan=plan, now=at + timedelta(minutes=50)) == "waiting"
    assert services.rollout_evaluate(plan=plan, now=at + timedelta(minutes=61)) == "advanced"

    plan.refresh_from_db()
    assert plan.stage_index == 2
    run = StageRun.objects.get(plan=plan, stage__percentage=10)
    assert run.outcome == "advanced"
    assert run.reason.startswith("Criteria held for 1 h: count of download_click")
    assert run.results["metrics"] == {"download_click": 400, "download_error": 2}
    assert run.results["exposures"] == 400 and run.results["unique_users"] == 400
    rate = next(c for c in run.results["criteria"] if c["measure"].startswith("%"))
    assert (rate["value"], rate["met"], rate["threshold"]) == (0.5, True, 2.0)
    assert emitted[-1][0] == "rollout.advanced"


def test_criteria_not_met_reset_the_clock(plan, traffic):
    canary(plan)
    at = START + timedelta(minutes=5)
    traffic.events(at, clicks=400, errors=2)
    services.rollout_evaluate(plan=plan, now=at + timedelta(minutes=1))
    traffic.events(at + timedelta(minutes=10), clicks=100, errors=20)  # 4.4% over the stage

    assert services.rollout_evaluate(plan=plan, now=at + timedelta(minutes=11)) == "waiting"
    plan.refresh_from_db()
    assert plan.healthy_since is None


def test_too_small_a_sample_is_unknown_and_never_advances(plan, traffic):
    canary(plan)
    traffic.events(START + timedelta(minutes=5), clicks=60, errors=0)  # fewer than 100 clicks

    for minutes in (10, 200, 400):
        assert services.rollout_evaluate(plan=plan, now=START + timedelta(minutes=minutes)) == (
            "waiting")
    run = StageRun.objects.get(plan=plan, ended_at=None)
    assert run.stage.percentage == 10


def test_error_spike_turns_the_flag_off_within_one_check(plan, flag, traffic, sdk_secret,
                                                         emitted):
    canary(plan)
    at = START + timedelta(minutes=20)
    traffic.events(at, clicks=300, errors=30)
    traffic.exposures(at, yes=300, no=2700)

    assert services.rollout_evaluate(plan=plan, now=at + timedelta(seconds=20)) == "rolled back"

    plan.refresh_from_db()
    assert plan.status == "rolled_back"
    assert "Trigger fired: % download_error of download_click above 2%" in plan.status_reason
    assert "measured 10%" in plan.status_reason
    assert not state(flag).enabled
    assert enabled_share(sdk_from_server(sdk_secret), FLAG, [*UAT_USERS, *range(300)]) == 0
    run = StageRun.objects.get(plan=plan, stage__percentage=10)
    assert run.outcome == "rolled_back" and run.ended_by == "system (worker)"
    assert run.results["errors"] == {"download_error": 30}
    assert emitted[-1][0] == "rollout.rolled_back"
    assert AuditEvent.objects.filter(action="flag.toggle", interface="worker").exists()


def test_trigger_with_too_few_exposures_does_not_fire(plan, flag, traffic):
    canary(plan)
    at = START + timedelta(minutes=20)
    traffic.events(at, clicks=20, errors=10)
    traffic.exposures(at, yes=150)

    assert services.rollout_evaluate(plan=plan, now=at + timedelta(seconds=20)) == "waiting"
    assert state(flag).enabled


def test_hold_trigger_holds_the_stage_and_alerts_with_the_flag_still_on(release, flag, traffic,
                                                                          emitted):
    definition = seed_definition()
    definition["triggers"][0]["action"] = "hold"
    plan = services.rollout_plan_create(release=release, flag=flag, environment="production",
                                        definition_data=definition, actor=SYSTEM)
    canary(plan)
    at = START + timedelta(minutes=20)
    traffic.events(at, clicks=300, errors=30)
    traffic.exposures(at, yes=300)

    assert services.rollout_evaluate(plan=plan, now=at + timedelta(seconds=5)) == "held"
    assert services.rollout_evaluate(plan=plan, now=at + timedelta(seconds=10)) == "watching"

    plan.refresh_from_db()
    assert plan.status == "held" and state(flag).enabled
    assert [e for e, _ in emitted].count("rollout.held") == 1
    run = StageRun.objects.get(plan=plan, ended_at=None)
    assert run.notes[0]["what"] == "held"


def test_paused_plan_does_not_advance_but_its_triggers_still_fire(plan, flag, traffic):
    canary(plan)
    services.rollout_pause(plan=plan, actor=SYSTEM, reason="support is busy",
                           now=START + timedelta(minutes=1))
    traffic.events(START + timedelta(minutes=5), clicks=400, errors=1)
    for minutes in (10, 100, 200):
        assert services.rollout_evaluate(plan=plan, now=START + timedelta(minutes=minutes)) == (
            "watching")
    traffic.events(START + timedelta(minutes=300), clicks=300, errors=30)
    traffic.exposures(START + timedelta(minutes=300), yes=300)

    assert services.rollout_evaluate(plan=plan, now=START + timedelta(minutes=301)) == (
        "rolled back")
    assert not state(flag).enabled


def test_resume_after_rollback_switches_the_stage_back_on_with_a_new_run(plan, flag, traffic):
    canary(plan)
    spike = START + timedelta(minutes=20)
    traffic.events(spike, clicks=300, errors=30)
    traffic.exposures(spike, yes=300)
    services.rollout_evaluate(plan=plan, now=spike + timedelta(seconds=10))

    services.rollout_resume(plan=plan, actor=SYSTEM, reason="fixed the PDF service",
                            now=spike + timedelta(minutes=2))

    plan.refresh_from_db()
    assert plan.status == "running" and state(flag).enabled
    # The errors that caused the rollback are before the resume: no second rollback.
    assert services.rollout_evaluate(plan=plan, now=spike + timedelta(minutes=3)) == "waiting"
    runs = list(StageRun.objects.filter(plan=plan, stage__percentage=10).order_by("attempt"))
    assert [(r.attempt, r.outcome) for r in runs] == [(1, "rolled_back"), (2, "")]


def test_a_step_taken_from_a_stale_state_is_a_conflict_and_changes_nothing(plan):
    started(plan)
    seen = RolloutPlan.objects.get(pk=plan.pk).step
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="first", step=seen)

    with pytest.raises(Conflict, match="moved on meanwhile"):
        services.rollout_advance(plan=plan, actor=SYSTEM, reason="second", step=seen)

    plan.refresh_from_db()
    assert plan.stage_index == 1
    assert TimelineEntry.objects.filter(plan=plan, moment="advanced").count() == 1


def test_stopping_is_open_to_contributors_going_forward_is_not(plan, contributor):
    started(plan)
    person = Actor.cli(contributor)

    with pytest.raises(NotAllowed):
        services.rollout_advance(plan=plan, actor=person, reason="let's go")
    services.rollout_pause(plan=plan, actor=person, reason="wait for support")
    services.rollout_rollback(plan=plan, actor=person, reason="users complain")

    plan.refresh_from_db()
    assert plan.status == "rolled_back"


def test_a_control_that_does_not_fit_the_status_is_refused(plan):
    with pytest.raises(TransitionNotAllowed, match="Cannot pause"):
        services.rollout_pause(plan=plan, actor=SYSTEM, reason="?")
    with pytest.raises(TransitionNotAllowed, match="Cannot resume"):
        services.rollout_resume(plan=plan, actor=SYSTEM, reason="?")
    plan.refresh_from_db()
    assert (plan.status, plan.step) == ("draft", 0)


def test_planned_date_of_the_next_stage_holds_the_advance_until_then(release, flag, traffic):
    definition = seed_definition()
    planned = START + timedelta(hours=5)
    definition["stages"][2]["not_before"] = planned.isoformat()
    plan = services.rollout_plan_create(release=release, flag=flag, environment="production",
                                        definition_data=definition, actor=SYSTEM)
    canary(plan)
    traffic.events(START + timedelta(minutes=5), clicks=400, errors=1)
    services.rollout_evaluate(plan=plan, now=START + timedelta(minutes=6))

    assert services.rollout_evaluate(plan=plan, now=START + timedelta(hours=2)) == "waiting"
    assert services.rollout_evaluate(plan=plan, now=planned) == "advanced"


def test_last_stage_held_completes_the_plan_with_check_ins(plan, traffic, emitted, settings):
    settings.ROLLOUT_CHECKIN_DAYS = ["7", "30"]
    canary(plan)
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="fine", now=START)
    services.rollout_advance(plan=plan, actor=SYSTEM, reason="fine", now=START)
    traffic.events(START + timedelta(minutes=5), clicks=400, errors=1)
    services.rollout_evaluate(plan=plan, now=START + timedelta(minutes=6))

    assert services.rollout_evaluate(plan=plan, now=START + timedelta(minutes=70)) == (
        "completed")

    plan.refresh_from_db()
    assert plan.status == "completed" and plan.full_at == START
    assert [(c.label, c.due_at - plan.completed_at) for c in CheckIn.objects.all()] == [
        ("1-week results", timedelta(days=7)), ("1-month results", timedelta(days=30))]
    assert emitted[-1][0] == "rollout.completed"


def test_a_failing_listener_does_not_stop_a_rollback(plan, flag):
    from tminus.core import events

    def broken(**_kwargs):
        raise RuntimeError("mail server on fire")

    events._listeners["rollout.rolled_back"].append(broken)
    try:
        canary(plan)
        services.rollout_rollback(plan=plan, actor=SYSTEM, reason="stop")
    finally:
        events._listeners["rollout.rolled_back"].remove(broken)

    assert not state(flag).enabled
    assert TimelineEntry.objects.filter(plan=plan, moment="notice",
                                        reason__contains="mail server on fire").exists()


def test_rollouts_check_goes_through_every_live_plan(plan, release, flag):
    started(plan)
    assert services.rollouts_check(now=timezone.now()) == {plan.key: "awaiting approval"}


def test_criterion_read_from_a_prometheus_that_is_down_is_unknown_and_holds_the_stage(
        release, flag):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{probe.getsockname()[1]}"
    definition = seed_definition()
    definition["stages"][1]["criteria"] = [{"source": "prometheus", "url": down,
                                            "query": "sum(rate(pdf_errors[5m]))",
                                            "comparator": "<", "threshold": 1}]
    definition["stages"][1]["min_duration"] = 0
    plan = services.rollout_plan_create(release=release, flag=flag, environment="production",
                                        definition_data=definition, actor=SYSTEM)
    canary(plan)

    assert services.rollout_evaluate(plan=plan, now=START + timedelta(minutes=5)) == "waiting"

    reading = plan.readings.get(criterion__isnull=False)
    assert reading.value is None and reading.met is None
    assert f"Prometheus at {down} did not answer" in reading.error


def test_rollback_of_a_flag_archived_meanwhile_still_ends_the_plan(plan, flag):
    canary(plan)
    flags.flag_archive(flag=flag, actor=SYSTEM, reason="replaced")

    services.rollout_rollback(plan=plan, actor=SYSTEM, reason="stop")

    plan.refresh_from_db()
    assert plan.status == "rolled_back"
