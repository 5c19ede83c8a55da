"""Pages for people, a release's stakeholders and its hypercare support model."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.actors import Actor
from tminus.core.row_pages import RowPages, changes_from, form_page
from tminus.core.web import role_required
from tminus.people import forms, selectors, services
from tminus.people.models import EscalationStep, OnCallShift, Person, Stakeholder, SupportTier
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
@role_required(VIEW)
def stakeholder_list(request, key):
    release = release_or_404(key)
    return render(request, "people/stakeholders.html",
                  {"release": release, "stakeholders": selectors.stakeholders(release)})


STAKEHOLDERS = RowPages(
    model=Stakeholder, row="stakeholder", noun="a stakeholder", form=forms.StakeholderForm,
    capability=MANAGE, back="people-stakeholders", add=services.stakeholder_add,
    update=services.stakeholder_update, remove=services.stakeholder_remove,
    fields=("person", "role", "accountability", "responsible_for", "is_approver"))


# Support model ---------------------------------------------------------------------------------
@role_required(VIEW)
def support_page(request, key):
    release = release_or_404(key)
    return render(request, "people/support.html",
                  {"release": release, **selectors.support_model(release)})


TIERS = RowPages(
    model=SupportTier, row="tier", noun="a support tier", form=forms.SupportTierForm,
    capability=MANAGE, back="people-support", add=services.support_tier_add,
    update=services.support_tier_update, remove=services.support_tier_remove,
    fields=("level", "name", "response_minutes", "resolution_minutes", "resolution_note",
            "handles", "contact"),
    add_initial=lambda release: {"level": release.support_tiers.count() + 1})

ESCALATION_STEPS = RowPages(
    model=EscalationStep, row="step", noun="an escalation step", form=forms.EscalationStepForm,
    edit_form=forms.EscalationStepEditForm, capability=MANAGE, back="people-support",
    add=services.escalation_step_add, update=services.escalation_step_update,
    remove=services.escalation_step_remove,
    fields=("order", "from_party", "to_party", "condition", "contact"),
    edit_title=lambda step: f"Edit escalation step {step.order}")

ON_CALL_SHIFTS = RowPages(
    model=OnCallShift, row="shift", noun="a week to the on-call rota",
    form=forms.OnCallShiftForm, capability=MANAGE, back="people-support",
    add=services.on_call_shift_add, update=services.on_call_shift_update,
    remove=services.on_call_shift_remove, fields=("week", "primary", "secondary"),
    related=("release",),
    add_initial=lambda release: {"week": release.on_call_shifts.count() + 1},
    edit_title=lambda shift: f"Edit on-call week {shift.week}")
