"""JSON endpoints for people, stakeholders and a release's hypercare support model."""

from ninja import Router, Status

from tminus.accounts.models import User
from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import ValidationFailed
from tminus.core.row_api import RowApi
from tminus.people import presenters, selectors, services
from tminus.people.durations import parse_duration
from tminus.people.models import EscalationStep, OnCallShift, Stakeholder, SupportTier
from tminus.people.schemas import (
    EscalationStepIn,
    EscalationStepOut,
    EscalationStepPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
    ShiftIn,
    ShiftOut,
    ShiftPatch,
    StakeholderIn,
    StakeholderOut,
    StakeholderPatch,
    SupportModelOut,
    TierIn,
    TierOut,
    TierPatch,
)
from tminus.releases.selectors import release_get

router = Router(tags=["people and support"])


def _user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed({"username": f"No user named {username!r}."})
    return user


def _minutes(text: str | None, field: str) -> int | None:
    if not text:
        return None
    try:
        return parse_duration(text)
    except ValueError as error:
        raise ValidationFailed({field: str(error)}) from None


def _patch(request, data) -> tuple[int, dict]:
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    return revision, selectors.resolve_person_ids(changes)


def _tier_values(values: dict) -> dict:
    """Durations as minutes and the handled list as lines, as the service stores them."""
    if "response" in values:
        values["response_minutes"] = _minutes(values.pop("response"), "response")
    if "resolution" in values:
        values["resolution_minutes"] = _minutes(values.pop("resolution"), "resolution")
    if "handles" in values:
        values["handles"] = "\n".join(line.strip() for line in values["handles"] or [])
    return values


@router.get("/people", response=list[PersonOut])
def person_list(request):
    api_actor(request, VIEW)
    return [presenters.person_dict(person) for person in selectors.people()]


@router.post("/people", response={201: PersonOut})
def person_create(request, data: PersonIn):
    actor = api_actor(request, MANAGE)
    values = data.dict()
    user = _user(values.pop("username"))
    person = services.person_create(**values, user=user, actor=actor)
    return Status(201, presenters.person_dict(person))


@router.patch("/people/{person_id}", response=PersonOut)
def person_update(request, person_id: int, data: PersonPatch):
    actor = api_actor(request, MANAGE)
    revision, changes = _patch(request, data)
    if "username" in changes:
        changes["user"] = _user(changes.pop("username"))
    person = services.person_update(person=selectors.person_get(person_id), revision=revision,
                                    changes=changes, actor=actor)
    return presenters.person_dict(person)


@router.get("/releases/{key}/stakeholders", response=list[StakeholderOut])
def stakeholder_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.stakeholder_dict(s) for s in selectors.stakeholders(release_get(key))]


RowApi(model=Stakeholder, row="stakeholder", capability=MANAGE,
       add=services.stakeholder_add, update=services.stakeholder_update,
       remove=services.stakeholder_remove, schema_in=StakeholderIn,
       schema_patch=StakeholderPatch, schema_out=StakeholderOut,
       present=presenters.stakeholder_dict,
       ).register(router, collection="stakeholders", item="stakeholders", name="stakeholder")


@router.get("/releases/{key}/support", response=SupportModelOut)
def support_model(request, key: str):
    api_actor(request, VIEW)
    return presenters.support_model_dict(selectors.support_model(release_get(key)))


RowApi(model=SupportTier, row="tier", capability=MANAGE, add=services.support_tier_add,
       update=services.support_tier_update, remove=services.support_tier_remove,
       schema_in=TierIn, schema_patch=TierPatch, schema_out=TierOut,
       present=presenters.tier_dict, values=_tier_values,
       ).register(router, collection="support/tiers", item="support-tiers", name="support_tier")

RowApi(model=EscalationStep, row="step", capability=MANAGE,
       add=services.escalation_step_add, update=services.escalation_step_update,
       remove=services.escalation_step_remove, schema_in=EscalationStepIn,
       schema_patch=EscalationStepPatch, schema_out=EscalationStepOut,
       present=presenters.step_dict,
       ).register(router, collection="support/escalation", item="escalation-steps",
                  name="escalation_step")

RowApi(model=OnCallShift, row="shift", capability=MANAGE, add=services.on_call_shift_add,
       update=services.on_call_shift_update, remove=services.on_call_shift_remove,
       schema_in=ShiftIn, schema_patch=ShiftPatch, schema_out=ShiftOut,
       present=presenters.shift_dict, related=("release",),
       ).register(router, collection="support/rota", item="on-call-shifts",
                  name="on_call_shift")
