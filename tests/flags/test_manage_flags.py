"""Creating, toggling, archiving and reviving flags and editing their strategies, through the
JSON API, the `tminus flags` command and the pages: one service each, audited per interface,
each change a new revision for SDKs.
"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from tminus_client.engine import FlagEngine

from tests.conftest import signed_in
from tests.flags.conftest import SYSTEM
from tminus.audit.models import AuditEvent
from tminus.flags import services
from tminus.flags.models import Environment, Flag, Segment, Strategy
from tminus.flags.revisions import current_revision

pytestmark = pytest.mark.django_db


def tminus_flags(*args) -> str:
    out = StringIO()
    call_command("flags", *args, stdout=out)
    return out.getvalue()


def production(detail: dict) -> dict:
    return next(e for e in detail["environments"] if e["key"] == "production")


def last_audit(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")


# -- create ---------------------------------------------------------------------------------


def test_api_flag_create_answers_201_with_the_flag_off_everywhere(project, api_as, contributor):
    before = current_revision()

    response = api_as(contributor).post("/api/v1/flags/projects/shop/flags", {
        "key": "checkout-v2", "type": "experiment", "description": "New checkout",
        "owner": contributor.username})

    assert response.status_code == 201
    body = response.json()
    assert (body["key"], body["type"], body["owner"]) == ("checkout-v2", "experiment",
                                                          contributor.username)
    assert [e["enabled"] for e in body["environments"]] == [False, False, False]
    assert current_revision() > before
    assert last_audit("flag.create").interface == "api"


def test_api_flag_create_with_bad_fields_answers_422_per_field(project, api_as, contributor):
    response = api_as(contributor).post("/api/v1/flags/projects/shop/flags", {
        "key": "checkout v2", "type": "nonsense"})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"type"}
    response = api_as(contributor).post("/api/v1/flags/projects/shop/flags",
                                        {"key": "checkout v2"})
    assert response.status_code == 422
    assert "key" in response.json()["errors"]
    assert not Flag.objects.exists()


def test_api_flag_create_with_an_unknown_field_is_refused_not_dropped(project, api_as,
                                                                      contributor):
    response = api_as(contributor).post("/api/v1/flags/projects/shop/flags", {
        "key": "checkout-v2", "enabled": True})

    assert response.status_code == 422
    assert "enabled" in response.json()["errors"]


def test_api_flag_create_with_an_unknown_owner_names_the_field(project, api_as, contributor):
    response = api_as(contributor).post("/api/v1/flags/projects/shop/flags", {
        "key": "checkout-v2", "owner": "nobody"})

    assert response.status_code == 422
    assert "owner" in response.json()["errors"]


def test_api_flag_create_by_a_viewer_is_forbidden(project, api_as, viewer):
    response = api_as(viewer).post("/api/v1/flags/projects/shop/flags", {"key": "checkout-v2"})

    assert response.status_code == 403
    assert not Flag.objects.exists()


def test_cli_flag_create_makes_the_flag_and_records_the_cli(project, contributor):
    out = tminus_flags("create", "checkout-v2", "--project", "shop", "--type", "kill-switch",
                       "--as", contributor.username)

    assert "Created checkout-v2" in out
    assert Flag.objects.get().flag_type == "kill-switch"
    event = last_audit("flag.create")
    assert (event.interface, event.actor) == ("cli", contributor)


def test_cli_flag_create_with_a_taken_name_fails_with_the_message(make_flag):
    make_flag("checkout-v2")

    with pytest.raises(CommandError, match="already exists"):
        tminus_flags("create", "checkout-v2", "--project", "shop")


def test_page_flag_create_redirects_to_the_new_flag(project, contributor):
    response = signed_in(contributor).post("/flags/projects/shop/flags/new", {
        "key": "checkout-v2", "flag_type": "release"})

    assert response.status_code == 302
    assert response["Location"] == "/flags/f/checkout-v2/"
    assert last_audit("flag.create").interface == "web"


# -- toggle ---------------------------------------------------------------------------------


def test_api_toggle_bumps_the_environment_revision_and_the_client_state(make_flag, api_as,
                                                                        contributor):
    make_flag("checkout-v2")
    environment = Environment.objects.get(key="production")

    response = api_as(contributor).post(
        "/api/v1/flags/checkout-v2/environments/production/toggle", {"enabled": True})

    assert response.status_code == 200
    assert production(response.json())["enabled"] is True
    assert production(response.json())["revision"] == 2
    assert Environment.objects.get(pk=environment.pk).revision > environment.revision
    assert last_audit("flag.toggle").interface == "api"


def test_api_toggle_from_a_stale_revision_answers_409_and_changes_nothing(make_flag, api_as,
                                                                          contributor):
    flag = make_flag("checkout-v2")
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)

    response = api_as(contributor).post(
        "/api/v1/flags/checkout-v2/environments/production/toggle",
        {"enabled": False, "revision": 1})

    assert response.status_code == 409
    assert response.json()["current"]["revision"] == 2
    assert flag.states.get(environment__key="production").enabled is True


def test_api_toggle_in_an_unknown_environment_is_404(make_flag, api_as, contributor):
    make_flag("checkout-v2")

    response = api_as(contributor).post("/api/v1/flags/checkout-v2/environments/moon/toggle",
                                        {"enabled": True})

    assert response.status_code == 404


def test_cli_toggle_switches_on_then_off(make_flag):
    flag = make_flag("checkout-v2")

    assert "on in staging" in tminus_flags("toggle", "checkout-v2", "--environment", "staging",
                                           "--on", "--reason", "QA")
    assert flag.states.get(environment__key="staging").enabled is True
    assert last_audit("flag.toggle").reason == "QA"
    tminus_flags("toggle", "checkout-v2", "--environment", "staging", "--off")
    assert flag.states.get(environment__key="staging").enabled is False


def test_cli_toggle_from_a_stale_revision_fails(make_flag):
    flag = make_flag("checkout-v2")
    services.flag_environment_toggle(flag=flag, environment="staging", enabled=True,
                                     actor=SYSTEM)

    with pytest.raises(CommandError, match="changed by someone else"):
        tminus_flags("toggle", "checkout-v2", "--environment", "staging", "--off",
                     "--revision", "1")


# -- archive and revive ---------------------------------------------------------------------


def test_api_archive_then_revive_serves_the_flag_again_switched_off(make_flag, api_as,
                                                                    contributor):
    flag = make_flag("checkout-v2")
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)
    api = api_as(contributor)

    archived = api.post("/api/v1/flags/checkout-v2/archive", {"reason": "shipped"})
    revision = current_revision()
    revived = api.post("/api/v1/flags/checkout-v2/revive", {})

    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert revived.status_code == 200 and revived.json()["archived"] is False
    assert production(revived.json())["enabled"] is False
    assert current_revision() > revision
    assert [e.interface for e in AuditEvent.objects.filter(
        action__in=["flag.archive", "flag.revive"])] == ["api", "api"]


def test_api_archive_from_a_stale_flag_revision_answers_409(make_flag, api_as, contributor):
    make_flag("checkout-v2")
    api = api_as(contributor)
    api.patch("/api/v1/flags/checkout-v2", {"description": "changed meanwhile"})

    response = api.post("/api/v1/flags/checkout-v2/archive", {"revision": 1})

    assert response.status_code == 409
    assert Flag.objects.get().archived_at is None


def test_api_archive_twice_answers_422(make_flag, api_as, contributor):
    make_flag("checkout-v2")
    api = api_as(contributor)
    api.post("/api/v1/flags/checkout-v2/archive", {})

    response = api.post("/api/v1/flags/checkout-v2/archive", {})

    assert response.status_code == 422
    assert "already archived" in response.json()["errors"]["flag"][0]


def test_cli_archive_and_revive(make_flag):
    flag = make_flag("checkout-v2")

    assert "Archived checkout-v2" in tminus_flags("archive", "checkout-v2", "--reason", "done")
    flag.refresh_from_db()
    assert flag.archived_at is not None
    assert "Revived" in tminus_flags("revive", "checkout-v2")
    flag.refresh_from_db()
    assert flag.archived_at is None
    assert last_audit("flag.revive").interface == "cli"


# -- update, show and list ------------------------------------------------------------------


def test_api_flag_update_changes_fields_and_names_bad_ones(make_flag, api_as, contributor):
    make_flag("checkout-v2")
    api = api_as(contributor)

    changed = api.patch("/api/v1/flags/checkout-v2", {"type": "operational", "stale": True,
                                                      "revision": 1})
    refused = api.patch("/api/v1/flags/checkout-v2", {"release": "NOPE-1"})

    assert changed.status_code == 200
    assert (changed.json()["type"], changed.json()["stale"]) == ("operational", True)
    assert refused.status_code == 422 and "release" in refused.json()["errors"]


def test_cli_show_and_list_print_the_flag_state(make_flag):
    flag = make_flag("checkout-v2")
    services.flag_environment_toggle(flag=flag, environment="staging", enabled=True,
                                     actor=SYSTEM)

    assert '"key": "checkout-v2"' in tminus_flags("show", "checkout-v2")
    assert tminus_flags("list", "--project", "shop").strip() == (
        "checkout-v2\trelease\tdevelopment=off staging=on production=off")


# -- strategies -----------------------------------------------------------------------------


def test_api_strategy_add_update_list_and_delete(make_flag, api_as, contributor):
    make_flag("checkout-v2")
    api = api_as(contributor)
    base = "/api/v1/flags/checkout-v2/environments/production/strategies"

    created = api.post(base, {"name": "flexibleRollout", "parameters": {
        "rollout": 10, "stickiness": "default", "groupId": "checkout-v2"}, "constraints": [
        {"contextName": "appName", "operator": "IN", "values": ["web"]}]})
    strategy_id = created.json()["id"]
    updated = api.patch(f"{base}/{strategy_id}", {
        "parameters": {"rollout": "50", "stickiness": "default", "groupId": "checkout-v2"},
        "revision": 1})
    stale = api.patch(f"{base}/{strategy_id}", {"title": "late", "revision": 1})
    listed = api.get(base)
    deleted = api.delete(f"{base}/{strategy_id}?revision=2")

    assert created.status_code == 201
    assert created.json()["constraints"] == [{"contextName": "appName", "operator": "IN",
                                              "values": ["web"], "inverted": False,
                                              "caseInsensitive": False}]
    assert updated.json()["parameters"]["rollout"] == "50"
    assert stale.status_code == 409
    assert [s["id"] for s in listed.json()] == [strategy_id]
    assert deleted.status_code == 204
    assert not Strategy.objects.exists()


def test_api_strategy_constraint_without_an_operator_is_a_422_on_that_field(make_flag, api_as,
                                                                            contributor):
    make_flag("checkout-v2")

    response = api_as(contributor).post(
        "/api/v1/flags/checkout-v2/environments/production/strategies",
        {"name": "default", "constraints": [{"contextName": "email"}]})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["constraints.0.operator"]


def test_api_strategy_of_another_environment_is_404(make_flag, api_as, contributor):
    flag = make_flag("checkout-v2")
    strategy = services.strategy_create(flag=flag, environment="staging", name="default",
                                        actor=SYSTEM)

    response = api_as(contributor).delete(
        f"/api/v1/flags/checkout-v2/environments/production/strategies/{strategy.pk}")

    assert response.status_code == 404
    assert Strategy.objects.filter(pk=strategy.pk).exists()


def test_cli_strategies_add_update_list_delete(make_flag):
    make_flag("checkout-v2")
    where = ("checkout-v2", "--environment", "production")

    out = tminus_flags("strategies", "add", *where, "--name", "userWithId",
                       "--param", "userIds=ann,bob", "--constraints",
                       '[{"contextName": "appName", "operator": "IN", "values": ["web"]}]')
    strategy = Strategy.objects.get()
    tminus_flags("strategies", "update", *where, str(strategy.pk), "--param", "userIds=cy",
                 "--revision", "1")
    listed = tminus_flags("strategies", "list", *where)
    tminus_flags("strategies", "delete", *where, str(strategy.pk))

    assert f"Added strategy {strategy.pk} (userWithId)" in out
    assert listed.strip() == f'{strategy.pk}\tuserWithId\t{{"userIds": "cy"}}\trevision 2'
    assert not Strategy.objects.exists()
    assert [e.interface for e in AuditEvent.objects.filter(action__startswith="flag.strategy")
            ] == ["cli", "cli", "cli"]


def test_cli_strategies_add_with_constraints_that_are_not_json_fails(make_flag):
    make_flag("checkout-v2")

    with pytest.raises(CommandError, match="constraints: not JSON"):
        tminus_flags("strategies", "add", "checkout-v2", "--environment", "production",
                     "--name", "default", "--constraints", "[{oops")
    assert not Strategy.objects.exists()


# -- variants -------------------------------------------------------------------------------

VARIANTS = [{"name": "blue", "weight": 300, "weightType": "fix",
             "payload": {"type": "json", "value": '{"color": "#00f"}'}},
            {"name": "green", "stickiness": "userId",
             "overrides": [{"contextName": "userId", "values": ["7"]}]}]


def test_api_variants_put_stores_payloads_and_fills_variable_weights(make_flag, api_as,
                                                                     contributor):
    make_flag("checkout-v2")
    before = current_revision()

    response = api_as(contributor)._send(
        "put", "/api/v1/flags/checkout-v2/environments/production/variants",
        {"variants": VARIANTS, "revision": 1})

    assert response.status_code == 200
    variants = production(response.json())["variants"]
    assert [(v["name"], v["weight"], v["weightType"]) for v in variants] == [
        ("blue", 300, "fix"), ("green", 700, "variable")]
    assert variants[0]["payload"] == {"type": "json", "value": '{"color": "#00f"}'}
    assert variants[1]["overrides"] == [{"contextName": "userId", "values": ["7"]}]
    assert current_revision() > before
    assert last_audit("flag.variants_set").interface == "api"


def test_api_variants_with_a_bad_payload_type_is_a_422_on_that_field(make_flag, api_as,
                                                                     contributor):
    make_flag("checkout-v2")

    response = api_as(contributor)._send(
        "put", "/api/v1/flags/checkout-v2/environments/production/variants",
        {"variants": [{"name": "blue", "payload": {"type": "xml", "value": "<a/>"}}]})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["variants.0.payload.type"]


def test_api_variants_with_fixed_weights_over_1000_is_refused(make_flag, api_as, contributor):
    flag = make_flag("checkout-v2")

    response = api_as(contributor)._send(
        "put", "/api/v1/flags/checkout-v2/environments/production/variants",
        {"variants": [{"name": "a", "weight": 600, "weightType": "fix"},
                      {"name": "b", "weight": 600, "weightType": "fix"}]})

    assert response.status_code == 422
    assert "more than 1000" in response.json()["errors"]["variants"][0]
    assert flag.states.get(environment__key="production").variants == []


def test_api_variants_from_a_stale_state_revision_answers_409(make_flag, api_as, contributor):
    flag = make_flag("checkout-v2")
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)

    response = api_as(contributor)._send(
        "put", "/api/v1/flags/checkout-v2/environments/production/variants",
        {"variants": VARIANTS, "revision": 1})

    assert response.status_code == 409
    assert flag.states.get(environment__key="production").variants == []


def test_cli_variants_replaces_the_variants_from_a_file(make_flag, tmp_path):
    flag = make_flag("checkout-v2")
    path = tmp_path / "variants.json"
    path.write_text(json.dumps(VARIANTS), encoding="utf-8")

    out = tminus_flags("variants", "checkout-v2", "--environment", "staging", "--json",
                       f"@{path}")

    assert "variants blue, green" in out
    state = flag.states.get(environment__key="staging")
    assert state.variants[0]["payload"]["value"] == '{"color": "#00f"}'
    assert last_audit("flag.variants_set").interface == "cli"


def test_cli_variants_with_a_bad_weight_names_the_field(make_flag):
    make_flag("checkout-v2")

    with pytest.raises(CommandError, match=r"variants\.0\.weight"):
        tminus_flags("variants", "checkout-v2", "--environment", "staging", "--json",
                     '[{"name": "a", "weight": 5000}]')


def test_page_variants_form_saves_a_payload(make_flag, contributor):
    flag = make_flag("checkout-v2")

    response = signed_in(contributor).post("/flags/f/checkout-v2/production/variants", {
        "variants": json.dumps(VARIANTS),
        "revision": flag.states.get(environment__key="production").revision})

    assert response.status_code == 302
    variants = flag.states.get(environment__key="production").variants
    assert variants[0]["payload"] == {"type": "json", "value": '{"color": "#00f"}'}
    assert last_audit("flag.variants_set").interface == "web"


# -- segments -------------------------------------------------------------------------------

BETA = [{"contextName": "plan", "operator": "IN", "values": ["beta"]}]


def test_api_segment_create_update_list_and_delete(project, api_as, contributor):
    api = api_as(contributor)
    before = current_revision()

    created = api.post("/api/v1/flags/segments", {"name": "beta users", "project": "shop",
                                                 "constraints": BETA})
    segment_id = created.json()["id"]
    after_create = current_revision()
    updated = api.patch(f"/api/v1/flags/segments/{segment_id}", {
        "revision": 1, "constraints": [{**BETA[0], "values": ["beta", "pilot"]}]})
    stale = api.patch(f"/api/v1/flags/segments/{segment_id}", {"revision": 1, "name": "late"})
    listed = api.get("/api/v1/flags/segments").json()
    deleted = api.delete(f"/api/v1/flags/segments/{segment_id}")

    assert created.status_code == 201
    assert created.json()["project"] == "shop"
    assert after_create > before
    assert updated.json()["constraints"][0]["values"] == ["beta", "pilot"]
    assert current_revision() > after_create
    assert stale.status_code == 409
    assert [s["name"] for s in listed] == ["beta users"]
    assert deleted.status_code == 204
    assert not Segment.objects.exists()
    assert [e.interface for e in AuditEvent.objects.filter(action__startswith="flag_segment")
            ] == ["api", "api", "api"]


def test_api_segment_with_a_bad_operator_or_unknown_project_is_422_per_field(db, api_as,
                                                                             contributor):
    api = api_as(contributor)

    bad_operator = api.post("/api/v1/flags/segments", {"name": "beta", "constraints": [
        {"contextName": "plan", "operator": "SOUNDS_LIKE", "values": ["beta"]}]})
    bad_project = api.post("/api/v1/flags/segments", {"name": "beta", "project": "nope",
                                                     "constraints": BETA})
    no_name = api.post("/api/v1/flags/segments", {"name": "", "constraints": BETA})

    assert bad_operator.status_code == 422
    assert "unknown operator" in bad_operator.json()["errors"]["constraints"][0]
    assert bad_project.status_code == 422 and list(bad_project.json()["errors"]) == ["project"]
    assert no_name.status_code == 422 and list(no_name.json()["errors"]) == ["name"]
    assert not Segment.objects.exists()


def test_api_segment_delete_while_a_strategy_uses_it_is_refused(make_flag, api_as,
                                                                contributor):
    flag = make_flag("checkout-v2")
    segment = services.segment_create(name="beta", constraints=BETA, actor=SYSTEM)
    services.strategy_create(flag=flag, environment="production", name="default",
                             segments=[segment.pk], actor=SYSTEM)

    response = api_as(contributor).delete(f"/api/v1/flags/segments/{segment.pk}")

    assert response.status_code == 422
    assert "checkout-v2" in response.json()["errors"]["segment"][0]


def test_api_unknown_segment_is_404(db, api_as, viewer):
    assert api_as(viewer).get("/api/v1/flags/segments/999").status_code == 404


def test_cli_segments_create_update_list_delete(db):
    out = tminus_flags("segments", "create", "beta users", "--constraints", json.dumps(BETA))
    segment = Segment.objects.get()
    tminus_flags("segments", "update", str(segment.pk), "--description", "pilot customers",
                 "--revision", "1")
    listed = tminus_flags("segments", "list")
    tminus_flags("segments", "delete", str(segment.pk))

    assert f"Created segment {segment.pk} (beta users)" in out
    assert listed.startswith(f"{segment.pk}\tbeta users\t")
    assert listed.strip().endswith("revision 2")
    assert not Segment.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="flag_segment",
                                     interface="cli").count() == 3


def test_cli_segments_create_with_a_constraint_missing_its_operator_names_the_field(db):
    with pytest.raises(CommandError, match=r"constraints\.0\.operator"):
        tminus_flags("segments", "create", "beta", "--constraints",
                     '[{"contextName": "plan"}]')


def test_page_segment_form_creates_a_segment(contributor, db):
    response = signed_in(contributor).post("/flags/segments/new", {
        "name": "beta users", "constraints": json.dumps(BETA)})

    assert response.status_code == 302
    assert Segment.objects.get().constraints == BETA
    assert last_audit("flag_segment.create").interface == "web"


# -- tags -----------------------------------------------------------------------------------


def test_api_tags_put_replaces_them_and_bumps_the_client_state(make_flag, api_as,
                                                               contributor):
    make_flag("checkout-v2")
    before = current_revision()

    response = api_as(contributor)._send("put", "/api/v1/flags/checkout-v2/tags", {
        "tags": ["checkout", "team:payments", "team:payments"], "revision": 1})

    assert response.status_code == 200
    assert response.json()["tags"] == ["simple:checkout", "team:payments"]
    assert response.json()["revision"] == 2
    assert current_revision() > before
    assert last_audit("flag.tags_set").interface == "api"


def test_api_tags_with_a_value_too_long_or_a_stale_revision_are_refused(make_flag, api_as,
                                                                        contributor):
    make_flag("checkout-v2")
    api = api_as(contributor)

    too_long = api._send("put", "/api/v1/flags/checkout-v2/tags", {"tags": ["x" * 101]})
    api._send("put", "/api/v1/flags/checkout-v2/tags", {"tags": ["checkout"]})
    stale = api._send("put", "/api/v1/flags/checkout-v2/tags", {"tags": ["late"],
                                                               "revision": 1})

    assert too_long.status_code == 422 and "tags" in too_long.json()["errors"]
    assert stale.status_code == 409
    assert [str(t) for t in Flag.objects.get().tags.all()] == ["simple:checkout"]


def test_cli_tags_replace_print_and_clear(make_flag):
    flag = make_flag("checkout-v2")

    assert tminus_flags("tags", "checkout-v2", "team:payments", "beta").split() == [
        "simple:beta", "team:payments"]
    assert tminus_flags("tags", "checkout-v2").split() == ["simple:beta", "team:payments"]
    tminus_flags("tags", "checkout-v2", "--clear")
    assert not flag.tags.exists()
    assert AuditEvent.objects.filter(action="flag.tags_set", interface="cli").count() == 2


def test_page_flag_edit_form_sets_tags(make_flag, contributor):
    flag = make_flag("checkout-v2")

    response = signed_in(contributor).post("/flags/f/checkout-v2/edit", {
        "revision": flag.revision, "flag_type": "release", "tags": "team:payments, beta"})

    assert response.status_code == 302
    assert sorted(str(t) for t in flag.tags.all()) == ["simple:beta", "team:payments"]
    assert last_audit("flag.tags_set").interface == "web"


# -- dependencies ---------------------------------------------------------------------------


def test_api_dependency_set_with_variants_then_remove(make_flag, api_as, contributor):
    make_flag("checkout-v2")
    make_flag("checkout-upsell")
    api = api_as(contributor)
    before = current_revision()

    set_ = api._send("put", "/api/v1/flags/checkout-upsell/dependencies/checkout-v2",
                     {"enabled": True, "variants": ["blue"], "revision": 1})
    after_set = current_revision()
    removed = api.delete("/api/v1/flags/checkout-upsell/dependencies/checkout-v2?revision=2")

    assert set_.status_code == 200
    assert set_.json()["dependencies"] == [{"feature": "checkout-v2", "enabled": True,
                                            "variants": ["blue"]}]
    assert after_set > before
    assert removed.status_code == 200 and removed.json()["dependencies"] == []
    assert current_revision() > after_set
    assert [e.interface for e in AuditEvent.objects.filter(action__startswith="flag.dependency")
            ] == ["api", "api"]


@pytest.mark.parametrize("parent, message", [
    ("checkout-upsell", "cannot depend on itself"),
    ("nope", "No live flag named 'nope'"),
    ("other-project-flag", "same project"),
])
def test_api_dependency_on_an_impossible_parent_is_a_422_on_parent(make_flag, api_as,
                                                                   contributor, parent,
                                                                   message):
    make_flag("checkout-upsell")
    other = services.project_create(key="other", actor=SYSTEM)
    make_flag("other-project-flag", project=other)

    response = api_as(contributor)._send(
        "put", f"/api/v1/flags/checkout-upsell/dependencies/{parent}", {})

    assert response.status_code == 422
    assert message in response.json()["errors"]["parent"][0]
    assert not Flag.objects.get(key="checkout-upsell").dependencies.exists()


def test_api_dependency_two_levels_deep_is_refused(make_flag, api_as, contributor):
    make_flag("checkout-v2")
    child = make_flag("checkout-upsell")
    make_flag("checkout-upsell-banner")
    services.flag_dependency_set(flag=child, parent_key="checkout-v2", actor=SYSTEM)

    response = api_as(contributor)._send(
        "put", "/api/v1/flags/checkout-upsell-banner/dependencies/checkout-upsell", {})

    assert response.status_code == 422
    assert "only one level" in response.json()["errors"]["parent"][0]


def test_api_dependency_from_a_stale_flag_revision_answers_409(make_flag, api_as, contributor):
    make_flag("checkout-v2")
    child = make_flag("checkout-upsell")
    services.flag_tags_set(flag=child, tags=["upsell"], actor=SYSTEM)

    response = api_as(contributor)._send(
        "put", "/api/v1/flags/checkout-upsell/dependencies/checkout-v2", {"revision": 1})

    assert response.status_code == 409
    assert not child.dependencies.exists()


def test_cli_dependencies_set_list_and_remove(make_flag):
    make_flag("checkout-v2")
    child = make_flag("checkout-upsell")

    tminus_flags("dependencies", "set", "checkout-upsell", "checkout-v2", "--variant", "blue",
                 "--variant", "green")
    listed = tminus_flags("dependencies", "list", "checkout-upsell")
    tminus_flags("dependencies", "set", "checkout-upsell", "checkout-v2", "--parent-off")
    off = tminus_flags("dependencies", "list", "checkout-upsell")
    tminus_flags("dependencies", "remove", "checkout-upsell", "checkout-v2")

    assert listed.strip() == "checkout-v2\ton with blue, green"
    assert off.strip() == "checkout-v2\toff"
    assert not child.dependencies.exists()
    assert AuditEvent.objects.filter(action__startswith="flag.dependency",
                                     interface="cli").count() == 3


def test_cli_dependency_remove_of_a_missing_one_fails(make_flag):
    make_flag("checkout-upsell")

    with pytest.raises(CommandError, match="does not depend on"):
        tminus_flags("dependencies", "remove", "checkout-upsell", "checkout-v2")


def test_page_dependency_form_adds_a_parent_with_variants(make_flag, contributor):
    make_flag("checkout-v2")
    child = make_flag("checkout-upsell")

    response = signed_in(contributor).post("/flags/f/checkout-upsell/dependencies", {
        "parent": "checkout-v2", "enabled": "true", "variants": "blue"})

    assert response.status_code == 302
    dependency = child.dependencies.get()
    assert (dependency.parent_key, dependency.enabled, dependency.variants) == (
        "checkout-v2", True, ["blue"])
    assert last_audit("flag.dependency_set").interface == "web"


# -- custom strategies ----------------------------------------------------------------------


def served_engine(client_token, **custom_strategies) -> FlagEngine:
    """What an SDK with these custom strategies registered makes of the served state."""
    response = Client().get("/api/client/features", HTTP_AUTHORIZATION=client_token())
    engine = FlagEngine(custom_strategies=custom_strategies)
    engine.load(response.json())
    return engine


def in_regions(parameters, context) -> bool:
    return context.get("properties", {}).get("region") in parameters["regions"].split(",")


def test_api_custom_strategy_is_stored_served_and_off_unless_the_sdk_registers_it(
        make_flag, api_as, contributor, client_token):
    flag = make_flag("checkout-v2")
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)

    response = api_as(contributor).post(
        "/api/v1/flags/checkout-v2/environments/production/strategies",
        {"name": "region.eu", "parameters": {"regions": "NO,SE", "strict": True}})

    assert response.status_code == 201
    assert response.json()["parameters"] == {"regions": "NO,SE", "strict": "true"}
    nordic = {"properties": {"region": "NO"}}
    assert served_engine(client_token).is_enabled("checkout-v2", nordic) is False
    registered = served_engine(client_token, **{"region.eu": in_regions})
    assert registered.is_enabled("checkout-v2", nordic) is True
    assert registered.is_enabled("checkout-v2", {"properties": {"region": "DE"}}) is False


@pytest.mark.parametrize("name, message", [
    ("flexiblerollout", "did you mean 'flexibleRollout'"),
    ("my strategy", "is not a strategy name"),
])
def test_api_custom_strategy_with_a_bad_or_near_miss_name_is_a_422_on_name(
        make_flag, api_as, contributor, name, message):
    make_flag("checkout-v2")

    response = api_as(contributor).post(
        "/api/v1/flags/checkout-v2/environments/production/strategies", {"name": name})

    assert response.status_code == 422
    assert message in response.json()["errors"]["name"][0]
    assert not Strategy.objects.exists()


def test_api_custom_strategy_still_has_its_constraints_checked(make_flag, api_as, contributor):
    make_flag("checkout-v2")

    response = api_as(contributor).post(
        "/api/v1/flags/checkout-v2/environments/production/strategies",
        {"name": "region.eu", "constraints": [
            {"contextName": "email", "operator": "REGEX", "value": "[a-"}]})

    assert response.status_code == 422
    assert "constraints" in response.json()["errors"]


def test_cli_strategies_add_a_custom_strategy_with_parameters(make_flag):
    make_flag("checkout-v2")

    tminus_flags("strategies", "add", "checkout-v2", "--environment", "production",
                 "--name", "region.eu", "--param", "regions=NO,SE")

    strategy = Strategy.objects.get()
    assert (strategy.name, strategy.parameters) == ("region.eu", {"regions": "NO,SE"})
    assert last_audit("flag.strategy_create").interface == "cli"


def test_page_strategy_editor_adds_then_shows_a_custom_strategy(make_flag, contributor):
    make_flag("checkout-v2")
    client = signed_in(contributor)

    response = client.post("/flags/f/checkout-v2/production/strategies/new", {
        "name": "custom", "custom_name": "region.eu",
        "custom_parameters": "regions=NO,SE\nstrict=true",
        "c-TOTAL_FORMS": "0", "c-INITIAL_FORMS": "0"})
    strategy = Strategy.objects.get()
    editor = client.get(f"/flags/f/checkout-v2/production/strategies/{strategy.pk}/")
    page = client.get("/flags/f/checkout-v2/").content.decode()

    assert response.status_code == 302
    assert (strategy.name, strategy.parameters) == ("region.eu", {"regions": "NO,SE",
                                                                  "strict": "true"})
    assert 'value="region.eu"' in editor.content.decode()
    assert "custom: off in SDKs that do not register it" in page
    assert last_audit("flag.strategy_create").interface == "web"


def test_page_strategy_editor_refuses_a_custom_strategy_without_a_name(make_flag, contributor):
    make_flag("checkout-v2")

    response = signed_in(contributor).post("/flags/f/checkout-v2/production/strategies/new", {
        "name": "custom", "custom_name": "", "c-TOTAL_FORMS": "0", "c-INITIAL_FORMS": "0"})

    assert response.status_code == 422
    assert b"Name the custom strategy." in response.content
    assert not Strategy.objects.exists()


def test_openapi_document_describes_every_flag_management_endpoint(db, api_as, viewer):
    document = api_as(viewer).get("/api/v1/openapi.json").json()

    paths = document["paths"]
    for path, method in [
        ("/api/v1/flags/projects/{key}/flags", "post"), ("/api/v1/flags/{key}", "patch"),
        ("/api/v1/flags/{key}/archive", "post"), ("/api/v1/flags/{key}/revive", "post"),
        ("/api/v1/flags/{key}/tags", "put"),
        ("/api/v1/flags/{key}/dependencies/{parent}", "put"),
        ("/api/v1/flags/{key}/dependencies/{parent}", "delete"),
        ("/api/v1/flags/{key}/environments/{environment}/toggle", "post"),
        ("/api/v1/flags/{key}/environments/{environment}/variants", "put"),
        ("/api/v1/flags/{key}/environments/{environment}/strategies/{strategy_id}", "patch"),
        ("/api/v1/flags/{key}/environments/{environment}/strategies/{strategy_id}", "delete"),
        ("/api/v1/flags/segments", "post"), ("/api/v1/flags/segments/{segment_id}", "patch"),
    ]:
        assert method in paths[path], (method, path)
    variant = document["components"]["schemas"]["VariantIn"]["properties"]
    assert set(variant["payload"]["anyOf"][0]["$ref"].split("/")[-1:]) == {"PayloadIn"}
