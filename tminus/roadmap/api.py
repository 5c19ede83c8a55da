"""JSON endpoints for roadmaps: the cadence, proposed releases, features moving between releases."""

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import ValidationFailed
from tminus.outcomes.lookups import product_get
from tminus.releases.models import Release, ScopeItem
from tminus.roadmap import presenters, selectors, services
from tminus.roadmap.cadence import parse_cadence
from tminus.roadmap.models import Cadence
from tminus.roadmap.schemas import (
    CadenceIn,
    CadenceOut,
    CreatedReleaseOut,
    MoveOut,
    ProposalOut,
    ProposedReleaseIn,
    RoadmapMoveIn,
    RoadmapOut,
)

router = Router(tags=["roadmap"])


@router.get("/roadmap/{product}", response=RoadmapOut)
def roadmap(request, product: str):
    api_actor(request, VIEW)
    return presenters.roadmap_dict(selectors.roadmap(product_get(product)))


@router.put("/roadmap/{product}/cadence", response=CadenceOut)
def cadence_set(request, product: str, data: CadenceIn):
    actor = api_actor(request, MANAGE)
    cadence = services.cadence_set(product=product_get(product), text=data.cadence,
                                   template_key=data.template,
                                   revision=edit_revision(request, data.revision),
                                   actor=actor)
    return _cadence(cadence)


def _cadence(cadence: Cadence) -> dict:
    return {"product": cadence.product.key, "cadence": cadence.text,
            "meaning": parse_cadence(cadence.text).describe(),
            "template": cadence.template_key, "revision": cadence.revision}


@router.get("/roadmap/{product}/proposals", response=list[ProposalOut])
def proposals(request, product: str, count: int = 3):
    api_actor(request, VIEW)
    found = product_get(product)
    releases = list(found.releases.all())
    cadence = Cadence.objects.filter(product=found).first()
    return [presenters.proposal_dict(p) for p in selectors.proposals(cadence, releases, count)]


@router.post("/roadmap/{product}/releases", response={201: CreatedReleaseOut})
def release_create(request, product: str, data: ProposedReleaseIn):
    actor = api_actor(request, MANAGE)
    release = services.roadmap_release_create(
        product=product_get(product), go_live=data.go_live, version=data.version,
        theme=data.theme, template_key=data.template, actor=actor)
    return Status(201, {"key": release.key, "name": release.name, "version": release.version,
                        "go_live": release.go_live, "theme": release.goal,
                        "template": release.template_key})


@router.post("/features/{feature_id}/move", response=MoveOut)
def feature_move(request, feature_id: int, data: RoadmapMoveIn):
    actor = api_actor(request, MANAGE)
    feature = get_object_or_404(ScopeItem.objects.select_related("release"), pk=feature_id)
    target = Release.objects.filter(key=data.release).first()
    if target is None:
        raise ValidationFailed({"release": f"No release with key {data.release!r}."})
    move = services.feature_move(feature=feature, to_release=target, reason=data.reason,
                                 actor=actor)
    return presenters.move_dict(move)


@router.get("/features/{feature_id}/history", response=list[MoveOut])
def feature_history(request, feature_id: int):
    api_actor(request, VIEW)
    feature = get_object_or_404(ScopeItem, pk=feature_id)
    return [presenters.move_dict(m) for m in selectors.feature_history(feature)]
