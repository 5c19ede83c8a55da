"""`tminus gate` and `tminus freeze` for pipelines: exit codes and what they print."""

import json
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import timezone

from tests.readiness.helpers import bare_release
from tminus.audit.models import AuditEvent
from tminus.cli import main
from tminus.core.actors import Actor
from tminus.readiness import criteria, selectors, services

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


@pytest.fixture(autouse=True)
def keep_test_connection(monkeypatch):
    # `tminus` (run_from_argv) closes every connection when a command ends; inside a test's
    # transaction on PostgreSQL that would lose the test's own connection.
    monkeypatch.setattr(connections, "close_all", lambda: None)


@pytest.fixture
def answer():
    state = {"met": True}
    criteria.register_criterion_kind("cli_answer", "CLI answer",
                                     lambda release, params: (state["met"], "as set by the test"))
    yield state
    criteria._kinds.pop("cli_answer")


def _gate(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("gate", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def _go(release, person):
    services.vote_record(release=release, approver=person, vote="go", actor=CLI)
    services.go_decision_record(release=release, outcome="go", actor=CLI)


def test_gate_check_without_a_decision_exits_1_listing_what_is_not_met(answer):
    release = bare_release()
    services.criterion_add(release=release, kind="cli_answer", label="Tests pass", actor=CLI)
    answer["met"] = False

    code, out = _gate("check", release.key)

    assert code == 1
    assert f"{release.key}: NO-GO" in out
    assert "not met: Tests pass: as set by the test" in out
    assert "not met: No go/no-go decision has been recorded." in out


def test_gate_check_with_criteria_met_and_a_go_exits_0(answer, other_person):
    release = bare_release()
    services.criterion_add(release=release, kind="cli_answer", actor=CLI)
    _go(release, other_person)
    assert _gate("check", release.key) == (0, f"{release.key}: GO\n")


def test_gate_check_after_go_exits_1_once_a_criterion_stops_holding(answer, other_person):
    release = bare_release()
    services.criterion_add(release=release, kind="cli_answer", label="Tests pass", actor=CLI)
    _go(release, other_person)
    answer["met"] = False
    code, out = _gate("check", release.key)
    assert code == 1 and "Tests pass" in out


def test_gate_check_with_an_override_exits_0_and_names_it(answer):
    release = bare_release()
    answer["met"] = False
    services.criterion_add(release=release, kind="cli_answer", actor=CLI)
    call_command("gate", "override", release.key, "--reason", "Hotfix for an outage",
                 stdout=StringIO())
    code, out = _gate("check", release.key)
    assert code == 0
    assert "overridden by system (cli): Hotfix for an outage" in out
    assert AuditEvent.objects.get(action="gate.override").interface == "cli"


def test_gate_check_through_the_tminus_command_exits_with_its_code(capsys):
    release = bare_release()
    with pytest.raises(SystemExit) as exit_:
        main(["gate", "check", release.key])
    assert exit_.value.code == 1
    assert "NO-GO" in capsys.readouterr().out


def test_gate_check_for_an_unknown_release_exits_1_with_a_message(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["gate", "check", "no-such-release"])
    assert exit_.value.code == 1
    assert "No release with key 'no-such-release'" in capsys.readouterr().err


def test_gate_check_json_is_machine_readable(answer):
    release = bare_release()
    services.criterion_add(release=release, kind="cli_answer", actor=CLI)
    code, out = _gate("check", release.key, "--json")
    body = json.loads(out)
    assert code == 1 and body["go"] is False and body["ready"] is True


def test_gate_vote_and_decide_from_the_cli_are_recorded_as_the_named_user(manager, other_person,
                                                                           answer):
    release = bare_release()
    services.criterion_add(release=release, kind="cli_answer", actor=CLI)
    call_command("gate", "vote", release.key, "--approver", "oscar@example.com", "--vote", "go",
                 "--as", manager.username, stdout=StringIO())
    call_command("gate", "decide", release.key, "--outcome", "go", "--as", manager.username,
                 stdout=StringIO())
    assert selectors.has_go_decision(release)
    assert AuditEvent.objects.get(action="go_no_go.decision").actor == manager


def test_gate_override_as_a_non_admin_is_refused(manager, capsys):
    release = bare_release()
    with pytest.raises(SystemExit) as exit_:
        main(["gate", "override", release.key, "--reason", "x", "--as", manager.username])
    assert exit_.value.code == 1
    assert "administer" in capsys.readouterr().err
    assert selectors.active_override(release) is None


def test_freeze_check_exits_1_inside_a_window_and_0_outside(capsys):
    services.freeze_window_add(name="Weekend", rrule="FREQ=WEEKLY;BYDAY=FR", actor=CLI,
                               starts_at=timezone.make_aware(datetime(2026, 1, 2, 12)),
                               ends_at=timezone.make_aware(datetime(2026, 1, 5, 6)))
    with pytest.raises(SystemExit) as exit_:
        main(["freeze", "check", "--at", "2026-01-10T09:00"])
    assert exit_.value.code == 1
    assert "Frozen: Weekend" in capsys.readouterr().out
    main(["freeze", "check", "--at", "2026-01-07T09:00"])
    assert "Not frozen." in capsys.readouterr().out


def test_api_gate_with_a_token_answers_go_or_not(api_as, viewer, answer, other_person):
    release = bare_release()
    services.criterion_add(release=release, kind="cli_answer", actor=CLI)
    api = api_as(viewer)
    before = api.get(f"/api/v1/releases/{release.key}/gate").json()
    assert before["go"] is False
    assert before["not_met"] == ["No go/no-go decision has been recorded."]
    _go(release, other_person)
    after = api.get(f"/api/v1/releases/{release.key}/gate").json()
    assert after["go"] is True and after["decision"]["outcome"] == "go"


def test_api_gate_without_a_token_is_401():
    release = bare_release()
    assert Client().get(f"/api/v1/releases/{release.key}/gate").status_code == 401
