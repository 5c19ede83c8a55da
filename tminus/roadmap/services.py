"""Every write to a roadmap: the cadence, releases it proposes, features moving between releases."""

from datetime import date

from django.db import transaction
from django.db.models import F

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.errors import ValidationFailed
from tminus.releases import services as release_services
from tminus.releases.models import Product, Release, ScopeItem
from tminus.releases.templating import template_definition
from tminus.roadmap.cadence import parse_cadence
from tminus.roadmap.models import Cadence, FeatureMove

CLOSED_STATUSES = ("closed", "cancelled")


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


@transaction.atomic
def cadence_set(*, product: Product, text: str, template_key: str = "minor",
                revision: int | None = None, actor: Actor) -> Cadence:
    """Set how often a product releases; a cadence that does not parse is refused."""
    require(actor, MANAGE)
    try:
        parsed = parse_cadence(text)
    except ValueError as error:
        raise ValidationFailed({"cadence": str(error)}) from None
    template_definition(template_key or "minor")  # refuses an unknown template
    cadence = Cadence.objects.filter(product=product).first()
    fields = ["text", "template_key"]
    if cadence is None:
        cadence = Cadence.objects.create(product=product, text=text.strip(),
                                         template_key=template_key or "minor")
        audit_record(actor=actor, action="cadence.set", obj=cadence,
                     after={**snapshot(cadence, fields), "means": parsed.describe()})
        return cadence
    before = snapshot(cadence, fields)
    cadence.text, cadence.template_key = text.strip(), template_key or "minor"
    save_versioned(cadence, revision, fields,
                   snapshot=lambda c: {**snapshot(c, fields), "revision": c.revision})
    audit_record(actor=actor, action="cadence.set", obj=cadence, before=before,
                 after={**snapshot(cadence, fields), "means": parsed.describe()})
    return cadence


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
