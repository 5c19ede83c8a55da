"""Scheduled flag changes: "turn on at 2027-03-12 09:00 Europe/Oslo", applied by the worker
exactly once, shown on the release's timeline."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import make_release
from tests.flags.conftest import SYSTEM
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.flags import change_requests
from tminus.flags.models import ChangeRequest
from tminus.worker.loop import run_once
from tminus.worker.models import Job

pytestmark = pytest.mark.django_db


def _schedule(flag, user, at="2027-03-12 09:00", time_zone="Europe/Oslo", environment="production"):
    return change_requests.submit("flag_environment_toggle", flag=flag, environment=environment,
                                  enabled=True, at=at, time_zone=time_zone,
                                  actor=Actor(user, "api")).change_request


def _time_comes(change):
    """Move the change and its job into the past, as if its moment had come."""
    past = timezone.now() - timedelta(seconds=1)
    ChangeRequest.objects.filter(pk=change.pk).update(scheduled_for=past)
    Job.objects.filter(kind=change_requests.JOB_KIND).update(run_at=past)


def _production(flag):
    return flag.states.get(environment__key="production")


def test_it_reads_the_moment_in_the_given_time_zone_and_queues_one_job_then(
        make_flag, contributor):
    change = _schedule(make_flag(), contributor)

    # 09:00 in Oslo in March (CET, UTC+1) is 08:00 UTC.
    assert change.scheduled_for == datetime(2027, 3, 12, 8, 0, tzinfo=UTC)
    assert change.status == "approved" and not change.needs_approval
    job = Job.objects.get(kind=change_requests.JOB_KIND)
    assert job.run_at == change.scheduled_for
    assert job.payload == {"change_request_id": change.pk}


def test_summer_time_is_taken_from_the_zone(make_flag, contributor):
    change = _schedule(make_flag(), contributor, at="2027-07-01 09:00")
    assert change.scheduled_for == datetime(2027, 7, 1, 7, 0, tzinfo=UTC)


def test_the_worker_applies_it_when_its_time_comes_exactly_once(make_flag, contributor):
    flag = make_flag()
    change = _schedule(flag, contributor)
    run_once("worker-a")
    assert not _production(flag).enabled

    _time_comes(change)
    run_once("worker-a")
    run_once("worker-b")
    change_requests.change_requests_apply_due()
    change_requests.change_request_apply(change_id=change.pk)

    change.refresh_from_db()
    assert change.status == "applied"
    assert _production(flag).enabled
    toggles = AuditEvent.objects.filter(action="flag.toggle")
    assert toggles.count() == 1
    assert toggles.get().interface == "worker"
    assert f"(change request #{change.pk}, scheduled for" in toggles.get().reason


def test_a_scheduled_change_in_a_protected_environment_waits_for_approval_then_its_time(
        make_flag, contributor, manager, project):
    change_requests.environment_protection_set(
        environment=project.environments.get(key="production"), requires_approval=True,
        actor=SYSTEM)
    flag = make_flag()
    change = _schedule(flag, contributor)
    assert change.status == "open"
    assert not Job.objects.filter(kind=change_requests.JOB_KIND).exists()

    change_requests.change_request_approve(change=change, actor=Actor(manager, "web"))
    assert ChangeRequest.objects.get().status == "approved" and not _production(flag).enabled

    _time_comes(change)
    run_once("worker-a")
    assert ChangeRequest.objects.get().status == "applied" and _production(flag).enabled


def test_a_cancelled_scheduled_change_is_never_applied(make_flag, contributor):
    flag = make_flag()
    change = _schedule(flag, contributor)
    change_requests.change_request_cancel(change=change, actor=Actor(contributor, "web"))
    _time_comes(change)
    run_once("worker-a")
    assert ChangeRequest.objects.get().status == "cancelled" and not _production(flag).enabled


@pytest.mark.parametrize(("at", "time_zone", "field"), [
    ("2027-03-12 09:00", "Mars/Olympus", "time_zone"),
    ("the twelfth of never", "Europe/Oslo", "at"),
    ("2020-01-01 09:00", "Europe/Oslo", "at"),
])
def test_a_bad_moment_or_zone_is_refused_per_field(make_flag, contributor, at, time_zone,
                                                   field):
    with pytest.raises(ValidationFailed) as refused:
        _schedule(make_flag(), contributor, at=at, time_zone=time_zone)
    assert field in refused.value.errors
    assert not ChangeRequest.objects.exists()


def test_api_toggle_with_at_schedules_it(api_as, make_flag, contributor):
    make_flag("checkout")
    answer = api_as(contributor).post("/api/v1/flags/checkout/environments/production/toggle",
                                      {"enabled": True, "at": "2027-03-12 09:00",
                                       "time_zone": "Europe/Oslo"})
    bad = api_as(contributor).post("/api/v1/flags/checkout/environments/production/toggle",
                                   {"enabled": True, "at": "2027-03-12 09:00",
                                    "time_zone": "Nowhere/Town"})
    assert answer.status_code == 202
    assert datetime.fromisoformat(answer.json()["scheduled_for"]) == datetime(
        2027, 3, 12, 8, 0, tzinfo=UTC)
    assert answer.json()["time_zone"] == "Europe/Oslo"
    assert bad.status_code == 422 and "time_zone" in bad.json()["errors"]


def test_release_timeline_and_go_no_go_show_the_scheduled_change(make_flag, contributor,
                                                                 viewer):
    release = make_release(go_live=datetime(2027, 3, 20).date())
    flag = make_flag("checkout", release=release)
    change = _schedule(flag, contributor)

    page = signed_in(viewer).get(f"/releases/{release.key}/").content.decode()

    assert "milestone-flag-change" in page
    assert f"Switch checkout on in shop/production at 09:00 CET (#{change.pk})" in page


def test_flag_page_schedules_and_lists_the_waiting_change(make_flag, contributor):
    make_flag("checkout")
    client = signed_in(contributor)
    done = client.post("/flags/f/checkout/production/schedule",
                       {"enabled": "on", "at": "2027-03-12 09:00", "time_zone": "Europe/Oslo"},
                       follow=True)
    text = done.content.decode()
    assert "is scheduled for" in text
    assert "Waiting changes" in text and "Switch checkout on in shop/production" in text


def test_flags_schedule_command_schedules_a_switch(make_flag):
    make_flag("checkout")
    out = StringIO()
    call_command("flags", "schedule", "checkout", "--environment", "production", "--off",
                 "--at", "2027-03-12 09:00", "--time-zone", "Europe/Oslo", stdout=out)
    change = ChangeRequest.objects.get()
    assert change.summary == "Switch checkout off in shop/production"
    assert f"{change.pk}\tapproved\tSwitch checkout off" in out.getvalue()
