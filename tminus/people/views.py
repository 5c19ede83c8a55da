"""Pages for people, a release's stakeholders and its hypercare support model."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.actors import Actor
from tminus.core.web import role_required
from tminus.people import forms, selectors, services
from tminus.people.models import EscalationStep, OnCallShift, Person, Stakeholder, SupportTier
from tminus.people.pages import (
    changes_from,
    form_page,
    remove_action,
    row_or_404,
)
from tminus.releases.lookups import release_or_404


def _initial(obj, fields: list[str]) -> dict:
    return {"revision": obj.revision, **{name: getattr(obj, name) for name in fields}}


# People ----------------------------------------------------------------------------------------
@role_required(VIEW)
def people_list(request):
    return render(request, "people/people.html", {"people": selectors.people()})


@role_required(MANAGE)
def person_create(request):
    form = forms.PersonForm(request.POST or None)
    return form_page(request, form, title="Add a person", back=reverse("people-list"),
                     save=lambda data: services.person_create(
                         actor=Actor.web(request),
                         **{k: v or "" for k, v in data.items() if k not in ("revision", "user")},
                         user=data["user"]),
                     done="Person added.")


@role_required(MANAGE)
def person_edit(request, person_id):
    person = get_object_or_404(Person, pk=person_id)
    initial = _initial(person, ["name", "title", "email", "phone", "organisation"])
    initial["user"] = person.user.username if person.user else None
    form = forms.PersonForm(request.POST or None, initial=initial)

    def save(data):
        revision, changes = changes_from(data)
        services.person_update(person=person, revision=revision, changes=changes,
                               actor=Actor.web(request))

    return form_page(request, form, title=f"Edit {person.name}", back=reverse("people-list"),
                     save=save)


# Stakeholders ----------------------------------------------------------------------------------
def _stakeholders_url(release) -> str:
    return reverse("people-stakeholders", args=[release.key])


@role_required(VIEW)
def stakeholder_list(request, key):
    release = release_or_404(key)
    return render(request, "people/stakeholders.html",
                  {"release": release, "stakeholders": selectors.stakeholders(release)})


@role_required(MANAGE)
def stakeholder_add(request, key):
    release = release_or_404(key)
    form = forms.StakeholderForm(request.POST or None)
    return form_page(request, form, title="Add a stakeholder", release=release,
                     back=_stakeholders_url(release),
                     save=lambda data: services.stakeholder_add(
                         release=release, actor=Actor.web(request),
                         **{k: v for k, v in data.items() if k != "revision"}))


@role_required(MANAGE)
def stakeholder_edit(request, key, stakeholder_id):
    release = release_or_404(key)
    stakeholder = row_or_404(Stakeholder, release, stakeholder_id)
    form = forms.StakeholderForm(request.POST or None, initial=_initial(
        stakeholder, ["person", "role", "accountability", "responsible_for", "is_approver"]))

    def save(data):
        revision, changes = changes_from(data)
        services.stakeholder_update(stakeholder=stakeholder, revision=revision, changes=changes,
                                    actor=Actor.web(request))

    return form_page(request, form, title=f"Edit {stakeholder}", release=release,
                     back=_stakeholders_url(release), save=save)


@require_POST
@role_required(MANAGE)
def stakeholder_remove(request, key, stakeholder_id):
    release = release_or_404(key)
    stakeholder = row_or_404(Stakeholder, release, stakeholder_id)
    return remove_action(request, lambda: services.stakeholder_remove(
        stakeholder=stakeholder, actor=Actor.web(request)), back=_stakeholders_url(release))


# Support model ---------------------------------------------------------------------------------
def _support_url(release) -> str:
    return reverse("people-support", args=[release.key])


@role_required(VIEW)
def support_page(request, key):
    release = release_or_404(key)
    return render(request, "people/support.html",
                  {"release": release, **selectors.support_model(release)})


@role_required(MANAGE)
def tier_add(request, key):
    release = release_or_404(key)
    form = forms.SupportTierForm(request.POST or None,
                                 initial={"level": release.support_tiers.count() + 1})
    return form_page(request, form, title="Add a support tier", release=release,
                     back=_support_url(release),
                     save=lambda data: services.support_tier_add(
                         release=release, actor=Actor.web(request),
                         **{k: v for k, v in data.items() if k != "revision"}))


@role_required(MANAGE)
def tier_edit(request, key, tier_id):
    release = release_or_404(key)
    tier = row_or_404(SupportTier, release, tier_id)
    form = forms.SupportTierForm(request.POST or None, initial=_initial(
        tier, ["level", "name", "response_minutes", "resolution_minutes", "resolution_note",
               "handles", "contact"]))

    def save(data):
        revision, changes = changes_from(data)
        services.support_tier_update(tier=tier, revision=revision, changes=changes,
                                     actor=Actor.web(request))

    return form_page(request, form, title=f"Edit {tier}", release=release,
                     back=_support_url(release), save=save)


@require_POST
@role_required(MANAGE)
def tier_remove(request, key, tier_id):
    release = release_or_404(key)
    tier = row_or_404(SupportTier, release, tier_id)
    return remove_action(request, lambda: services.support_tier_remove(
        tier=tier, actor=Actor.web(request)), back=_support_url(release))


@role_required(MANAGE)
def step_add(request, key):
    release = release_or_404(key)
    form = forms.EscalationStepForm(request.POST or None)
    return form_page(request, form, title="Add an escalation step", release=release,
                     back=_support_url(release),
                     save=lambda data: services.escalation_step_add(
                         release=release, actor=Actor.web(request),
                         **{k: v for k, v in data.items() if k != "revision"}))


@role_required(MANAGE)
def step_edit(request, key, step_id):
    release = release_or_404(key)
    step = row_or_404(EscalationStep, release, step_id)
    form = forms.EscalationStepEditForm(request.POST or None, initial=_initial(
        step, ["order", "from_party", "to_party", "condition", "contact"]))

    def save(data):
        revision, changes = changes_from(data)
        services.escalation_step_update(step=step, revision=revision, changes=changes,
                                        actor=Actor.web(request))

    return form_page(request, form, title=f"Edit escalation step {step.order}", release=release,
                     back=_support_url(release), save=save)


@require_POST
@role_required(MANAGE)
def step_remove(request, key, step_id):
    release = release_or_404(key)
    step = row_or_404(EscalationStep, release, step_id)
    return remove_action(request, lambda: services.escalation_step_remove(
        step=step, actor=Actor.web(request)), back=_support_url(release))


@role_required(MANAGE)
def shift_add(request, key):
    release = release_or_404(key)
    form = forms.OnCallShiftForm(request.POST or None,
                                 initial={"week": release.on_call_shifts.count() + 1})
    return form_page(request, form, title="Add a week to the on-call rota", release=release,
                     back=_support_url(release),
                     save=lambda data: services.on_call_shift_add(
                         release=release, actor=Actor.web(request),
                         **{k: v for k, v in data.items() if k != "revision"}))


@role_required(MANAGE)
def shift_edit(request, key, shift_id):
    release = release_or_404(key)
    shift = row_or_404(OnCallShift.objects.select_related("release"), release, shift_id)
    form = forms.OnCallShiftForm(request.POST or None,
                                 initial=_initial(shift, ["week", "primary", "secondary"]))

    def save(data):
        revision, changes = changes_from(data)
        services.on_call_shift_update(shift=shift, revision=revision, changes=changes,
                                      actor=Actor.web(request))

    return form_page(request, form, title=f"Edit on-call week {shift.week}", release=release,
                     back=_support_url(release), save=save)


@require_POST
@role_required(MANAGE)
def shift_remove(request, key, shift_id):
    release = release_or_404(key)
    shift = row_or_404(OnCallShift, release, shift_id)
    return remove_action(request, lambda: services.on_call_shift_remove(
        shift=shift, actor=Actor.web(request)), back=_support_url(release))
