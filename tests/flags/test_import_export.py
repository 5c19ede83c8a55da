import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.flags.conftest import SYSTEM, spec_files
from tminus.core.errors import ValidationFailed
from tminus.flags import services, transfer
from tminus.flags.models import (
    ClientToken,
    Flag,
    FlagEnvironment,
    Project,
    Segment,
    Strategy,
)

pytestmark = pytest.mark.django_db

STATE = {
    "version": 2,
    "features": [
        {"name": "checkout-v2", "type": "experiment", "enabled": True, "description": "New",
         "impressionData": True, "stale": False,
         "strategies": [{"name": "flexibleRollout", "constraints": [],
                         "parameters": {"rollout": "25", "stickiness": "default",
                                        "groupId": "checkout-v2"}, "segments": [7]}],
         "variants": [{"name": "a", "weight": 1000, "weightType": "variable",
                       "stickiness": "default"}]},
        {"name": "checkout-child", "enabled": True, "strategies": [],
         "dependencies": [{"feature": "checkout-v2", "enabled": True}]},
    ],
    "segments": [{"id": 7, "name": "beta users", "constraints": [
        {"contextName": "plan", "operator": "IN", "values": ["beta"]}]}],
}


def test_flags_import_creates_project_environment_flags_and_segments():
    result = transfer.flags_import(project_key="shop", environment_key="qa", state=STATE,
                                   actor=SYSTEM)

    project = Project.objects.get(key="shop")
    assert [e.key for e in project.environments.all()] == ["development", "staging",
                                                          "production", "qa"]
    assert sorted(result.created) == ["checkout-child", "checkout-v2"]
    flag = Flag.objects.get(key="checkout-v2")
    assert (flag.flag_type, flag.impression_data) == ("experiment", True)
    strategy = Strategy.objects.get(state__flag=flag)
    assert strategy.segments == [Segment.objects.get(name="beta users").pk]
    assert Flag.objects.get(key="checkout-child").dependencies.get().parent_key == "checkout-v2"
    assert FlagEnvironment.objects.filter(environment__key="qa", enabled=True).count() == 2


def test_flags_export_after_import_gives_back_the_same_definitions():
    transfer.flags_import(project_key="shop", environment_key="production", state=STATE,
                          actor=SYSTEM)

    exported = transfer.flags_export(project_key="shop", environment_key="production")

    assert {f["name"] for f in exported["features"]} == {"checkout-v2", "checkout-child"}
    checkout = next(f for f in exported["features"] if f["name"] == "checkout-v2")
    segment_id = checkout["strategies"][0]["segments"][0]
    assert exported["segments"] == [{"id": segment_id, "name": "beta users",
                                     "constraints": STATE["segments"][0]["constraints"]}]
    assert checkout["variants"] == STATE["features"][0]["variants"]
    again = transfer.flags_import(project_key="shop", environment_key="production",
                                  state=exported, actor=SYSTEM)
    assert sorted(again.updated) == ["checkout-child", "checkout-v2"]


def test_flags_import_replaces_the_flags_of_that_environment_only():
    transfer.flags_import(project_key="shop", environment_key="production", state=STATE,
                          actor=SYSTEM)
    transfer.flags_import(project_key="shop", environment_key="staging", state=STATE,
                          actor=SYSTEM)
    smaller = {"version": 2, "features": [{"name": "other", "enabled": False}]}

    result = transfer.flags_import(project_key="shop", environment_key="production",
                                   state=smaller, actor=SYSTEM)

    assert result.removed == ["checkout-child", "checkout-v2"]
    assert list(FlagEnvironment.objects.filter(environment__key="production")
                .values_list("flag__key", flat=True)) == ["other"]
    assert FlagEnvironment.objects.filter(environment__key="staging").count() == 2


@pytest.mark.parametrize("state", [
    [], {"features": "none"}, {"features": [{"enabled": True}]},
    {"features": [{"name": "a", "enabled": "yes"}]},
    {"features": [{"name": "a", "enabled": True, "strategies": [{"parameters": {}}]}]},
    {"features": [{"name": "a b", "enabled": True}]},
    {"features": [{"name": "a", "enabled": True}, {"name": "a", "enabled": False}]},
    {"features": [], "segments": [{"name": "no id"}]},
    {"events": "nope"},
])
def test_flags_import_of_a_malformed_state_is_refused_and_changes_nothing(state):
    transfer.flags_import(project_key="shop", environment_key="production", state=STATE,
                          actor=SYSTEM)
    before = list(FlagEnvironment.objects.values_list("flag__key", "enabled"))

    with pytest.raises(ValidationFailed):
        transfer.flags_import(project_key="shop", environment_key="production", state=state,
                              actor=SYSTEM)

    assert list(FlagEnvironment.objects.values_list("flag__key", "enabled")) == before


def test_flags_import_of_a_flag_owned_by_another_project_is_refused(db):
    other = services.project_create(key="billing", actor=SYSTEM)
    services.flag_create(project=other, key="checkout-v2", actor=SYSTEM)

    with pytest.raises(ValidationFailed, match="belongs to project 'billing'"):
        transfer.flags_import(project_key="shop", environment_key="production", state=STATE,
                              actor=SYSTEM)
    assert not Project.objects.filter(key="shop").exists()


def test_flags_import_keeps_definitions_sdks_evaluate_as_off_and_warns_about_them():
    spec = dict(spec_files())["13-constraint-operators.json"]

    result = transfer.flags_import(project_key="spec", environment_key="development",
                                   state=spec["state"], actor=SYSTEM)

    assert any("NOT_A_VALID_OPERATOR" in warning for warning in result.warnings)
    assert Flag.objects.filter(key="F7.invalid-operator").exists()


def test_flags_import_accepts_a_delta_payload():
    spec = dict(spec_files())["20-delta-api-events.json"]

    transfer.flags_import(project_key="spec", environment_key="development",
                          state=spec["state"], actor=SYSTEM)

    assert sorted(Flag.objects.values_list("key", flat=True)) == [
        "delta.api.events.updated.1", "delta.api.events.updated.3"]


def test_flags_command_imports_exports_and_prints_a_token_once(tmp_path):
    source = tmp_path / "state.json"
    source.write_text(json.dumps(STATE))
    out = StringIO()

    call_command("flags", "import", str(source), "--project", "shop", "--environment",
                 "production", stdout=out)
    call_command("flags", "export", "--project", "shop", "--environment", "production",
                 "--output", str(tmp_path / "out.json"), stdout=out)
    token_out = StringIO()
    call_command("flags", "token", "create", "--project", "shop", "--environment",
                 "production", "--frontend", stdout=token_out)

    assert "2 created" in out.getvalue()
    exported = json.loads((tmp_path / "out.json").read_text())
    assert len(exported["features"]) == 2
    secret = token_out.getvalue().strip()
    assert secret.startswith("shop:production.")
    token = ClientToken.objects.get()
    assert (token.kind, token.environment) == ("frontend", "production")
    listing = StringIO()
    call_command("flags", "token", "list", stdout=listing)
    assert secret not in listing.getvalue()


def test_flags_command_import_of_a_file_that_is_not_json_fails_cleanly(tmp_path):
    source = tmp_path / "state.json"
    source.write_text("{ not json")

    with pytest.raises(CommandError, match="is not JSON"):
        call_command("flags", "import", str(source), "--project", "shop", "--environment",
                     "production")
    assert not Project.objects.exists()


def test_flags_command_token_create_for_a_missing_environment_fails_cleanly(project):
    with pytest.raises(CommandError, match="has no environment 'moon'"):
        call_command("flags", "token", "create", "--project", "shop", "--environment", "moon")
