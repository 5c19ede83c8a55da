from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory, make_release
from tests.flags.conftest import SYSTEM
from tminus.accounts.roles import CONTRIBUTOR, VIEWER
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.flags import selectors, services
from tminus.flags.models import ChangeEvent, Environment, Flag, FlagEnvironment, Strategy

pytestmark = pytest.mark.django_db


def test_project_create_adds_development_staging_and_production(project):
    assert [e.key for e in project.environments.all()] == ["development", "staging",
                                                          "production"]


def test_environment_create_puts_every_live_flag_in_it_switched_off(project, make_flag):
    make_flag("a")
    make_flag("b")

    qa = services.environment_create(project=project, key="qa", actor=SYSTEM)

    states = FlagEnvironment.objects.filter(environment=qa)
    assert sorted(s.flag.key for s in states) == ["a", "b"]
    assert not any(s.enabled for s in states)


def test_flag_create_is_off_without_strategies_in_every_environment(make_flag):
    flag = make_flag("new-checkout")

    states = list(flag.states.all())
    assert len(states) == 3
    assert not any(s.enabled or s.strategies.exists() for s in states)


def test_flag_create_with_a_taken_name_is_refused_and_creates_nothing(make_flag, db):
    make_flag("checkout")
    other = services.project_create(key="other", actor=SYSTEM)

    with pytest.raises(ValidationFailed, match="already exists"):
        services.flag_create(project=other, key="checkout", actor=SYSTEM)
    assert Flag.objects.count() == 1


def test_flag_create_with_a_space_in_the_name_is_refused(project):
    with pytest.raises(ValidationFailed, match="not a valid flag name"):
        services.flag_create(project=project, key="new checkout", actor=SYSTEM)


def test_flag_environment_toggle_switches_on_bumps_revision_and_is_audited(make_flag, project):
    flag = make_flag()
    production = project.environments.get(key="production")
    before = production.revision

    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM, reason="canary")

    production.refresh_from_db()
    assert flag.states.get(environment=production).enabled
    assert production.revision > before
    event = AuditEvent.objects.filter(action="flag.toggle").get()
    assert (event.before, event.after["enabled"], event.reason) == (
        {"environment": "production", "enabled": False}, True, "canary")
    assert event.after["environment"] == "production"


def test_flag_environment_toggle_in_one_environment_leaves_the_others_untouched(make_flag):
    flag = make_flag()

    services.flag_environment_toggle(flag=flag, environment="staging", enabled=True,
                                     actor=SYSTEM)

    assert {s.environment.key: s.enabled for s in flag.states.all()} == {
        "development": False, "staging": True, "production": False}


def test_flag_environment_toggle_by_a_viewer_is_refused(make_flag):
    flag = make_flag()
    viewer = UserFactory(role=VIEWER)

    with pytest.raises(NotAllowed):
        services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                         actor=Actor(viewer, "web"))
    assert not flag.states.filter(enabled=True).exists()


def test_flag_environment_toggle_by_a_contributor_is_allowed(make_flag):
    flag = make_flag()
    contributor = UserFactory(role=CONTRIBUTOR)

    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=Actor(contributor, "web"))

    assert flag.states.filter(enabled=True).count() == 1


def test_flag_environment_toggle_in_an_unknown_environment_is_refused(make_flag):
    with pytest.raises(Exception, match="no environment 'moon'"):
        services.flag_environment_toggle(flag=make_flag(), environment="moon", enabled=True,
                                         actor=SYSTEM)


@pytest.mark.parametrize(("parameters", "constraints", "message"), [
    ({"rollout": "abc", "stickiness": "default", "groupId": "g"}, [], "rollout"),
    ({"rollout": "50"}, [{"contextName": "email", "operator": "REGEX", "value": "(unclosed"}],
     "regex"),
    ({"rollout": "50"}, [{"contextName": "plan", "operator": "IS_ONE_OF", "values": ["a"]}],
     "unknown operator"),
])
def test_strategy_create_with_a_bad_definition_is_refused_with_a_message_and_saves_nothing(
        make_flag, parameters, constraints, message):
    flag = make_flag()
    revisions_before = ChangeEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        services.strategy_create(flag=flag, environment="production", name="flexibleRollout",
                                 parameters=parameters, constraints=constraints, actor=SYSTEM)

    assert message in refused.value.message
    assert not Strategy.objects.exists()
    assert ChangeEvent.objects.count() == revisions_before


def test_strategy_create_with_a_near_miss_of_a_built_in_name_is_refused(make_flag):
    with pytest.raises(ValidationFailed, match="did you mean 'flexibleRollout'"):
        services.strategy_create(flag=make_flag(), environment="production",
                                 name="FlexibleRollout", actor=SYSTEM)


