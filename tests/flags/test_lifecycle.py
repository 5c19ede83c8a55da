"""Lifecycle: stages, unused flags from metrics, stale reminders to owners, hard delete; and the
environment-wide kill switch that SDKs see."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import UserFactory
from tests.flags.conftest import SYSTEM
from tminus.audit.models import AuditEvent
from tminus.comms import flag_changes
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.flags import change_requests, control, lifecycle, services
from tminus.flags.models import Flag, MetricsBucket
from tminus.worker.loop import run_once

pytestmark = pytest.mark.django_db


def _age(flag, days):
    Flag.objects.filter(pk=flag.pk).update(created_at=timezone.now() - timedelta(days=days))
    flag.refresh_from_db()


def _evaluated(flag, project, days_ago, yes=3):
    MetricsBucket.objects.create(
        flag=flag, flag_name=flag.key, environment=project.environments.get(key="production"),
        environment_key="production", app_name="shop-web", yes=yes, no=1,
        start=(timezone.now() - timedelta(days=days_ago)).replace(second=0, microsecond=0))


def test_stage_follows_the_flag_from_define_to_archived(make_flag):
    flag = make_flag()
    stages = [lifecycle.flag_stage(flag)]
    services.flag_environment_toggle(flag=flag, environment="staging", enabled=True,
                                     actor=SYSTEM)
    stages.append(lifecycle.flag_stage(flag))
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)
    stages.append(lifecycle.flag_stage(flag))
    lifecycle.flag_cleanup_mark(flag=flag, cleanup=True, actor=SYSTEM)
    stages.append(lifecycle.flag_stage(flag))
    services.flag_archive(flag=flag, actor=SYSTEM)
    stages.append(lifecycle.flag_stage(flag))
    assert stages == lifecycle.STAGES


def test_a_flag_without_evaluations_for_the_window_is_unused(make_flag, project, settings):
    settings.FLAGS_UNUSED_DAYS = 7
    quiet, busy, young = make_flag("quiet"), make_flag("busy"), make_flag("young")
    for flag in (quiet, busy):
        _age(flag, 30)
    _evaluated(quiet, project, days_ago=10)
    _evaluated(busy, project, days_ago=1)

    rows = {r["flag"]: r for r in lifecycle.lifecycle_rows([quiet, busy, young])}

    assert rows["quiet"]["unused"] and rows["quiet"]["last_evaluated"] is not None
    assert not rows["busy"]["unused"]
    assert not rows["young"]["unused"]  # SDKs may not have shipped with it yet


def test_counts_of_zero_are_not_an_evaluation(make_flag, project):
    flag = make_flag()
    _age(flag, 30)
    _evaluated(flag, project, days_ago=1, yes=0)
    MetricsBucket.objects.update(no=0)
    assert lifecycle.lifecycle_rows([flag])[0]["unused"]


def test_owners_get_one_reminder_a_week_listing_their_unused_and_cleanup_flags(
        smtp_server, make_flag, project):
    owner = UserFactory(username="olga", email="olga@example.com")
    quiet = make_flag("quiet", owner=owner)
    done = make_flag("done", owner=owner, flag_type="kill-switch")
    make_flag("fresh", owner=owner)
    _age(quiet, 30)
    lifecycle.flag_cleanup_mark(flag=done, cleanup=True, actor=SYSTEM)

    assert flag_changes.stale_flag_reminders_send() == 1
    assert flag_changes.stale_flag_reminders_send() == 0
    run_once("worker-a")

    mail = smtp_server.to("olga@example.com")[0]
    body = mail.get_content()
    assert mail["Subject"] == "T-Minus: 2 of your feature flags can probably go"
    assert "shop/quiet (define): never evaluated by an SDK" in body
    assert "shop/done (cleanup): marked for cleanup" in body
    assert "fresh" not in body


def test_hard_delete_removes_only_an_archived_flag_and_keeps_the_audit(make_flag, manager,
                                                                       contributor):
    flag = make_flag("old")
    with pytest.raises(ValidationFailed, match="archive it first"):
        lifecycle.flag_delete(flag=flag, actor=Actor(manager, "web"))
    services.flag_archive(flag=flag, actor=SYSTEM)
    with pytest.raises(NotAllowed):
        lifecycle.flag_delete(flag=flag, actor=Actor(contributor, "web"))

    lifecycle.flag_delete(flag=flag, actor=Actor(manager, "web"), reason="gone from code")

    assert not Flag.objects.filter(key="old").exists()
    entry = AuditEvent.objects.get(action="flag.delete")
    assert (entry.object_label, entry.reason) == ("old", "gone from code")


def _served(token):
    body = Client().get("/api/client/features", HTTP_AUTHORIZATION=token).json()
    return {feature["name"]: feature["enabled"] for feature in body["features"]}


def test_the_kill_switch_turns_every_flag_off_for_sdks_and_back(make_flag, client_token,
                                                                contributor):
    for key in ("a", "b"):
        services.flag_environment_toggle(flag=make_flag(key), environment="production",
                                         enabled=True, actor=SYSTEM)
    token = client_token("production")
    staging = client_token("staging")
    before = _served(token)

    production = Flag.objects.get(key="a").project.environments.get(key="production")
    lifecycle.environment_kill_switch(environment=production, killed=True,
                                      actor=Actor(contributor, "web"), reason="incident")
    killed = _served(token)
    lifecycle.environment_kill_switch(environment=production, killed=False,
                                      actor=Actor(contributor, "web"))

    assert before == {"a": True, "b": True}
    assert killed == {"a": False, "b": False}
    assert _served(token) == {"a": True, "b": True}
    assert _served(staging) == {"a": False, "b": False}
    assert AuditEvent.objects.filter(action="flag_environment.kill_switch").count() == 2


def test_the_kill_switch_is_not_held_up_by_approvals_but_follows_role_rules(
        make_flag, project, contributor, viewer):
    production = project.environments.get(key="production")
    change_requests.environment_protection_set(environment=production, requires_approval=True,
                                               actor=SYSTEM)
    with pytest.raises(NotAllowed):
        lifecycle.environment_kill_switch(environment=production, killed=True,
                                          actor=Actor(viewer, "web"))
    control.role_rule_set(project=project, role="viewer", environment="production",
                          may_change=True, actor=SYSTEM)
    production = lifecycle.environment_kill_switch(environment=production, killed=True,
                                                   actor=Actor(viewer, "web"))
    assert production.killed_at is not None


def test_api_lifecycle_cleanup_delete_and_kill_switch(api_as, make_flag, contributor, manager,
                                                      project):
    make_flag("checkout")
    listed = api_as(contributor).get("/api/v1/flags/lifecycle?project=shop").json()
    marked = api_as(contributor).post("/api/v1/flags/checkout/cleanup", {"cleanup": True})
    killed = api_as(contributor).put(
        "/api/v1/flags/projects/shop/environments/production/kill-switch", {"killed": True})
    live = api_as(manager).delete("/api/v1/flags/checkout")
    services.flag_archive(flag=Flag.objects.get(key="checkout"), actor=SYSTEM)
    refused = api_as(contributor).delete("/api/v1/flags/checkout")
    deleted = api_as(manager).delete("/api/v1/flags/checkout")

    assert listed[0]["stage"] == "define" and listed[0]["flag"] == "checkout"
    assert marked.json()["stage"] == "cleanup"
    assert killed.json()["killed"] is True
    assert live.status_code == 422 and "flag" in live.json()["errors"]
    assert refused.status_code == 403
    assert deleted.status_code == 204 and not Flag.objects.exists()


def test_pages_show_the_stage_mark_cleanup_and_pull_the_kill_switch(make_flag, contributor,
                                                                    project):
    make_flag("checkout")
    client = signed_in(contributor)
    page = client.get("/flags/f/checkout/").content.decode()
    client.post("/flags/f/checkout/cleanup", {"cleanup": "1"})
    after = client.get("/flags/f/checkout/").content.decode()
    client.post("/flags/projects/shop/environments/staging/kill-switch", {"killed": "1"})
    project_page = client.get("/flags/projects/shop/").content.decode()

    assert '<dd id="stage">define' in page
    assert '<dd id="stage">cleanup' in after
    assert "all flags off since" in project_page


def test_commands_show_lifecycle_mark_cleanup_kill_and_delete(make_flag):
    make_flag("checkout")
    out = StringIO()
    call_command("flags", "cleanup", "checkout", stdout=out)
    call_command("flags", "lifecycle", "--project", "shop", stdout=out)
    call_command("flags", "kill", "--project", "shop", "--environment", "production",
                 stdout=out)
    services.flag_archive(flag=Flag.objects.get(key="checkout"), actor=SYSTEM)
    call_command("flags", "delete", "checkout", stdout=out)
    call_command("flags", "remind-stale", stdout=out)

    text = out.getvalue()
    assert "checkout\tcleanup\tnever\t" in text
    assert "shop/production: every flag off for SDKs." in text
    assert "Deleted checkout." in text and not Flag.objects.exists()
