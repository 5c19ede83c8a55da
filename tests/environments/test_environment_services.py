from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ProductFactory, make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, NotFound, ValidationFailed
from tminus.environments import selectors, services
from tminus.environments.models import Deployment, Environment

pytestmark = pytest.mark.django_db


def test_release_create_gives_its_product_the_default_environments():
    release = make_release(template="minor")

    keys = list(Environment.objects.filter(product=release.product).values_list("key", flat=True))
    assert keys == ["qa", "staging", "production"]


def test_environment_defaults_ensure_adds_only_the_missing_ones(manager):
    product = ProductFactory()
    services.environment_create(product=product, key="staging", actor=Actor(manager, "web"))

    created = services.environment_defaults_ensure(product=product, actor=Actor(manager, "web"))

    assert [e.key for e in created] == ["qa", "production"]
    assert product.environments.count() == 3


def test_environment_version_set_keeps_history_and_current_version_with_since(manager):
    release = make_release(version="1.1")
    product, actor = release.product, Actor(manager, "web")
    earlier = timezone.now() - timedelta(days=3)
    services.environment_version_set(product=product, environment="staging", version="1.0",
                                     deployed_at=earlier, actor=actor)

    deployment = services.environment_version_set(product=product, environment="Staging",
                                                  version="1.1", release=release, actor=actor)

    staging = Environment.objects.get(product=product, key="staging")
    assert (staging.current_version, staging.current_release) == ("1.1", release)
    assert staging.current_since == deployment.deployed_at
    history = list(selectors.deployment_history(staging))
    assert [(d.version, d.previous_version) for d in history] == [("1.1", "1.0"), ("1.0", "")]
    assert history[0].deployed_by == manager


def test_environment_version_set_twice_with_the_same_version_records_it_once(manager):
    release = make_release(version="2.0")
    actor = Actor(manager, "web")

    first = services.environment_version_set(product=release.product, environment="qa",
                                             version="2.0", actor=actor)
    second = services.environment_version_set(product=release.product, environment="qa",
                                              version="2.0", actor=actor)

    assert first.pk == second.pk
    assert Deployment.objects.filter(environment__product=release.product).count() == 1


def test_environment_version_set_without_release_links_the_release_with_that_version(manager):
    release = make_release(version="3.4")

    deployment = services.environment_version_set(
        product=release.product, environment="production", version="3.4",
        actor=Actor(manager, "web"))

    assert deployment.release == release


def test_environment_version_set_is_audited_with_the_release(manager):
    release = make_release(version="1.0")

    services.environment_version_set(product=release.product, environment="qa", version="1.0",
                                     release=release, note="pipeline 88",
                                     actor=Actor(manager, "web"))

    event = AuditEvent.objects.get(action="environment.version_set")
    assert event.release_id == release.pk
    assert event.before["current_version"] == ""
    assert event.after["current_version"] == "1.0"
    assert event.reason == "pipeline 88"


def test_environment_version_set_in_unknown_environment_is_refused_naming_the_known(manager):
    release = make_release()

    with pytest.raises(NotFound, match=r"no environment 'prod'.*qa, staging, production"):
        services.environment_version_set(product=release.product, environment="prod",
                                         version="1.0", actor=Actor(manager, "web"))
    assert not Deployment.objects.exists()


def test_environment_version_set_with_release_of_another_product_is_refused(manager):
    release = make_release()
    other = make_release()

    with pytest.raises(ValidationFailed, match="belongs to"):
        services.environment_version_set(product=release.product, environment="qa",
                                         version="9.9", release=other, actor=Actor(manager, "web"))
    assert not Deployment.objects.exists()


def test_environment_version_set_without_version_is_refused(manager):
    release = make_release()

    with pytest.raises(ValidationFailed, match="Name the version"):
        services.environment_version_set(product=release.product, environment="qa",
                                         version="  ", actor=Actor(manager, "web"))


def test_environment_version_set_by_contributor_is_not_allowed(contributor):
    release = make_release()

    with pytest.raises(NotAllowed):
        services.environment_version_set(product=release.product, environment="qa",
                                         version="1.0", actor=Actor(contributor, "web"))


def test_environment_version_set_on_product_without_environments_creates_defaults_first():
    product = ProductFactory()

    services.environment_version_set(product=product, environment="production",
                                     version="0.1", actor=Actor.cli())

    assert sorted(product.environments.values_list("key", flat=True)) == [
        "production", "qa", "staging"]


def test_environment_create_with_taken_key_is_refused(manager):
    release = make_release()

    with pytest.raises(ValidationFailed, match="already has an environment 'qa'"):
        services.environment_create(product=release.product, key="QA", actor=Actor(manager, "web"))


def test_release_standing_says_where_the_version_is_and_since_when(manager):
    release = make_release(version="1.0")
    actor, product = Actor(manager, "web"), release.product
    services.environment_version_set(product=product, environment="qa", version="1.0",
                                     actor=actor)
    services.environment_version_set(product=product, environment="staging", version="1.0",
                                     actor=actor)
    services.environment_version_set(product=product, environment="qa", version="1.1",
                                     actor=actor)

    states = {s.environment.key: s.state for s in selectors.release_standing(release)}

    assert states == {"qa": "replaced", "staging": "current", "production": "not_deployed"}