def test_strategy_create_with_a_custom_name_keeps_its_parameters_as_text(make_flag):
    strategy = services.strategy_create(flag=make_flag(), environment="production",
                                         name="region.eu", parameters={"regions": "NO,SE",
                                                                       "strict": True},
                                         actor=SYSTEM)

    assert (strategy.name, strategy.parameters) == ("region.eu", {"regions": "NO,SE",
                                                                  "strict": "true"})


def test_strategy_create_stores_parameters_as_unleash_serves_them(make_flag):
    strategy = services.strategy_create(
        flag=make_flag(), environment="production", name="flexibleRollout",
        parameters={"rollout": 25, "stickiness": "userId", "groupId": "checkout"},
        constraints=[{"contextName": "country", "operator": "IN", "values": ["NO"]}],
        actor=SYSTEM)

    assert strategy.parameters == {"rollout": "25", "stickiness": "userId",
                                   "groupId": "checkout"}
    assert strategy.constraints[0]["operator"] == "IN"


def test_strategy_update_with_a_bad_rollout_keeps_the_old_one(make_flag):
    strategy = services.flag_rollout_percentage_set(flag=make_flag(), environment="production",
                                                    percentage=10, actor=SYSTEM)

    with pytest.raises(ValidationFailed):
        services.strategy_update(strategy=strategy, changes={"parameters": {"rollout": "abc"}},
                                 actor=SYSTEM)

    strategy.refresh_from_db()
    assert strategy.parameters["rollout"] == "10"


def test_flag_rollout_percentage_set_adds_a_rollout_then_changes_the_same_strategy(make_flag):
    flag = make_flag()

    first = services.flag_rollout_percentage_set(flag=flag, environment="production",
                                                 percentage=10, actor=SYSTEM, reason="canary")
    second = services.flag_rollout_percentage_set(flag=flag, environment="production",
                                                  percentage=50, actor=SYSTEM)

    assert first.pk == second.pk
    assert second.parameters == {"rollout": "50", "stickiness": "default", "groupId": flag.key}
    assert Strategy.objects.count() == 1


@pytest.mark.parametrize("percentage", [-1, 101, "50", 12.5, True])
def test_flag_rollout_percentage_set_outside_0_to_100_is_refused(make_flag, percentage):
    with pytest.raises(ValidationFailed, match="percentage"):
        services.flag_rollout_percentage_set(flag=make_flag(), environment="production",
                                             percentage=percentage, actor=SYSTEM)
    assert not Strategy.objects.exists()


def test_strategy_delete_removes_it_and_records_the_change_on_the_flag(make_flag):
    flag = make_flag()
    strategy = services.strategy_create(flag=flag, environment="staging", name="default",
                                        actor=SYSTEM)

    services.strategy_delete(strategy=strategy, actor=SYSTEM)

    assert not Strategy.objects.exists()
    actions = list(selectors.flag_history(flag).values_list("action", flat=True))
    assert actions[:2] == ["flag.strategy_delete", "flag.strategy_create"]


def test_flag_variants_set_with_weights_not_summing_up_is_refused(make_flag):
    flag = make_flag()
    variants = [{"name": "a", "weight": 600, "weightType": "fix"},
                {"name": "b", "weight": 600, "weightType": "fix"}]

    with pytest.raises(ValidationFailed):
        services.flag_variants_set(flag=flag, environment="production", variants=variants,
                                   actor=SYSTEM)
    assert flag.states.get(environment__key="production").variants == []


def test_flag_variants_set_spreads_variable_weights_over_1000(make_flag):
    state = services.flag_variants_set(
        flag=make_flag(), environment="production", actor=SYSTEM,
        variants=[{"name": "a"}, {"name": "b"},
                  {"name": "c", "payload": {"type": "string", "value": "x"}}])

    assert [v["weight"] for v in state.variants] == [334, 333, 333]


def test_flag_archive_stops_serving_it_and_revive_brings_it_back_switched_off(make_flag):
    flag = make_flag()
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)

    services.flag_archive(flag=flag, actor=SYSTEM)
    assert ChangeEvent.objects.filter(kind="feature-removed", subject=flag.key).count() == 3
    services.flag_revive(flag=flag, actor=SYSTEM)

    flag.refresh_from_db()
    assert flag.archived_at is None
    assert not flag.states.filter(enabled=True).exists()


def test_flag_archive_of_a_parent_with_live_children_is_refused(make_flag):
    parent, child = make_flag("parent"), make_flag("child")
    services.flag_dependency_set(flag=child, parent_key="parent", actor=SYSTEM)

    with pytest.raises(ValidationFailed, match="child depend on parent"):
        services.flag_archive(flag=parent, actor=SYSTEM)


