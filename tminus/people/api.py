"""JSON endpoints for people, stakeholders and a release's hypercare support model."""

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from tminus.accounts.models import User
from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import ValidationFailed
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


@router.post("/releases/{key}/stakeholders", response={201: StakeholderOut})
def stakeholder_add(request, key: str, data: StakeholderIn):
    actor = api_actor(request, MANAGE)
    values = selectors.resolve_person_ids(data.dict())
    stakeholder = services.stakeholder_add(release=release_get(key), actor=actor, **values)
    return Status(201, presenters.stakeholder_dict(stakeholder))


@router.patch("/stakeholders/{stakeholder_id}", response=StakeholderOut)
def stakeholder_update(request, stakeholder_id: int, data: StakeholderPatch):
    actor = api_actor(request, MANAGE)
    revision, changes = _patch(request, data)
    stakeholder = services.stakeholder_update(
        stakeholder=get_object_or_404(Stakeholder, pk=stakeholder_id), revision=revision,
        changes=changes, actor=actor)
    return presenters.stakeholder_dict(stakeholder)


@router.delete("/stakeholders/{stakeholder_id}", response={204: None})
def stakeholder_remove(request, stakeholder_id: int):
    actor = api_actor(request, MANAGE)
    services.stakeholder_remove(stakeholder=get_object_or_404(Stakeholder, pk=stakeholder_id),
                                actor=actor)
    return Status(204, None)


@router.get("/releases/{key}/support", response=SupportModelOut)
def support_model(request, key: str):
    api_actor(request, VIEW)
    return presenters.support_model_dict(selectors.support_model(release_get(key)))


@router.post("/releases/{key}/support/tiers", response={201: TierOut})
def support_tier_add(request, key: str, data: TierIn):
    actor = api_actor(request, MANAGE)
    values = _tier_values(selectors.resolve_person_ids(data.dict()))
    tier = services.support_tier_add(release=release_get(key), actor=actor, **values)
    return Status(201, presenters.tier_dict(tier))


@router.patch("/support-tiers/{tier_id}", response=TierOut)
def support_tier_update(request, tier_id: int, data: TierPatch):
    actor = api_actor(request, MANAGE)
    revision, changes = _patch(request, data)
    tier = services.support_tier_update(tier=get_object_or_404(SupportTier, pk=tier_id),
                                        revision=revision, changes=_tier_values(changes),
                                        actor=actor)
    return presenters.tier_dict(tier)


@router.delete("/support-tiers/{tier_id}", response={204: None})
def support_tier_remove(request, tier_id: int):
    actor = api_actor(request, MANAGE)
    services.support_tier_remove(tier=get_object_or_404(SupportTier, pk=tier_id), actor=actor)
    return Status(204, None)


@router.post("/releases/{key}/support/escalation", response={201: EscalationStepOut})
def escalation_step_add(request, key: str, data: EscalationStepIn):
    actor = api_actor(request, MANAGE)
    values = selectors.resolve_person_ids(data.dict())
    step = services.escalation_step_add(release=release_get(key), actor=actor, **values)
    return Status(201, presenters.step_dict(step))


@router.patch("/escalation-steps/{step_id}", response=EscalationStepOut)
def escalation_step_update(request, step_id: int, data: EscalationStepPatch):
    actor = api_actor(request, MANAGE)
    revision, changes = _patch(request, data)
    step = services.escalation_step_update(step=get_object_or_404(EscalationStep, pk=step_id),
                                           revision=revision, changes=changes, actor=actor)
    return presenters.step_dict(step)


@router.delete("/escalation-steps/{step_id}", response={204: None})
def escalation_step_remove(request, step_id: int):
    actor = api_actor(request, MANAGE)
    services.escalation_step_remove(step=get_object_or_404(EscalationStep, pk=step_id),
                                    actor=actor)
    return Status(204, None)


@router.post("/releases/{key}/support/rota", response={201: ShiftOut})
def on_call_shift_add(request, key: str, data: ShiftIn):
    actor = api_actor(request, MANAGE)
    values = selectors.resolve_person_ids(data.dict())
    shift = services.on_call_shift_add(release=release_get(key), actor=actor, **values)
    return Status(201, presenters.shift_dict(shift))


@router.patch("/on-call-shifts/{shift_id}", response=ShiftOut)
def on_call_shift_update(request, shift_id: int, data: ShiftPatch):
    actor = api_actor(request, MANAGE)
    revision, changes = _patch(request, data)
    shift = get_object_or_404(OnCallShift.objects.select_related("release"), pk=shift_id)
    shift = services.on_call_shift_update(shift=shift, revision=revision, changes=changes,
                                          actor=actor)
    return presenters.shift_dict(shift)


@router.delete("/on-call-shifts/{shift_id}", response={204: None})
def on_call_shift_remove(request, shift_id: int):
    actor = api_actor(request, MANAGE)
    services.on_call_shift_remove(shift=get_object_or_404(OnCallShift, pk=shift_id),
                                  actor=actor)
    return Status(204, None)
