"""JSON endpoints for risks, dependencies, contingency plans, readiness, the gate and freezes."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from tminus.accounts.permissions import require
from tminus.accounts.roles import ADMINISTER, CONTRIBUTE, MANAGE, VIEW
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import ValidationFailed
from tminus.core.row_api import RowApi
from tminus.people.selectors import person_for_user, person_ref, resolve_person_ids
from tminus.readiness import presenters, selectors, services
from tminus.readiness.criteria import criterion_kinds
from tminus.readiness.models import Contingency, Criterion, Dependency, FreezeWindow, Risk
from tminus.readiness.schemas import (
    ContingencyIn,
    ContingencyOut,
    ContingencyPatch,
    CriterionIn,
    CriterionKindOut,
    CriterionOut,
    CriterionPatch,
    DecisionIn,
    DecisionOut,
    DependencyIn,
    DependencyOut,
    DependencyPatch,
    FreezeIn,
    FreezeOccurrenceOut,
    FreezeOut,
    FreezePatch,
    GateOut,
    OverrideIn,
    OverrideOut,
    ReadinessOut,
    RiskIn,
    RiskOut,
    RiskPatch,
    VoteIn,
    VoteOut,
)
from tminus.readiness.when import when_input
from tminus.releases.models import Product, Release
from tminus.releases.selectors import release_get

router = Router(tags=["readiness"])


def _patch(request, data) -> tuple[int, dict]:
    changes = data.dict(exclude_unset=True)
    return edit_revision(request, changes.pop("revision", None)), resolve_person_ids(changes)


def _release_ref(key: str | None, field: str = "required_release") -> Release | None:
    if not key:
        return None
    release = Release.objects.filter(key=key).first()
    if release is None:
        raise ValidationFailed({field: f"No release with key {key!r}."})
    return release


def _product_ref(key: str | None) -> Product | None:
    if not key:
        return None
    product = Product.objects.filter(key=key).first()
    if product is None:
        raise ValidationFailed({"product": f"No product with key {key!r}."})
    return product


# Risks -----------------------------------------------------------------------------------------
def _risk_values(values: dict) -> dict:
    if "review" in values:
        values["review_date"], values["review_offset"] = when_input(values.pop("review"),
                                                                    "review")
    return values


@router.get("/releases/{key}/risks", response=list[RiskOut])
def risk_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.risk_dict(risk) for risk in selectors.risks(release_get(key))]


RowApi(model=Risk, row="risk", capability=CONTRIBUTE, add=services.risk_add,
       update=services.risk_update, remove=services.risk_remove, schema_in=RiskIn,
       schema_patch=RiskPatch, schema_out=RiskOut, present=presenters.risk_dict,
       values=_risk_values, related=("release", "owner"),
       ).register(router, collection="risks", item="risks", name="risk")


# Dependencies ----------------------------------------------------------------------------------
def _dependency_values(values: dict) -> dict:
    if "needed_by" in values:
        values["needed_by"], values["needed_by_offset"] = when_input(values["needed_by"],
                                                                     "needed_by")
    if "required_release" in values:
        values["required_release"] = _release_ref(values["required_release"])
    return values


@router.get("/releases/{key}/dependencies", response=list[DependencyOut])
def dependency_list(request, key: str):
    api_actor(request, VIEW)
    now = selectors.today()
    return [presenters.dependency_dict(d, selectors.dependency_state(d, now))
            for d in selectors.dependencies(release_get(key))]


RowApi(model=Dependency, row="dependency", capability=CONTRIBUTE,
       add=services.dependency_add, update=services.dependency_update,
       remove=services.dependency_remove, schema_in=DependencyIn,
       schema_patch=DependencyPatch, schema_out=DependencyOut,
       present=presenters.dependency_dict,
       values=_dependency_values, related=("release", "owner", "required_release"),
       ).register(router, collection="dependencies", item="dependencies", name="dependency")


# Contingency plans -----------------------------------------------------------------------------
@router.get("/releases/{key}/contingencies", response=list[ContingencyOut])
def contingency_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.contingency_dict(p) for p in selectors.contingencies(release_get(key))]


RowApi(model=Contingency, row="plan", capability=CONTRIBUTE, add=services.contingency_add,
       update=services.contingency_update, remove=services.contingency_remove,
       schema_in=ContingencyIn, schema_patch=ContingencyPatch, schema_out=ContingencyOut,
       present=presenters.contingency_dict,
       ).register(router, collection="contingencies", item="contingencies", name="contingency")


# Criteria and the live readiness report --------------------------------------------------------
@router.get("/criterion-kinds", response=list[CriterionKindOut])
def criterion_kind_list(request):
    api_actor(request, VIEW)
    return [{"kind": entry.kind, "label": entry.label} for entry in criterion_kinds()]


@router.get("/releases/{key}/readiness", response=ReadinessOut)
def readiness(request, key: str):
    api_actor(request, VIEW)
    release = release_get(key)
    status = presenters.gate_dict(selectors.gate_status(release))
    return {**status, "votes": [presenters.vote_dict(v) for v in
                                selectors.current_votes(release)]}


@router.get("/releases/{key}/gate", response=GateOut)
def gate(request, key: str):
    api_actor(request, VIEW)
    return presenters.gate_dict(selectors.gate_status(release_get(key)))


def _criterion_out(criterion: Criterion) -> dict:
    report = selectors.readiness_report(criterion.release)
    return next(row for row in report if row["id"] == criterion.pk)


RowApi(model=Criterion, row="criterion", capability=MANAGE, add=services.criterion_add,
       update=services.criterion_update, remove=services.criterion_remove,
       schema_in=CriterionIn, schema_patch=CriterionPatch, schema_out=CriterionOut,
       present=_criterion_out, related=("release",),
       ).register(router, collection="criteria", item="criteria", name="criterion")


# The go/no-go ----------------------------------------------------------------------------------
@router.post("/releases/{key}/votes", response={201: VoteOut})
def vote_record(request, key: str, data: VoteIn):
    # Any signed-in approver of the release votes for themselves; the service checks the rest.
    actor = api_actor(request, VIEW)
    approver = person_ref(data.approver_id, "approver") if data.approver_id else \
        person_for_user(actor.user)
    if approver is None:
        require(actor, CONTRIBUTE)
        raise ValidationFailed({"approver_id": "Your account is not linked to a person; name "
                                               "the approver."})
    vote = services.vote_record(release=release_get(key), approver=approver, vote=data.vote,
                                comment=data.comment, discipline=data.discipline, actor=actor)
    return Status(201, presenters.vote_dict(vote))


@router.get("/releases/{key}/decisions", response=list[DecisionOut])
def decision_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.decision_dict(d) for d in selectors.decisions(release_get(key))]


@router.post("/releases/{key}/decisions", response={201: DecisionOut})
def decision_record(request, key: str, data: DecisionIn):
    actor = api_actor(request, MANAGE)
    decision = services.go_decision_record(release=release_get(key), outcome=data.outcome,
                                           comment=data.comment, actor=actor)
    return Status(201, presenters.decision_dict(decision))


@router.post("/releases/{key}/gate/override", response={201: OverrideOut})
def gate_override(request, key: str, data: OverrideIn):
    actor = api_actor(request, ADMINISTER)
    override = services.gate_override(release=release_get(key), reason=data.reason,
                                      actor=actor)
    return Status(201, presenters.override_dict(override))


# Freeze windows --------------------------------------------------------------------------------
class CoveringQuery(Schema):
    start: datetime
    end: datetime | None = None
    product: str = ""


@router.get("/freeze-windows", response=list[FreezeOut])
def freeze_list(request):
    api_actor(request, VIEW)
    return [presenters.freeze_dict(window) for window in selectors.freeze_windows()]


@router.get("/freeze-windows/covering", response=list[FreezeOccurrenceOut])
def freeze_covering(request, query: Query[CoveringQuery]):
    api_actor(request, VIEW)
    found = selectors.freeze_windows_covering(_product_ref(query.product), query.start,
                                              query.end or query.start)
    return [presenters.occurrence_dict(occurrence) for occurrence in found]


@router.post("/freeze-windows", response={201: FreezeOut})
def freeze_add(request, data: FreezeIn):
    actor = api_actor(request, MANAGE)
    values = data.dict()
    values["product"] = _product_ref(values["product"])
    window = services.freeze_window_add(actor=actor, **values)
    return Status(201, presenters.freeze_dict(window))


@router.patch("/freeze-windows/{window_id}", response=FreezeOut)
def freeze_update(request, window_id: int, data: FreezePatch):
    actor = api_actor(request, MANAGE)
    revision, changes = _patch(request, data)
    if "product" in changes:
        changes["product"] = _product_ref(changes["product"])
    window = services.freeze_window_update(window=get_object_or_404(FreezeWindow, pk=window_id),
                                           revision=revision, changes=changes, actor=actor)
    return presenters.freeze_dict(window)


@router.delete("/freeze-windows/{window_id}", response={204: None})
def freeze_remove(request, window_id: int):
    actor = api_actor(request, MANAGE)
    services.freeze_window_remove(window=get_object_or_404(FreezeWindow, pk=window_id),
                                  actor=actor)
    return Status(204, None)
