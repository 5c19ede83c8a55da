"""Bad plan input is refused with a clear message and creates nothing: deep nesting, YAML
aliases, odd encodings, wrong types in a plan file, oversized bodies (API 413/422, CLI exit 1,
web form error)."""

import base64
import codecs
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import signed_in
from tests.plans.helpers import import_plan
from tminus.core.errors import ValidationFailed
from tminus.releases.models import ChecklistItem, Release

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = (
    'format: tminus-plan/1\nrelease: {name: laughs}\n'
    'a: &a [{text: x}, {text: x}, {text: x}, {text: x}, {text: x}, {text: x}, {text: x}]\n'
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n'
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n'
    'checklists: [{title: t, items: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]}]\n')


def _refused(data, name="plan.md") -> dict:
    with pytest.raises(ValidationFailed) as refused:
        import_plan(data, name=name)
    assert not Release.objects.exists()
    return {field: " ".join(messages) for field, messages in refused.value.errors.items()}


def test_yaml_aliases_are_refused_before_they_expand():
    errors = _refused(BILLION_LAUGHS.encode(), "plan.yaml")

    assert "aliases" in errors["file"]
    assert not ChecklistItem.objects.exists()


@pytest.mark.parametrize(("text", "name"), [
    ('{"release": {"name": "deep"}, "checklists": ' + "[" * 10_000 + "]" * 10_000 + "}",
     "plan.json"),
    ("format: tminus-plan/1\nrelease: {name: deep}\nchecklists: " + "[" * 10_000
     + "]" * 10_000 + "\n", "plan.yaml"),
])
def test_plan_files_nested_10000_deep_are_refused(text, name):
    errors = _refused(text.encode(), name)

    assert "nested" in errors["file"]


def test_a_checklist_indented_1500_levels_imports_with_its_depth_capped_and_a_warning():
    lines = ["# Deep plan", "## Checklist"] + [f"{'  ' * depth}- [ ] step {depth}"
                                               for depth in range(1500)]

    outcome = import_plan("\n".join(lines).encode())

    items = ChecklistItem.objects.filter(release__key=outcome.release_key)
    assert items.count() == 1500
    assert any("nested deeper" in w["message"] for w in outcome.report["warnings"])


def test_utf16_with_an_odd_number_of_bytes_is_refused_as_undecodable():
    errors = _refused(codecs.BOM_UTF16_LE + "# Plan\n".encode("utf-16-le") + b"\x41")

    assert "UTF-16" in errors["file"]


@pytest.mark.parametrize(("text", "field"), [
    ("format: tminus-plan/1\nrelease: {name: x}\nchecklists: text\n", "checklists"),
    ("format: tminus-plan/1\nrelease: {name: x}\nchecklists:\n- title: a\n  items: [[1, 2]]\n",
     "checklists.0.items.0"),
    ("format: tminus-plan/1\nrelease: {name: x}\nmilestones: [{name: m, date: [1]}]\n",
     "milestones.0.date"),
    ("format: tminus-plan/1\nrelease: {name: x}\nrisks: [3]\n", "risks.0"),
])
def test_wrong_types_in_a_plan_file_get_a_message_for_their_field(text, field):
    errors = _refused(text.encode(), "plan.yaml")

    assert field in errors, errors


def test_api_answers_json_413_for_a_body_over_the_upload_limit(admin_user):
    body = json.dumps({"filename": "big.md", "content": "x" * (3 * 1024 * 1024)})

    response = signed_in(admin_user).post("/api/v1/imports", data=body,
                                          content_type="application/json")

    assert response.status_code == 413
    assert "MB" in response.json()["detail"]


def test_api_answers_json_422_for_an_alias_bomb(admin_user):
    body = {"filename": "plan.yaml",
            "content_base64": base64.b64encode(BILLION_LAUGHS.encode()).decode()}

    response = signed_in(admin_user).post("/api/v1/imports", data=body,
                                          content_type="application/json")

    assert response.status_code == 422
    assert "aliases" in " ".join(response.json()["errors"]["file"])


def test_cli_refuses_an_alias_bomb_with_a_message_and_exit_status_1(tmp_path, capsys):
    path = tmp_path / "plan.yaml"
    path.write_text(BILLION_LAUGHS)

    with pytest.raises((SystemExit, CommandError)) as failed:
        call_command("import", str(path))

    assert getattr(failed.value, "code", 1) == 1
    assert not Release.objects.exists()


def test_web_import_shows_the_reason_as_a_form_error(admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("plan.yaml", BILLION_LAUGHS.encode())

    response = signed_in(admin_user).post("/plans/import", {"file": upload})

    assert response.status_code == 422  # the form again, with the reason
    assert "aliases" in response.content.decode()
    assert not Release.objects.exists()
