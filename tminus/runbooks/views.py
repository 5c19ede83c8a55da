"""Pages of deployment day: the runbook, a run as it happens, the rollback plan.

Thin: parse, call a service, redirect or render. Refusals are shown as messages or form errors.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tminus.accounts.permissions import can
from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, ServiceError
from tminus.core.web import add_service_errors, flash_service_error, role_required
from tminus.people.models import Person
from tminus.releases.choices import ReleaseStatus
from tminus.releases.lookups import release_or_404
from tminus.releases.workflow import allowed_targets
from tminus.runbooks import forms, selectors, services
from tminus.runbooks.models import (
    RollbackStep,
    RollbackTeamMember,
    RunbookPhase,
    RunbookStep,
    StepRun,
)


def _row(model, **lookup):
    row = model.objects.filter(**lookup).first()
    if row is None:
        raise Http404("Not found.")
    return row


def _form_errors(form) -> str:
    return "; ".join(" ".join(errors) if field == "__all__" else
                     f"{form[field].label}: {' '.join(errors)}"
                     for field, errors in form.errors.items())


def _call(request, service, success: str = "", **kwargs) -> bool:
    """Run a service for the page; a refusal becomes a message. True when it went through."""
    try:
        service(actor=Actor.web(request), **kwargs)
    except ServiceError as error:
        flash_service_error(request, error)
        return False
    if success:
        messages.success(request, success)
    return True


def _to_runbook(release, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("runbooks-runbook", args=[release.key]) + anchor)


# The runbook -------------------------------------------------------------------------------

@role_required(VIEW)
def runbook_page(request, key):
    release = release_or_404(key)
    runbook = selectors.runbook_for(release)
    phases = list(runbook.phases.all()) if runbook else []
    runs = list(selectors.runs_for(release))
    may_contribute = can(request.user, CONTRIBUTE)
    owners = forms.owner_choices() if may_contribute else []
    running = next((run for run in runs if run.status == "running"), None)
    context = {
        "release": release, "runbook": runbook, "phases": phases, "runs": runs,
        "running": running, "step_form": forms.StepAddForm(owners=owners, phases=phases),
        "phase_form": forms.PhaseForm(owners=owners),
        "start_form": forms.DeploymentStartForm(),
        "finish_form": forms.DeploymentFinishForm(
            initial={"environment": running.environment if running else ""}),
        "fail_form": forms.DeploymentFailForm(),
        "may_start": release.status == ReleaseStatus.DEPLOYING
        or ReleaseStatus.DEPLOYING in allowed_targets(release.status),
    }
    return render(request, "runbooks/runbook.html", context)


@require_POST
@role_required(CONTRIBUTE)
def runbook_create(request, key):
    release = release_or_404(key)
    _call(request, services.runbook_ensure, "Runbook laid out from the defaults.",
          release=release)
    return _to_runbook(release)


@require_POST
@role_required(CONTRIBUTE)
def phase_add(request, key):
    release = release_or_404(key)
    form = forms.PhaseForm(request.POST, owners=forms.owner_choices())
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_runbook(release)
    try:
        runbook = services.runbook_ensure(release=release, actor=Actor.web(request))
        phase = services.runbook_phase_add(runbook=runbook, actor=Actor.web(request),
                                           **form.values())
    except ServiceError as error:
        flash_service_error(request, error)
        return _to_runbook(release)
    return _to_runbook(release, f"#phase-{phase.pk}")


def _edit_page(request, row, form_class, service, row_argument: str, **form_kwargs):
    """GET shows the edit form; POST saves it through the service (conflicts shown on it)."""
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            revision = form.cleaned_data.get("revision")
            try:
                service(revision=revision, changes=form.values(), actor=Actor.web(request),
                        **{row_argument: row})
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                return None
        return form
    return form_class(initial=_initial(row), **form_kwargs)


def _initial(row) -> dict:
    initial = {name: getattr(row, name) for name in
               ("revision", "name", "stage", "description", "expected_minutes_min",
                "expected_minutes_max", "title", "group", "command", "expected_minutes", "notes")
               if hasattr(row, name)}
    initial["owner"] = forms.owner_initial(row)
    return initial


@role_required(CONTRIBUTE)
def phase_edit(request, key, phase_id):
    release = release_or_404(key)
    phase = _row(RunbookPhase, pk=phase_id, runbook__release=release)
    form = _edit_page(request, phase, forms.PhaseForm, services.runbook_phase_update,
                      "phase", owners=forms.owner_choices())
    if form is None:
        return _to_runbook(release, f"#phase-{phase.pk}")
    return render(request, "runbooks/edit.html",
                  {"release": release, "form": form, "what": f"phase {phase.name}",
                   "back": reverse("runbooks-runbook", args=[release.key])},
                  status=422 if form.errors else 200)


@role_required(CONTRIBUTE)
def step_edit(request, key, step_id):
    release = release_or_404(key)
    step = _row(RunbookStep, pk=step_id, phase__runbook__release=release)
    form = _edit_page(request, step, forms.StepForm, services.runbook_step_update,
                      "step", owners=forms.owner_choices())
    if form is None:
        return _to_runbook(release, f"#step-{step.pk}")
    return render(request, "runbooks/edit.html",
                  {"release": release, "form": form, "what": f"step {step.title}",
                   "back": reverse("runbooks-runbook", args=[release.key])},
                  status=422 if form.errors else 200)


@require_POST
@role_required(CONTRIBUTE)
def step_add(request, key):
    release = release_or_404(key)
    runbook = selectors.runbook_for(release)
    phases = list(runbook.phases.all()) if runbook else []
    form = forms.StepAddForm(request.POST, owners=forms.owner_choices(), phases=phases)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_runbook(release)
    values = form.values()
    phase_id = values.pop("phase")
    phase = next(p for p in phases if p.pk == phase_id)
    try:
        step = services.runbook_step_add(phase=phase, actor=Actor.web(request), **values)
    except ServiceError as error:
        flash_service_error(request, error)
        return _to_runbook(release)
    return _to_runbook(release, f"#step-{step.pk}")


def _position(request) -> int | None:
    form = forms.MoveForm(request.POST)
    return form.cleaned_data["position"] if form.is_valid() else None


@require_POST
@role_required(CONTRIBUTE)
def phase_move(request, key, phase_id):
    release = release_or_404(key)
    phase = _row(RunbookPhase, pk=phase_id, runbook__release=release)
    position = _position(request)
    if position is not None:
        _call(request, services.runbook_phase_move, phase=phase, position=position)
    return _to_runbook(release, f"#phase-{phase.pk}")


@require_POST
@role_required(CONTRIBUTE)
def phase_remove(request, key, phase_id):
    release = release_or_404(key)
    phase = _row(RunbookPhase, pk=phase_id, runbook__release=release)
    _call(request, services.runbook_phase_remove, f"Phase {phase.name} removed.", phase=phase)
    return _to_runbook(release)


@require_POST
@role_required(CONTRIBUTE)
def step_move(request, key, step_id):
    release = release_or_404(key)
    step = _row(RunbookStep, pk=step_id, phase__runbook__release=release)
    position = _position(request)
    if position is not None:
        _call(request, services.runbook_step_move, step=step, position=position)
    return _to_runbook(release, f"#step-{step.pk}")


@require_POST
@role_required(CONTRIBUTE)
def step_remove(request, key, step_id):
    release = release_or_404(key)
    step = _row(RunbookStep, pk=step_id, phase__runbook__release=release)
    _call(request, services.runbook_step_remove, f"Step {step.title} removed.", step=step)
    return _to_runbook(release, f"#phase-{step.phase_id}")


# Deployments ---------------------------------------------------------------------------------

def _to_run(release, number: int, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("runbooks-run", args=[release.key, number]) + anchor)


@require_POST
@role_required(MANAGE)
def deployment_start(request, key):
    release = release_or_404(key)
    form = forms.DeploymentStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_runbook(release)
    try:
        run = services.deployment_start(release=release, actor=Actor.web(request),
                                        **form.cleaned_data)
    except ServiceError as error:
        flash_service_error(request, error)
        return _to_runbook(release)
    messages.success(request, f"Deployment run #{run.number} started.")
    return _to_run(release, run.number)


@require_POST
@role_required(MANAGE)
def deployment_finish(request, key):
    release = release_or_404(key)
    form = forms.DeploymentFinishForm(request.POST)
    if form.is_valid() and _call(request, services.deployment_finish,
                                 f"Deployment finished: {release.key} is live.",
                                 release=release, **form.cleaned_data):
        return _to_run(release, selectors.current_run(release).number)
    return _to_runbook(release)


@require_POST
@role_required(MANAGE)
def deployment_fail(request, key):
    release = release_or_404(key)
    form = forms.DeploymentFailForm(request.POST)
    if form.is_valid() and _call(request, services.deployment_fail,
                                 "Deployment recorded as failed. Start a new run to retry, or "
                                 "roll back.", release=release, **form.cleaned_data):
        return _to_run(release, selectors.current_run(release).number)
    return _to_runbook(release)


@role_required(VIEW)
def run_page(request, key, number):
    release = release_or_404(key)
    try:
        run = selectors.run_get(release, number)
    except NotFound as error:
        raise Http404(error.message) from None
    view = selectors.run_view(run)
    return render(request, "runbooks/run.html", {
        "release": release, "view": view, "run": run,
        "poll_url": f"/api/v1/releases/{release.key}/runs/{run.number}",
        "poll_seconds": settings.RUN_POLL_SECONDS,
        "finish_form": forms.DeploymentFinishForm(initial={"environment": run.environment}),
        "fail_form": forms.DeploymentFailForm(),
    })


STEP_ACTIONS = {
    "start": services.step_start,
    "finish": services.step_finish,
    "skip": services.step_skip,
    "note": services.step_note_add,
}


@require_POST
@role_required(CONTRIBUTE)
def step_action(request, key, number, step_id, action):
    release = release_or_404(key)
    step = _row(StepRun, pk=step_id, run__release=release, run__number=number)
    service = STEP_ACTIONS.get(action)
    form = forms.StepActionForm(request.POST)
    if service is None or not form.is_valid():
        raise Http404("Unknown step action.")
    values = {"notes": form.cleaned_data["notes"]}
    if action == "finish":
        values["outcome"] = form.cleaned_data["outcome"] or "succeeded"
    _call(request, service, step=step, **values)
    return _to_run(release, number, f"#step-{step.pk}")


# The rollback plan ---------------------------------------------------------------------------

def _to_rollback(release, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("runbooks-rollback", args=[release.key]) + anchor)


@role_required(VIEW)
def rollback_page(request, key):
    release = release_or_404(key)
    plan = selectors.rollback_plan_for(release)
    may_contribute = can(request.user, CONTRIBUTE)
    context = {
        "release": release, "plan": plan,
        "rollbacks": list(selectors.rollbacks_for(release)),
        "may_roll_back": ReleaseStatus.ROLLED_BACK in allowed_targets(release.status),
    }
    if plan is not None:
        owners = forms.owner_choices() if may_contribute else []
        people = list(Person.objects.order_by("name")) if may_contribute else []
        context.update({
            "plan_form": forms.RollbackPlanForm(initial={
                "revision": plan.revision, "estimated_minutes": plan.estimated_minutes,
                "immediate_criteria": "\n".join(plan.immediate_criteria),
                "consider_criteria": "\n".join(plan.consider_criteria),
                "communication": "\n".join(plan.communication)}),
            "step_form": forms.RollbackStepForm(owners=owners),
            "team_form": forms.TeamMemberForm(people=people),
            "execute_form": forms.RollbackExecuteForm(plan=plan),
        })
    return render(request, "runbooks/rollback.html", context)


@require_POST
@role_required(CONTRIBUTE)
def rollback_plan_create(request, key):
    release = release_or_404(key)
    _call(request, services.rollback_plan_ensure, "Rollback plan laid out from the defaults.",
          release=release)
    return _to_rollback(release)


def _plan(release):
    plan = selectors.rollback_plan_for(release)
    if plan is None:
        raise Http404("This release has no rollback plan yet.")
    return plan


@require_POST
@role_required(CONTRIBUTE)
def rollback_plan_edit(request, key):
    release = release_or_404(key)
    plan = _plan(release)
    form = forms.RollbackPlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        _call(request, services.rollback_plan_update, "Rollback plan saved.", plan=plan,
              revision=form.cleaned_data["revision"], changes=form.changes())
    return _to_rollback(release)


@require_POST
@role_required(CONTRIBUTE)
def rollback_step_add(request, key):
    release = release_or_404(key)
    plan = _plan(release)
    form = forms.RollbackStepForm(request.POST, owners=forms.owner_choices())
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        _call(request, services.rollback_step_add, plan=plan, **form.values())
    return _to_rollback(release, "#procedure")


@role_required(CONTRIBUTE)
def rollback_step_edit(request, key, step_id):
    release = release_or_404(key)
    step = _row(RollbackStep, pk=step_id, plan__release=release)
    form = _edit_page(request, step, forms.RollbackStepForm,
                      services.rollback_step_update, "step", owners=forms.owner_choices())
    if form is None:
        return _to_rollback(release, "#procedure")
    return render(request, "runbooks/edit.html",
                  {"release": release, "form": form, "what": f"rollback step {step.title}",
                   "back": reverse("runbooks-rollback", args=[release.key])},
                  status=422 if form.errors else 200)


@require_POST
@role_required(CONTRIBUTE)
def rollback_step_move(request, key, step_id):
    release = release_or_404(key)
    step = _row(RollbackStep, pk=step_id, plan__release=release)
    position = _position(request)
    if position is not None:
        _call(request, services.rollback_step_move, step=step, position=position)
    return _to_rollback(release, "#procedure")


@require_POST
@role_required(CONTRIBUTE)
def rollback_step_remove(request, key, step_id):
    release = release_or_404(key)
    step = _row(RollbackStep, pk=step_id, plan__release=release)
    _call(request, services.rollback_step_remove, f"Step {step.title} removed.", step=step)
    return _to_rollback(release, "#procedure")


@require_POST
@role_required(CONTRIBUTE)
def rollback_team_add(request, key):
    release = release_or_404(key)
    plan = _plan(release)
    form = forms.TeamMemberForm(request.POST, people=Person.objects.order_by("name"))
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        person = Person.objects.get(pk=form.cleaned_data["person"])
        _call(request, services.rollback_team_member_add, plan=plan, person=person,
              role=form.cleaned_data["role"])
    return _to_rollback(release, "#team")


@require_POST
@role_required(CONTRIBUTE)
def rollback_team_remove(request, key, member_id):
    release = release_or_404(key)
    member = _row(RollbackTeamMember, pk=member_id, plan__release=release)
    _call(request, services.rollback_team_member_remove, member=member)
    return _to_rollback(release, "#team")


@require_POST
@role_required(MANAGE)
def rollback_execute(request, key):
    release = release_or_404(key)
    plan = _plan(release)
    form = forms.RollbackExecuteForm(request.POST, plan=plan)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_rollback(release, "#execute")
    if _call(request, services.rollback_execute, f"{release.key} was rolled back.",
             release=release, **form.cleaned_data):
        return redirect("release-detail", key=release.key)
    return _to_rollback(release, "#execute")
