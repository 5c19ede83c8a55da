"""Pages for risks, dependencies, contingency plans, readiness, the go/no-go and freeze windows."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tminus.accounts.permissions import can
from tminus.accounts.roles import ADMINISTER, CONTRIBUTE, MANAGE, VIEW
from tminus.core.actors import Actor
from tminus.core.errors import ServiceError
from tminus.core.row_pages import RowPages, changes_from, form_page, remove_action, without_revision
from tminus.core.web import add_service_errors, role_required
from tminus.people.selectors import person_for_user
from tminus.readiness import forms, selectors, services
from tminus.readiness.heatmap import heat_map_svg
from tminus.readiness.models import Contingency, Criterion, Dependency, FreezeWindow, Risk
from tminus.readiness.when import when_text
from tminus.releases.lookups import release_or_404


def _url(name: str, release) -> str:
    return reverse(name, args=[release.key])


# Risks -----------------------------------------------------------------------------------------
def _risk_values(data: dict) -> dict:
    values = without_revision(data)
    values["review_date"], values["review_offset"] = values.pop("review")
    return values


@role_required(VIEW)
def risk_list(request, key):
    release = release_or_404(key)
    risks = list(selectors.risks(release))
    return render(request, "readiness/risks.html",
                  {"release": release, "risks": risks, "heat_map": heat_map_svg(risks)})


RISKS = RowPages(
    model=Risk, row="risk", noun="a risk", form=forms.RiskForm, capability=CONTRIBUTE,
    back="readiness-risks", add=services.risk_add, update=services.risk_update,
    remove=services.risk_remove, values=_risk_values, related=("release",),
    fields=("description", "probability", "impact", "status", "owner", "mitigation"),
    initial=lambda risk: {"review": when_text(risk.review_date, risk.review_offset)},
    edit_title=lambda risk: "Edit risk")


# Dependencies ----------------------------------------------------------------------------------
def _dependency_values(data: dict) -> dict:
    values = without_revision(data)
    values["needed_by"], values["needed_by_offset"] = values.pop("needed")
    return values


@role_required(VIEW)
def dependency_list(request, key):
    release = release_or_404(key)
    now = selectors.today()
    rows = [(d, selectors.dependency_state(d, now)) for d in selectors.dependencies(release)]
    return render(request, "readiness/dependencies.html", {"release": release, "rows": rows})


DEPENDENCIES = RowPages(
    model=Dependency, row="dependency", noun="a dependency", form=forms.DependencyForm,
    capability=CONTRIBUTE, back="readiness-dependencies", add=services.dependency_add,
    update=services.dependency_update, remove=services.dependency_remove,
    values=_dependency_values, related=("release", "required_release"),
    fields=("name", "kind", "status", "owner", "description"),
    initial=lambda dependency: {
        "needed": when_text(dependency.needed_by, dependency.needed_by_offset),
        "required_release": getattr(dependency.required_release, "key", None)},
    edit_title=lambda dependency: f"Edit {dependency.name}")


# Contingency plans -----------------------------------------------------------------------------
@role_required(VIEW)
def contingency_list(request, key):
    release = release_or_404(key)
    return render(request, "readiness/contingencies.html",
                  {"release": release, "plans": selectors.contingencies(release)})


CONTINGENCIES = RowPages(
    model=Contingency, row="plan", noun="a contingency plan", form=forms.ContingencyForm,
    capability=CONTRIBUTE, back="readiness-contingencies", add=services.contingency_add,
    update=services.contingency_update, remove=services.contingency_remove,
    fields=("label", "name", "trigger", "steps", "owner"))


# Readiness and the go/no-go --------------------------------------------------------------------
def _readiness_page(request, release, status: int = 200, **bound_forms):
    person = person_for_user(request.user)
    context = {
        "release": release,
        "gate": selectors.gate_status(release),
        "votes": list(selectors.current_votes(release)),
        "decisions": list(selectors.decisions(release)[:20]),
        "vote_form": forms.VoteForm(initial={"approver": person}),
        "my_approval": person if services.is_approver_of(person, release) else None,
        "decision_form": forms.DecisionForm(),
        "override_form": forms.OverrideForm(),
        **bound_forms,
    }
    return render(request, "readiness/readiness.html", context, status=status)


@role_required(VIEW)
def readiness_page(request, key):
    return _readiness_page(request, release_or_404(key))


def _post_to_service(request, release, form, form_name: str, call, done: str):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
            return _readiness_page(request, release, status=error.status, **{form_name: form})
        messages.success(request, done)
        return redirect("readiness-page", key=release.key)
    return _readiness_page(request, release, status=422, **{form_name: form})


@require_POST
@role_required(VIEW)
def vote(request, key):
    """Contributors record votes; an approver of the release casts their own whatever their role."""
    release = release_or_404(key)
    if not (can(request.user, CONTRIBUTE) or services.is_approver_of(
            person_for_user(request.user), release)):
        return HttpResponseForbidden("Only the release's approvers and contributors vote.")
    return _post_to_service(request, release, forms.VoteForm(request.POST), "vote_form",
                            lambda data: services.vote_record(release=release,
                                                              actor=Actor.web(request), **data),
                            "Vote recorded.")


@require_POST
@role_required(MANAGE)
def decide(request, key):
    release = release_or_404(key)
    return _post_to_service(request, release, forms.DecisionForm(request.POST), "decision_form",
                            lambda data: services.go_decision_record(
                                release=release, actor=Actor.web(request), **data),
                            "Decision recorded.")


@require_POST
@role_required(ADMINISTER)
def override(request, key):
    release = release_or_404(key)
    return _post_to_service(request, release, forms.OverrideForm(request.POST), "override_form",
                            lambda data: services.gate_override(
                                release=release, actor=Actor.web(request), **data),
                            "Override recorded: the release may deploy without a Go.")


CRITERIA = RowPages(
    model=Criterion, row="criterion", noun="a readiness criterion", form=forms.CriterionForm,
    edit_form=forms.CriterionEditForm, capability=MANAGE, back="readiness-page",
    add=services.criterion_add, update=services.criterion_update,
    remove=services.criterion_remove, fields=("label", "params", "order"),
    edit_title=lambda criterion: f"Edit criterion: {criterion.label}",
    intro=lambda criterion: f"Kind: {criterion.kind}")


# Freeze windows --------------------------------------------------------------------------------
@role_required(VIEW)
def freeze_list(request):
    return render(request, "readiness/freeze_windows.html",
                  {"windows": selectors.freeze_windows(), "time_zone": settings.TIME_ZONE})


@role_required(MANAGE)
def freeze_add(request):
    form = forms.FreezeWindowForm(request.POST or None)
    return form_page(request, form, title="Add a freeze window",
                     back=reverse("readiness-freeze-list"),
                     save=lambda data: services.freeze_window_add(actor=Actor.web(request),
                                                                  **without_revision(data)))


@role_required(MANAGE)
def freeze_edit(request, window_id):
    window = get_object_or_404(FreezeWindow, pk=window_id)
    form = forms.FreezeWindowForm(request.POST or None, initial={
        "revision": window.revision, "product": getattr(window.product, "key", None),
        **{name: getattr(window, name) for name in
           ("name", "starts_at", "ends_at", "rrule", "reason")}})

    def save(data):
        revision, changes = changes_from(data)
        services.freeze_window_update(window=window, revision=revision, changes=changes,
                                      actor=Actor.web(request))

    return form_page(request, form, title=f"Edit {window.name}",
                     back=reverse("readiness-freeze-list"), save=save)


@require_POST
@role_required(MANAGE)
def freeze_remove(request, window_id):
    window = get_object_or_404(FreezeWindow, pk=window_id)
    return remove_action(request, lambda: services.freeze_window_remove(
        window=window, actor=Actor.web(request)), back=reverse("readiness-freeze-list"))
