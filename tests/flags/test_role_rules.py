"""Who may change flags per project and environment: roles are defaults, projects override."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import signed_in
from tests.flags.conftest import SYSTEM
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.flags import control, services
from tminus.flags.models import RoleRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_closed_to_contributors(project):
    control.role_rule_set(project=project, role="contributor", environment="production",
                          may_change=False, actor=SYSTEM)


def _state(flag, environment):
    return flag.states.get(environment__key=environment)


def test_it_lets_a_contributor_change_staging_but_not_production(
        make_flag, contributor, production_closed_to_contributors):
    flag = make_flag()
    actor = Actor(contributor, "web")

    services.flag_environment_toggle(flag=flag, environment="staging", enabled=True,
                                     actor=actor)
    with pytest.raises(NotAllowed, match="may not change flags of shop in production"):
        services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                         actor=actor)

    assert _state(flag, "staging").enabled and not _state(flag, "production").enabled


@pytest.mark.parametrize("change", [
    lambda flag, actor: services.strategy_create(flag=flag, environment="production",
                                                 name="default", actor=actor),
    lambda flag, actor: services.flag_variants_set(flag=flag, environment="production",
                                                   variants=[{"name": "a"}], actor=actor),
    lambda flag, actor: services.flag_rollout_percentage_set(flag=flag, environment="production",
                                                             percentage=5, actor=actor),
])
def test_it_refuses_every_kind_of_change_in_a_forbidden_environment(
        make_flag, contributor, production_closed_to_contributors, change):
    flag = make_flag()
    with pytest.raises(NotAllowed):
        change(flag, Actor(contributor, "api"))
    assert not _state(flag, "production").strategies.exists()
    assert _state(flag, "production").variants == []


def test_it_refuses_a_strategy_edit_and_removal_in_a_forbidden_environment(
        make_flag, contributor, production_closed_to_contributors):
    flag = make_flag()
    strategy = services.strategy_create(flag=flag, environment="production", name="default",
                                        actor=SYSTEM)
    with pytest.raises(NotAllowed):
        services.strategy_update(strategy=strategy, changes={"title": "x"},
                                 actor=Actor(contributor, "web"))
    with pytest.raises(NotAllowed):
        services.strategy_delete(strategy=strategy, actor=Actor(contributor, "web"))
    assert flag.states.get(environment__key="production").strategies.count() == 1


def test_a_segment_used_in_a_forbidden_environment_cannot_be_changed_there(
        make_flag, contributor, production_closed_to_contributors):
    flag = make_flag()
    segment = services.segment_create(name="beta", constraints=[], actor=SYSTEM)
    services.strategy_create(flag=flag, environment="production", name="default",
                             segments=[segment.pk], actor=SYSTEM)

    with pytest.raises(NotAllowed):
        services.segment_update(segment=segment, changes={"description": "x"},
                                actor=Actor(contributor, "web"))


def test_it_can_grant_a_viewer_the_development_environment_only(make_flag, viewer, project):
    flag = make_flag()
    control.role_rule_set(project=project, role="viewer", environment="development",
                          may_change=True, actor=SYSTEM)

    services.flag_environment_toggle(flag=flag, environment="development", enabled=True,
                                     actor=Actor(viewer, "web"))
    with pytest.raises(NotAllowed):
        services.flag_environment_toggle(flag=flag, environment="staging", enabled=True,
                                         actor=Actor(viewer, "web"))


def test_an_environment_rule_wins_over_the_project_wide_rule(make_flag, contributor, project):
    flag = make_flag()
    control.role_rule_set(project=project, role="contributor", may_change=False, actor=SYSTEM)
    control.role_rule_set(project=project, role="contributor", environment="development",
                          may_change=True, actor=SYSTEM)
    actor = Actor(contributor, "web")

    services.flag_environment_toggle(flag=flag, environment="development", enabled=True,
                                     actor=actor)
    with pytest.raises(NotAllowed):
        services.flag_archive(flag=flag, actor=actor)


def test_it_never_restricts_admins(make_flag, admin_user, project):
    with pytest.raises(ValidationFailed, match="Unknown role"):
        control.role_rule_set(project=project, role="admin", may_change=False, actor=SYSTEM)
    services.flag_environment_toggle(flag=make_flag(), environment="production", enabled=True,
                                     actor=Actor(admin_user, "web"))


def test_default_removes_the_rule_and_is_audited(project, contributor):
    control.role_rule_set(project=project, role="contributor", environment="production",
                          may_change=False, actor=SYSTEM)
    control.role_rule_set(project=project, role="contributor", environment="production",
                          may_change=None, actor=SYSTEM)
    assert not RoleRule.objects.exists()
    from tminus.audit.models import AuditEvent
    assert AuditEvent.objects.filter(action="flag_project.role_rule").count() == 2


def test_only_release_managers_and_up_change_the_rules(project, contributor):
    with pytest.raises(NotAllowed):
        control.role_rule_set(project=project, role="contributor", may_change=True,
                              actor=Actor(contributor, "web"))


def test_api_toggle_in_a_forbidden_environment_is_403_and_a_granted_viewer_gets_200(
        api_as, make_flag, contributor, viewer, manager, project,
        production_closed_to_contributors):
    make_flag("checkout")
    granted = api_as(manager).put("/api/v1/flags/projects/shop/roles",
                                  {"role": "viewer", "environment": "development",
                                   "may_change": True})
    refused = api_as(contributor).post(
        "/api/v1/flags/checkout/environments/production/toggle", {"enabled": True})
    allowed = api_as(viewer).post(
        "/api/v1/flags/checkout/environments/development/toggle", {"enabled": True})

    assert granted.status_code == 200
    assert granted.json()["effective"]["viewer"] == {"development": True, "staging": False,
                                                     "production": False}
    assert refused.status_code == 403
    assert allowed.status_code == 200


def test_api_role_rule_with_unknown_role_and_environment_is_422_per_field(api_as, manager,
                                                                          project):
    answer = api_as(manager).put("/api/v1/flags/projects/shop/roles",
                                 {"role": "boss", "environment": "moon", "may_change": True})
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"role", "environment"}


def test_flag_page_offers_the_toggle_only_where_the_person_may_change(
        make_flag, contributor, production_closed_to_contributors):
    flag = make_flag("checkout")
    page = signed_in(contributor).get(f"/flags/f/{flag.key}/").content.decode()
    assert "/flags/f/checkout/staging/toggle" in page
    assert "/flags/f/checkout/production/toggle" not in page


def test_toggle_page_post_to_a_forbidden_environment_changes_nothing(
        make_flag, contributor, production_closed_to_contributors):
    flag = make_flag("checkout")
    answer = signed_in(contributor).post("/flags/f/checkout/production/toggle",
                                         {"enabled": "true"})
    assert answer.status_code == 403
    assert "may not change flags of shop in production" in answer.content.decode()
    assert not _state(flag, "production").enabled


def test_project_page_saves_a_rule_and_shows_the_table(manager, project):
    client = signed_in(manager)
    saved = client.post("/flags/projects/shop/roles", {
        "role": "contributor", "environment": "production", "may_change": "deny"})
    page = client.get("/flags/projects/shop/").content.decode()
    assert saved.status_code == 302
    assert "Who may change flags" in page and "may not" in page
    assert RoleRule.objects.get().may_change is False


def test_flags_role_command_sets_a_rule_and_prints_the_table(project):
    out = StringIO()
    call_command("flags", "role", "--project", "shop", "--role", "contributor",
                 "--environment", "production", "deny", stdout=out)
    assert "contributor\tdevelopment=yes\tstaging=yes\tproduction=no" in out.getvalue()
