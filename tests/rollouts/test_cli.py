import json

import pytest
from django.core.management import CommandError, call_command

from tests.rollouts.conftest import seed_definition
from tminus.audit.models import AuditEvent
from tminus.rollouts.models import RolloutPlan

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("rollout", *args, stdout=out)
    return out.getvalue()


def test_cli_creates_from_a_template_and_steers_the_plan_with_reasons(release, flag, manager):
    key = run("create", release.key, "--flag", flag.key, "--template", "uat-10-50-100",
              "--users", "mike.king,octo.vet.1,octo.vet.2").strip()

    assert run("start", key, "--reason", "go decision", "--as", manager.username).startswith(
        f"{key}\tRunning\tUAT")
    assert "Paused" in run("pause", key, "--reason", "support busy")
    assert "Running" in run("resume", key, "--reason", "support back")
    assert "Canary 10%" in run("advance", key, "--reason", "UAT users see it")
    assert "Rolled back" in run("rollback", key, "--reason", "errors")

    plan = RolloutPlan.objects.get(key=key)
    assert plan.status == "rolled_back" and plan.stage_index == 1
    start = AuditEvent.objects.get(action="rollout.start")
    assert (start.interface, start.actor, start.reason) == ("cli", manager, "go decision")
    assert list(AuditEvent.objects.filter(action__startswith="rollout.").order_by(
        "id").values_list("action", flat=True)) == [
        "rollout.create", "rollout.start", "rollout.pause", "rollout.resume",
        "rollout.advance", "rollout.rollback"]


def test_cli_control_needs_a_reason():
    with pytest.raises(CommandError):
        call_command("rollout", "pause", "some-plan")


def test_cli_create_from_a_file_refuses_a_bad_definition_with_its_message(release, flag,
                                                                          tmp_path):
    definition = seed_definition()
    definition["stages"][3]["percentage"] = 150
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(definition))

    with pytest.raises(CommandError, match=r"stages\.3\.percentage: 150% is outside 0-100"):
        run("create", release.key, "--flag", flag.key, "--file", str(path))
    assert not RolloutPlan.objects.exists()


def test_cli_show_list_and_report(plan):
    assert json.loads(run("show", plan.key))["stages"][1]["audience"] == "10% of users"
    assert run("list").startswith(f"{plan.key}\tdraft\t")
    assert "## Stage B: 50% of users" in run("report", plan.key)
