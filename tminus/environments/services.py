"""Every write to environments and what is deployed there. Each runs in a transaction, audited."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.services import audit_record, snapshot
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, ValidationFailed
from tminus.core.keys import make_key
from tminus.environments.models import DEFAULT_ENVIRONMENTS, Deployment, Environment
from tminus.releases.models import Product, Release

ENVIRONMENT_FIELDS = ["key", "name", "description", "url", "order"]
CURRENT_FIELDS = ["current_version", "current_release", "current_since"]


def _missing_defaults(product: Product) -> list[Environment]:
    have = set(product.environments.values_list("key", flat=True))
    start = product.environments.count()
    return [
        Environment(product=product, key=key, name=name, order=start + index)
        for index, (key, name) in enumerate(
            (key, name) for key, name in DEFAULT_ENVIRONMENTS if key not in have)
    ]


def defaults_create(product: Product, *, actor: Actor | None) -> list[Environment]:
    """Add QA, staging and production where missing (no permission check: callers check).

    Without an actor nothing is audited: a release's template lays them out as part of
    creating the release, which is audited as a whole.
    """
    created = []
    for environment in _missing_defaults(product):
        environment.save()
        if actor is not None:
            audit_record(actor=actor, action="environment.create", obj=environment,
                         after=snapshot(environment, ENVIRONMENT_FIELDS))
        created.append(environment)
    return created


@transaction.atomic
def environment_defaults_ensure(*, product: Product, actor: Actor) -> list[Environment]:
    """Give a product the default environments (QA, staging, production) it lacks."""
    require(actor, MANAGE)
    return defaults_create(product, actor=actor)


def _environment_errors(environment: Environment) -> dict:
    errors = {}
    if not environment.key:
        errors["key"] = "An environment needs a key of letters, digits or dashes."
    elif (Environment.objects.filter(product_id=environment.product_id, key=environment.key)
          .exclude(pk=environment.pk).exists()):
        errors["key"] = f"{environment.product.name} already has an environment " \
                        f"{environment.key!r}."
    if environment.url and not environment.url.startswith(("http://", "https://")):
        errors["url"] = "A link must start with http:// or https://."
    return errors


ENVIRONMENT = editing.Kind(model=Environment, action="environment", fields=ENVIRONMENT_FIELDS,
                           capability=MANAGE, validate=_environment_errors, fixed={"order"},
                           add_verb="create", release_id=lambda environment: None)


@transaction.atomic
def environment_create(*, product: Product, key: str, name: str = "", description: str = "",
                       url: str = "", actor: Actor) -> Environment:
    """Add an environment (performance, training, demo ...) to a product."""
    key = make_key(key or name)[:40].rstrip("-.")
    return editing.create(ENVIRONMENT, Environment(
        product=product, key=key, name=(name or key).strip()[:100], description=description,
        url=url, order=product.environments.count(),
    ), actor=actor)


def environment_find(product: Product, environment: "Environment | str") -> Environment:
    """A product's environment by object or key ('Staging' and 'staging' alike), or NotFound."""
    if isinstance(environment, Environment):
        if environment.product_id != product.pk:
            raise NotFound(f"{environment.name} is not an environment of {product.name}.")
        return environment
    key = make_key(environment or "")
    found = product.environments.filter(key=key).first()
    if found is None:
        known = ", ".join(product.environments.values_list("key", flat=True)) or "none yet"
        raise NotFound(f"{product.name} has no environment {environment!r}; it has: {known}.")
    return found


def environment_for_write(product: Product, environment, *, actor: Actor | None) -> Environment:
    """The environment to record something in; a product without any first gets the defaults."""
    if not product.environments.exists():
        defaults_create(product, actor=actor)
    return environment_find(product, environment)


def _version_errors(product: Product, version: str, release: Release | None) -> dict:
    errors = {}
    if not version:
        errors["version"] = "Name the version that was deployed."
    elif len(version) > 50:
        errors["version"] = "A version is at most 50 characters long."
    if release is not None and release.product_id != product.pk:
        errors["release"] = (f"Release {release.key} belongs to {release.product.name}, "
                             f"not to {product.name}.")
    return errors


def _release_with_version(product: Product, version: str) -> Release | None:
    # A pipeline often knows only the version; link the release when exactly one has it.
    matches = list(Release.objects.filter(product=product, version=version)[:2]) if version else []
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def environment_version_set(*, product: Product, environment: "Environment | str",
                            version: str = "", release: Release | None = None, actor: Actor,
                            note: str = "", deployed_at: datetime | None = None) -> Deployment:
    """Record that a version is now deployed in an environment; the history keeps the old one.

    Setting the version an environment already runs changes nothing and returns its deployment,
    so a pipeline may safely report the same deployment twice.
    """
    require(actor, MANAGE)
    version = (version or (release.version if release else "") or "").strip()
    release = release or _release_with_version(product, version)
    errors = _version_errors(product, version, release)
    if errors:
        raise ValidationFailed(errors)
    target = environment_for_write(product, environment, actor=actor)
    target = Environment.objects.select_for_update().get(pk=target.pk)
    if target.current_version == version:
        latest = target.deployments.first()
        if latest is not None and (release is None or latest.release_id == release.pk):
            return latest
    before = snapshot(target, CURRENT_FIELDS)
    deployment = Deployment.objects.create(
        environment=target, version=version, previous_version=target.current_version,
        release=release, deployed_at=deployed_at or timezone.now(),
        deployed_by=actor.user if getattr(actor.user, "pk", None) else None,
        deployed_by_label=actor.label, note=note[:500],
    )
    target.current_version, target.current_release = version, release
    target.current_since = deployment.deployed_at
    target.save(update_fields=CURRENT_FIELDS)
    audit_record(actor=actor, action="environment.version_set", obj=target,
                 release_id=release.pk if release else None, before=before,
                 after=snapshot(target, CURRENT_FIELDS), reason=note)
    return deployment
