"""`tminus flags import` with bad input: a clear message per field, and nothing changes."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from tests.flags.conftest import SYSTEM
from tminus.core.errors import ValidationFailed
from tminus.flags import transfer
from tminus.flags.models import Flag, FlagEnvironment, Project, Segment

pytestmark = pytest.mark.django_db

GOOD = {
    "version": 2,
    "features": [
        {"name": "checkout-v2", "enabled": True, "type": "release", "description": "New",
         "strategies": [{"name": "flexibleRollout", "parameters": {"rollout": "25"},
                         "constraints": [], "segments": [7]}],
         "variants": [{"name": "a", "weight": 1000, "payload": {"type": "string",
                                                                "value": "x"}}],
         "dependencies": []},
    ],
    "segments": [{"id": 7, "name": "beta users", "constraints": []}],
}


@pytest.fixture
def existing():
    """An environment that already serves one flag: a refused import must leave it alone."""
    state = {"version": 2, "features": [{"name": "kept", "enabled": True, "strategies": []}]}
    transfer.flags_import(project_key="shop", environment_key="production", state=state,
                          actor=SYSTEM)
    return state


def _with(path: str, value):
    """GOOD with one field (dotted path, list indexes as numbers) replaced by `value`."""
    state = copy.deepcopy(GOOD)
    *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
    target = state
    for part in parents:
        target = target[part]
    target[last] = value
    return state


def _unchanged():
    assert list(Flag.objects.values_list("key", flat=True)) == ["kept"]
    assert FlagEnvironment.objects.get().flag.key == "kept"
    assert not Segment.objects.exists()


@pytest.mark.parametrize("path, value, field, words", [
    ("features", "text", "features", "must be a list"),
    ("features.0", [1, 2], "features[0]", "must be an object"),
    ("features.0.name", 5, "features[0].name", "flag's name"),
    ("features.0.name", "x" * 256, "features[0].name", "at most 255"),
    ("features.0.enabled", "yes", "features[0].enabled", "true or false"),
    ("features.0.description", {"a": 1}, "features[0].description", "must be text"),
    ("features.0.type", ["release"], "features[0].type", "must be text"),
    ("features.0.stale", "no", "features[0].stale", "true or false"),
    ("features.0.impressionData", 1, "features[0].impressionData", "true or false"),
    ("features.0.strategies", "default", "features[0].strategies", "list of objects"),
    ("features.0.strategies.0.name", 5, "features[0].strategies[0].name", "must be text"),
    ("features.0.strategies.0.name", "s" * 101, "features[0].strategies[0].name", "at most 100"),
    ("features.0.strategies.0.title", ["t"], "features[0].strategies[0].title", "must be text"),
    ("features.0.strategies.0.parameters", {"rollout": {"deep": 1}},
     "features[0].strategies[0].parameters", "texts and numbers"),
    ("features.0.strategies.0.constraints", [1], "features[0].strategies[0].constraints",
     "list of objects"),
    ("features.0.strategies.0.segments", ["7"], "features[0].strategies[0].segments",
     "segment ids"),
    ("features.0.variants.0.payload", [1], "features[0].variants[0].payload", "an object"),
    ("features.0.variants.0.name", None, "features[0].variants[0].name", "must be text"),
    ("features.0.variants.0.weight", 2**70, "features[0].variants[0].weight", "64-bit"),
    ("features.0.dependencies", [{"feature": "p" * 300}], "features[0].dependencies[0].feature",
     "at most 255"),
    ("features.0.dependencies", [{"feature": "p", "variants": "a"}],
     "features[0].dependencies[0].variants", "variant names"),
    ("segments.0.id", "7", "segments[0].id", "whole number"),
    ("segments.0.name", "n" * 201, "segments[0].name", "at most 200"),
    ("segments", [{"id": 1, "name": "same"}, {"id": 2, "name": "same"}], "segments[1].name",
     "appears twice"),
])
def test_import_with_a_bad_field_names_it_and_changes_nothing(existing, path, value, field,
                                                              words):
    with pytest.raises(ValidationFailed) as refused:
        transfer.flags_import(project_key="shop", environment_key="production",
                              state=_with(path, value), actor=SYSTEM)

    assert field in refused.value.errors, refused.value.errors
    assert words in " ".join(refused.value.errors[field])
    _unchanged()


def test_two_flag_names_sharing_their_first_255_characters_are_both_refused(existing):
    shared = "f" * 255
    state = {"features": [{"name": shared + "-one", "enabled": True},
                          {"name": shared + "-two", "enabled": True}]}

    with pytest.raises(ValidationFailed) as refused:
        transfer.flags_import(project_key="shop", environment_key="production", state=state,
                              actor=SYSTEM)

    assert set(refused.value.errors) == {"features[0].name", "features[1].name"}
    _unchanged()


def test_segment_names_sharing_their_first_200_characters_are_not_merged(existing):
    shared = "s" * 200
    state = {"features": [], "segments": [{"id": 1, "name": shared + "a"},
                                          {"id": 2, "name": shared + "b"}]}
    with pytest.raises(ValidationFailed, match="at most 200"):
        transfer.flags_import(project_key="shop", environment_key="production", state=state,
                              actor=SYSTEM)
    _unchanged()


def test_project_key_too_long_for_its_column_is_refused(db):
    with pytest.raises(ValidationFailed) as refused:
        transfer.flags_import(project_key="p" * 101, environment_key="production",
                              state=GOOD, actor=SYSTEM)
    assert "up to 100 characters" in refused.value.errors["project"][0]
    assert not Project.objects.exists()


def test_deep_nesting_inside_an_accepted_field_is_refused(existing):
    deep: list = []
    cursor = deep
    for _ in range(30):
        cursor.append([])
        cursor = cursor[0]
    with pytest.raises(ValidationFailed, match="deeper than 20 levels"):
        transfer.flags_import(project_key="shop", environment_key="production",
                              state=_with("features.0.strategies.0.constraints", deep),
                              actor=SYSTEM)
    _unchanged()


def _command_import(path):
    call_command("flags", "import", str(path), "--project", "shop", "--environment",
                 "production")


def test_command_with_json_nested_ten_thousand_levels_fails_cleanly(existing, tmp_path):
    source = tmp_path / "deep.json"
    source.write_text('{"features": ' + "[" * 10_000 + "]" * 10_000 + "}")

    with pytest.raises(CommandError, match="nests deeper than"):
        _command_import(source)
    _unchanged()


def test_command_with_yaml_aliases_refuses_them_before_expanding(existing, tmp_path):
    source = tmp_path / "bomb.yaml"
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
              f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
              f"*{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)]
    lines.append("features: [{name: boom, enabled: true, description: *i}]")
    source.write_text("\n".join(lines) + "\n")

    with pytest.raises(CommandError, match=r"aliases \(\*a\) are not accepted"):
        _command_import(source)
    _unchanged()


def test_command_reads_yaml_without_aliases(existing, tmp_path):
    source = tmp_path / "flags.yml"
    source.write_text("features:\n  - name: from-yaml\n    enabled: true\n    strategies: []\n")

    _command_import(source)

    assert Flag.objects.filter(key="from-yaml").exists()


def test_command_with_a_file_over_the_limit_refuses_it(existing, tmp_path, settings):
    settings.FLAGS_IMPORT_MAX_BYTES = 2000
    source = tmp_path / "huge.json"
    state = {"features": [{"name": f"flag-{i}", "enabled": True} for i in range(200)]}
    source.write_text(json.dumps(state))

    with pytest.raises(CommandError, match="over 2,000 bytes"):
        _command_import(source)
    _unchanged()


def test_command_with_a_file_that_is_not_utf8_says_so(existing, tmp_path):
    source = tmp_path / "latin1.json"
    source.write_bytes('{"features": [{"name": "café", "enabled": true}]}'.encode("utf-16"))

    with pytest.raises(CommandError, match="not UTF-8"):
        _command_import(source)
    _unchanged()


def test_command_error_names_each_bad_field(existing, tmp_path):
    source = tmp_path / "bad.json"
    source.write_text(json.dumps({"features": [{"name": "ok-name", "enabled": "yes",
                                                "strategies": [{"name": 5}]}]}))

    with pytest.raises(CommandError) as refused:
        _command_import(source)

    message = str(refused.value)
    assert "features[0].enabled: must be true or false." in message
    assert "features[0].strategies[0].name: must be text." in message
    _unchanged()


def test_unknown_flag_type_is_imported_as_release_with_a_warning(db):
    result = transfer.flags_import(project_key="shop", environment_key="production",
                                   state=_with("features.0.type", "canary"), actor=SYSTEM)
    assert Flag.objects.get().flag_type == "release"
    assert any("type 'canary'" in warning for warning in result.warnings)
