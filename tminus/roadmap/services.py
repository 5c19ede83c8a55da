"""Every write to a roadmap: the cadence, releases it proposes, features moving between releases."""

from datetime import date

from django.db import transaction
from django.db.models import F

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.services import audit_record
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.releases import services as release_services
from tminus.releases.models import Product, Release, ScopeItem
from tminus.releases.templating import template_definition
from tminus.roadmap.cadence import parse_cadence
from tminus.roadmap.models import Cadence, FeatureMove

CLOSED_STATUSES = ("closed", "cancelled")


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def _cadence_errors(cadence: Cadence) -> dict:
    try:
        parse_cadence(cadence.text)
    except ValueError as error:
        return {"cadence": str(error)}
    template_definition(cadence.template_key)  # refuses an unknown template
    return {}


def _cadence_derive(cadence: Cadence, changes: dict) -> list[str]:
    cadence.text, cadence.template_key = cadence.text.strip(), cadence.template_key or "minor"
    return ["text", "template_key"]


CADENCE = editing.Kind(model=Cadence, action="cadence", fields=["text", "template_key"],
                       capability=MANAGE, validate=_cadence_errors, derive=_cadence_derive,
                       add_verb="set", update_verb="set", release_id=lambda cadence: None)


@transaction.atomic
def cadence_set(*, product: Product, text: str, template_key: str = "minor",
                revision: int | None = None, actor: Actor) -> Cadence:
    """Set how often a product releases; a cadence that does not parse is refused."""
    cadence = Cadence.objects.filter(product=product).first()
    changes = {"text": text, "template_key": template_key or "minor"}
    if cadence is not None:
        return editing.update(CADENCE, cadence, revision=revision, changes=changes, actor=actor)
    cadence = Cadence(product=product, **changes)
    if isinstance(text, str):
        _cadence_derive(cadence, changes)
    return editing.create(CADENCE, cadence, actor=actor)


@transaction.atomic
def roadmap_release_create(*, product: Product, go_live: date, version: str = "",
                           theme: str = "", template_key: str = "", owner=None,
                           actor: Actor) -> Release:
    """Create a release the cadence proposed, from the cadence's template, with its theme."""
    require(actor, MANAGE)
    if go_live is None:
        raise ValidationFailed({"go_live": "A proposed release needs its go-live date."})
    clash = product.releases.filter(go_live=go_live).exclude(status="cancelled").first()
    if clash is not None:
        raise ValidationFailed({"go_live": f"{clash.key} already goes live on {go_live}."})
    cadence = Cadence.objects.filter(product=product).first()
    template_key = template_key or (cadence.template_key if cadence else "minor")
    theme = (theme or "").strip()
    name = f"{theme} v{version}" if theme and version else theme or f"Release {version}".strip()
    return release_services.release_create(
        product=product, name=name, template_key=template_key, go_live=go_live,
        version=version, goal=theme, owner=owner or product.owner, actor=actor)


@transaction.atomic
def feature_move(*, feature: ScopeItem, to_release: Release, reason: str = "",
                 actor: Actor) -> FeatureMove:
    """Move a feature to another release of its product, keeping where it came from and why."""
    require(actor, MANAGE)
    feature = ScopeItem.objects.select_for_update().select_related("release").get(pk=feature.pk)
    source = feature.release
    errors = {}
    if to_release.pk == source.pk:
        errors["release"] = f"{feature.title} is already in {source.key}."
    elif to_release.product_id != source.product_id:
        errors["release"] = "A feature moves between releases of the same product."
    elif to_release.status in CLOSED_STATUSES:
        errors["release"] = (f"{to_release.key} is {to_release.get_status_display().lower()}; "
                             f"features cannot move into it.")
    if errors:
        raise ValidationFailed(errors)
    ScopeItem.objects.filter(pk=feature.pk).update(
        release=to_release, order=to_release.scope_items.count(), revision=F("revision") + 1)
    move = FeatureMove.objects.create(
        feature=feature, from_release=source, to_release=to_release, from_label=source.key,
        to_label=to_release.key, reason=(reason or "").strip()[:500], moved_by=_user(actor),
        moved_by_label=actor.label)
    # Both releases' histories show the move.
    for release in (source, to_release):
        audit_record(actor=actor, action="feature.move", obj=feature, release_id=release.pk,
                     before={"release": source.key}, after={"release": to_release.key},
                     reason=move.reason)
    return move
