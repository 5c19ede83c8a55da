"""`tminus deploy` as a pipeline runs it: exit code 0 on success, 1 with the reason on stderr."""

from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from tminus.audit.models import AuditEvent
from tminus.cli import main
from tminus.core.actors import Actor
from tminus.readiness.services import freeze_window_add
from tminus.releases import workflow
from tminus.runbooks.models import RunbookRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def tminus(monkeypatch, capsys):
    """Run `tminus ...` in this process; returns (exit code, stdout, stderr)."""
    # Django closes every connection after a command; the test's transaction must survive it.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args):
        try:
            main(list(args))
            code = 0
        except SystemExit as exit_:
            code = exit_.code
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_deploy_start_and_finish_exit_0_and_move_the_release_live(tminus, ready_release,
                                                                  manager):
    started = tminus("deploy", "start", ready_release.key, "--environment", "production",
                     "--as", manager.username)
    finished = tminus("deploy", "finish", ready_release.key)

    assert started == (0, "Deployment run #1 of shop-1.1 started on production.\n", "")
    assert finished[0] == 0 and "the release is live" in finished[1]
    ready_release.refresh_from_db()
    assert ready_release.status == "live"
    start = AuditEvent.objects.get(action="deployment.start")
    assert (start.interface, start.actor) == ("cli", manager)


def test_deploy_start_refused_by_the_gate_exits_1_with_the_reason_on_stderr(
        tminus, ready_release, monkeypatch):
    monkeypatch.setattr(workflow, "_guards", [lambda r, to: "No Go decision yet."])

    code, out, err = tminus("deploy", "start", ready_release.key)

    assert (code, out) == (1, "")
    assert "Cannot start the deployment of shop-1.1: No Go decision yet." in err
    assert not RunbookRun.objects.exists()


def test_deploy_start_inside_a_freeze_exits_1_and_override_with_reason_exits_0(tminus,
                                                                               ready_release):
    now = timezone.now()
    freeze_window_add(name="Friday freeze", starts_at=now - timedelta(hours=1),
                      ends_at=now + timedelta(hours=3), actor=Actor.cli())

    refused = tminus("deploy", "start", ready_release.key)
    no_reason = tminus("deploy", "start", ready_release.key, "--override-freeze")
    overridden = tminus("deploy", "start", ready_release.key, "--override-freeze",
                        "--reason", "Payment outage fix")

    assert refused[0] == 1 and "Friday freeze" in refused[2]
    assert no_reason[0] == 1 and "needs a reason" in no_reason[2]
    assert overridden[0] == 0
    assert RunbookRun.objects.get().freeze_override_reason == "Payment outage fix"


def test_deploy_finish_that_never_started_exits_1(tminus, ready_release):
    code, out, err = tminus("deploy", "finish", ready_release.key)

    assert code == 1 and out == ""
    assert "No deployment of shop-1.1 has started" in err
    ready_release.refresh_from_db()
    assert ready_release.status == "ready"


def test_deploy_for_an_unknown_release_exits_1(tminus, db):
    code, _out, err = tminus("deploy", "start", "nope-1")
    assert code == 1 and "No release with key 'nope-1'." in err


def test_deploy_fail_exits_0_and_keeps_the_release_deploying(tminus, ready_release, events):
    tminus("deploy", "start", ready_release.key)

    code, out, _err = tminus("deploy", "fail", ready_release.key, "--reason", "Tests red")

    assert code == 0 and out == "Deployment run #1 of shop-1.1 failed: Tests red\n"
    ready_release.refresh_from_db()
    assert ready_release.status == "deploying"
    assert [e["event"] for e in events if e["event"].startswith("deployment.")] == [
        "deployment.started", "deployment.failed"]


def test_deploy_as_a_viewer_exits_1(tminus, ready_release, viewer):
    code, _out, err = tminus("deploy", "start", ready_release.key, "--as", viewer.username)
    assert code == 1 and "does not allow" in err


def test_deploy_status_prints_the_run_a_line_per_phase(tminus, ready_release):
    tminus("deploy", "start", ready_release.key)

    code, out, _err = tminus("deploy", "status", ready_release.key)

    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith("shop-1.1\trun #1\trunning\t0/")
    assert lines[3].strip().startswith("Phase 1: Database migration\tpending")
