"""Pages for rollout plans. Thin: parse, call a service, render."""

import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, ServiceError, ValidationFailed
from tminus.core.web import add_service_errors, flash_service_error, role_required
from tminus.rollouts import charts, checks, forms, selectors, services
from tminus.rollouts.choices import RolloutStatus
from tminus.rollouts.comparing import direction_of, sample_name
from tminus.rollouts.report import plan_markdown
from tminus.rollouts.statistics import LOWER_IS_BETTER

CONTROLS = {
    "start": services.rollout_start,
    "pause": services.rollout_pause,
    "resume": services.rollout_resume,
    "advance": services.rollout_advance,
    "rollback": services.rollout_rollback,
}


def _refused(form, error: ServiceError) -> None:
    """A refusal on the form; a problem deep in the definition keeps its path (stages.2...)."""
    if not isinstance(error, ValidationFailed):
        add_service_errors(form, error)
        return
    for field, field_messages in error.errors.items():
        for message in field_messages:
            if field in form.fields:
                form.add_error(field, message)
            else:
                form.add_error(None, f"{field}: {message}")


def _plan_or_404(key: str):
    try:
        return selectors.plan_get(key)
    except NotFound as error:
        raise Http404(error.message) from None


@role_required(VIEW)
def rollout_list(request):
    status = request.GET.get("status", "")
    plans = selectors.plans(status=status).order_by("-created_at")[:200]
    rows = [(plan, selectors.current_stage(plan)) for plan in plans]
    return render(request, "rollouts/list.html", {
        "rows": rows, "status": status, "statuses": RolloutStatus.choices})


@role_required(MANAGE)
def rollout_create(request):
    initial = {"release": request.GET.get("release"), "flag": request.GET.get("flag")}
    form = forms.PlanCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.rollout_plan_create(
                release=data["release"], flag=data["flag"], environment=data["environment"],
                template=data["template"], template_options=form.template_options(),
                actor=Actor.web(request))
        except ServiceError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Rollout plan {plan.key} created as a draft.")
            return redirect("rollouts-detail", key=plan.key)
    status = 422 if request.method == "POST" else 200
    return render(request, "rollouts/create.html", {"form": form}, status=status)


def _page_context(plan) -> dict:
    view = selectors.plan_view(plan)
    return {"plan": plan, "view": view, "checks": _check_rows(view),
            "sample_ratio": selectors.sample_ratio_now(view),
            "stages": _stage_rows(view), "poll_seconds": settings.ROLLOUT_PAGE_POLL_SECONDS}


def _stage_rows(view) -> list[dict]:
    from tminus.rollouts.presenters import segment_names, stage_dict

    names = segment_names(view.stages)
    return [stage_dict(view, index, stage, names) for index, stage in enumerate(view.stages)]


def _check_rows(view) -> list[dict]:
    rows = []
    for item in [*view.criteria, *view.triggers]:
        check = item.check
        unit = checks.measure_of(check).unit
        sample = ""
        if getattr(check, "compare", False):
            sample = sample_name(checks.measure_of(check))
            margin = check.threshold if direction_of(check) == LOWER_IS_BETTER \
                else -check.threshold
            unit = " pts" if unit else ""
            chart = charts.comparison_chart_svg(item.history, margin=margin, unit=unit,
                                                label=checks.label(check))
        else:
            chart = charts.check_chart_svg(item.history, threshold=check.threshold,
                                           label=checks.label(check), unit=unit,
                                           bad_when_met=item.kind == "trigger")
        rows.append({"item": item, "label": checks.label(check), "unit": unit, "chart": chart,
                     "sample_name": sample})
    return rows


@role_required(VIEW)
def rollout_detail(request, key):
    plan = _plan_or_404(key)
    context = _page_context(plan)
    context["definition_json"] = json.dumps(services.plan_definition(plan), indent=2)
    context["definition_form"] = forms.DefinitionForm(initial={
        "revision": plan.revision, "definition": context["definition_json"]})
    return render(request, "rollouts/detail.html", context)


@role_required(VIEW)
def rollout_live(request, key):
    """The parts of the live page that change, rendered on the server, for the page's poll."""
    plan = _plan_or_404(key)
    context = _page_context(plan)
    parts = {name: render_to_string(f"rollouts/part_{name}.html", context, request=request)
             for name in ("state", "checks", "stages", "timeline")}
    return JsonResponse({"status": plan.status, "step": plan.step, "parts": parts})


@require_POST
@role_required(CONTRIBUTE)
def rollout_control(request, key, action):
    plan = _plan_or_404(key)
    control = CONTROLS.get(action)
    if control is None:
        raise Http404(f"No control {action!r}.")
    form = forms.ControlForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why: the reason is kept with the change.")
        return redirect("rollouts-detail", key=plan.key)
    try:
        control(plan=plan, actor=Actor.web(request), reason=form.cleaned_data["reason"],
                step=form.cleaned_data.get("step"))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, f"{action.capitalize()}: done.")
    return redirect("rollouts-detail", key=plan.key)


@require_POST
@role_required(MANAGE)
def rollout_edit(request, key):
    plan = _plan_or_404(key)
    form = forms.DefinitionForm(request.POST)
    if form.is_valid():
        try:
            services.rollout_plan_update(plan=plan, definition_data=form.cleaned_data[
                "definition"], revision=form.cleaned_data["revision"], actor=Actor.web(request))
        except ServiceError as error:
            _refused(form, error)
        else:
            messages.success(request, "Plan saved.")
            return redirect("rollouts-detail", key=plan.key)
    context = _page_context(plan)
    context.update(definition_form=form, definition_json=request.POST.get("definition", ""))
    return render(request, "rollouts/detail.html", context, status=422)


@role_required(VIEW)
def rollout_report(request, key):
    plan = _plan_or_404(key)
    text = "\n".join(plan_markdown(selectors.plan_view(plan, timeline_limit=0), "#")) + "\n"
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{plan.key}.md"'
    return response
