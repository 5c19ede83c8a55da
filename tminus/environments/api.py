"""JSON endpoints for a product's environments and the versions deployed there."""

from ninja import Router, Status

from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.api import api_actor
from tminus.core.errors import ValidationFailed
from tminus.environments import presenters, selectors, services
from tminus.environments.schemas import (
    DeploymentIn,
    DeploymentOut,
    EnvironmentIn,
    EnvironmentOut,
    StandingOut,
)
from tminus.releases.models import Release
from tminus.releases.selectors import release_get

router = Router(tags=["environments"])


@router.get("/products/{key}/environments", response=list[EnvironmentOut])
def environment_list(request, key: str):
    api_actor(request, VIEW)
    product = selectors.product_get(key)
    return [presenters.environment_dict(e) for e in selectors.environments_of(product)]


@router.post("/products/{key}/environments", response={201: EnvironmentOut})
def environment_create(request, key: str, data: EnvironmentIn):
    actor = api_actor(request, MANAGE)
    environment = services.environment_create(product=selectors.product_get(key), actor=actor,
                                              **data.dict())
    return Status(201, presenters.environment_dict(environment))


@router.post("/products/{key}/environments/defaults", response=list[EnvironmentOut])
def environment_defaults(request, key: str):
    """Add QA, staging and production where the product lacks them; lists all environments."""
    actor = api_actor(request, MANAGE)
    product = selectors.product_get(key)
    services.environment_defaults_ensure(product=product, actor=actor)
    return [presenters.environment_dict(e) for e in selectors.environments_of(product)]


@router.get("/products/{key}/environments/{env}/deployments", response=list[DeploymentOut])
def deployment_list(request, key: str, env: str):
    api_actor(request, VIEW)
    environment = services.environment_find(selectors.product_get(key), env)
    return [presenters.deployment_dict(d) for d in selectors.deployment_history(environment)]


def _release(product, key: str | None) -> Release | None:
    if not key:
        return None
    release = Release.objects.filter(key=key).first()
    if release is None:
        raise ValidationFailed({"release": f"No release with key {key!r}."})
    return release


@router.post("/products/{key}/environments/{env}/deployments", response={201: DeploymentOut})
def deployment_record(request, key: str, env: str, data: DeploymentIn):
    """A pipeline reports that a version is now deployed in an environment."""
    actor = api_actor(request, MANAGE)
    product = selectors.product_get(key)
    deployment = services.environment_version_set(
        product=product, environment=env, version=data.version,
        release=_release(product, data.release), note=data.note, actor=actor)
    return Status(201, presenters.deployment_dict(deployment))


@router.get("/releases/{key}/environments", response=list[StandingOut])
def release_environments(request, key: str):
    """Where the release's version stands in each environment of its product."""
    api_actor(request, VIEW)
    return [presenters.standing_dict(s) for s in selectors.release_standing(release_get(key))]