def test_flag_dependency_set_on_a_flag_that_has_parents_is_refused(make_flag):
    grandparent, parent, child = make_flag("gp"), make_flag("p"), make_flag("c")
    services.flag_dependency_set(flag=parent, parent_key=grandparent.key, actor=SYSTEM)

    with pytest.raises(ValidationFailed, match="one level"):
        services.flag_dependency_set(flag=child, parent_key=parent.key, actor=SYSTEM)


def test_flag_update_links_a_release_and_the_change_lands_in_the_release_history(make_flag):
    release = make_release()
    flag = make_flag()

    services.flag_update(flag=flag, changes={"release": release}, actor=SYSTEM,
                         revision=flag.revision)
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)

    assert AuditEvent.objects.filter(release_id=release.pk, action="flag.toggle").exists()


def test_flag_update_from_a_stale_revision_is_refused(make_flag):
    flag = make_flag()
    services.flag_update(flag=flag, changes={"description": "one"}, actor=SYSTEM,
                         revision=flag.revision)

    with pytest.raises(Exception, match="changed by someone else"):
        services.flag_update(flag=flag, changes={"description": "two"}, actor=SYSTEM,
                             revision=1)


def test_flag_tags_set_replaces_tags(make_flag):
    flag = make_flag()
    services.flag_tags_set(flag=flag, tags=["team:payments", "checkout"], actor=SYSTEM)

    assert sorted(str(t) for t in flag.tags.all()) == ["simple:checkout", "team:payments"]


@pytest.mark.parametrize(("flag_type", "days", "stale"), [
    ("release", 41, True), ("release", 39, False), ("operational", 8, True),
    ("experiment", 41, True), ("kill-switch", 1000, False), ("permission", 1000, False),
])
def test_potentially_stale_follows_the_expected_lifetime_of_the_type(make_flag, flag_type, days,
                                                                     stale):
    flag = make_flag(flag_type=flag_type)
    Flag.objects.filter(pk=flag.pk).update(created_at=timezone.now() - timedelta(days=days))
    flag.refresh_from_db()

    assert selectors.potentially_stale(flag) is stale


def test_segment_delete_while_a_strategy_uses_it_is_refused(make_flag):
    segment = services.segment_create(
        name="nordics", actor=SYSTEM,
        constraints=[{"contextName": "country", "operator": "IN", "values": ["NO", "SE"]}])
    services.strategy_create(flag=make_flag(), environment="production", name="default",
                             segments=[segment.pk], actor=SYSTEM)

    with pytest.raises(ValidationFailed, match="used by new-checkout"):
        services.segment_delete(segment=segment, actor=SYSTEM)


def test_segment_create_with_a_bad_regex_is_refused(db):
    with pytest.raises(ValidationFailed, match="regex"):
        services.segment_create(name="bad", actor=SYSTEM, constraints=[
            {"contextName": "email", "operator": "REGEX", "value": "([a-z]"}])


def test_segment_update_records_a_change_in_every_environment(make_flag, project):
    segment = services.segment_create(name="beta", actor=SYSTEM, constraints=[])
    before = ChangeEvent.objects.filter(kind="segment-updated").count()

    services.segment_update(segment=segment, changes={"constraints": [
        {"contextName": "plan", "operator": "IN", "values": ["beta"]}]}, actor=SYSTEM)

    assert ChangeEvent.objects.filter(kind="segment-updated").count() - before == (
        Environment.objects.count())


def test_client_token_create_for_an_unknown_project_is_refused(project):
    with pytest.raises(ValidationFailed, match="No project nope"):
        services.client_token_create(name="x", environment="production", projects=["nope"],
                                     actor=SYSTEM)


def test_client_token_create_stores_only_a_hash_in_unleash_format(project):
    token, secret = services.client_token_create(name="x", environment="production",
                                                 projects=["shop"], actor=SYSTEM)

    assert secret.startswith("shop:production.")
    assert secret not in token.token_hash and secret not in token.prefix


def test_demo_load_creates_the_seed_004_flag_with_uat_users_and_a_10_percent_canary(db):
    from tminus.flags import demo

    demo.load()

    flag = Flag.objects.get(key="form-1095b-download")
    production = [s.name for s in Strategy.objects.filter(
        state__flag=flag, state__environment__key="production")]
    assert production == ["userWithId", "flexibleRollout"]
    assert Strategy.objects.get(state__flag=flag, name="flexibleRollout").parameters[
        "rollout"] == "10"
