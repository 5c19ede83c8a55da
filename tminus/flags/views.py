"""Pages for feature flags. Thin: parse, call a service, render."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tminus.accounts.roles import MANAGE, ROLE_CHOICES, VIEW, VIEWER
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, NotFound, ServiceError, ValidationFailed
from tminus.core.web import (
    add_service_errors,
    flash_service_error,
    forbidden,
    posted_revision,
    role_required,
)
from tminus.flags import (
    change_requests,
    control,
    evaluation,
    forms,
    lifecycle,
    permissions,
    selectors,
    services,
)
from tminus.flags.choices import EXPECTED_LIFETIME_DAYS, STRATEGY_LABELS, ChangeRequestStatus
from tminus.flags.models import ClientToken, Environment, Segment, Strategy


def _or_404(getter, key):
    try:
        return getter(key)
    except NotFound as error:
        raise Http404(error.message) from None


def _say_done(request, submitted, done: str) -> None:
    """Say the change was made, or that it became a change request and what it waits for."""
    change = submitted.change_request if submitted is not None else None
    if change is None:
        messages.success(request, done)
    elif change.status == "open":
        messages.info(request, f"Change request #{change.pk} ({change.summary}) waits for "
                               "approval.")
    else:
        messages.info(request, f"Change #{change.pk} ({change.summary}) is scheduled for "
                               f"{change_requests.local_moment(change):%Y-%m-%d %H:%M %Z}.")


def _flag_url(flag, anchor: str = "") -> str:
    return reverse("flags-flag", args=[flag.key]) + (f"#{anchor}" if anchor else "")


@role_required(VIEW)
def flags_home(request):
    return render(request, "flags/home.html", {
        "projects": selectors.projects(), "form": forms.ProjectForm(),
        "applications": selectors.application_list(limit=20)})


@require_POST
@role_required(MANAGE)
def project_create(request):
    form = forms.ProjectForm(request.POST)
    if form.is_valid():
        try:
            project = services.project_create(actor=Actor.web(request), **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return redirect("flags-project", key=project.key)
    return render(request, "flags/home.html", {
        "projects": selectors.projects(), "form": form,
        "applications": selectors.application_list(limit=20)}, status=422)


def _project_context(request, project, **extra):
    archived = request.GET.get("archived") == "1"
    search = request.GET.get("q", "").strip()
    return {"project": project, "environments": list(project.environments.all()),
            "rows": selectors.flag_rows(project, search=search, archived=archived),
            "archived": archived, "search": search,
            "flag_form": extra.pop("flag_form", forms.FlagCreateForm()),
            "environment_form": extra.pop("environment_form", forms.EnvironmentForm()),
            "role_rule_form": extra.pop("role_rule_form", forms.RoleRuleForm(project=project)),
            "role_table": permissions.effective(project),
            "approver_roles": [(role, label) for role, label in ROLE_CHOICES
                               if role != VIEWER],
            **_may_change(request, project), **extra}


def _may_change(request, project) -> dict:
    """Where the person may change flags, so pages offer only the changes they can make."""
    actor = Actor.web(request)
    return {"changeable": permissions.environments_changeable(request.user, project),
            "may_change_project": permissions.actor_may_change(actor, project)}


@role_required(VIEW)
def project_detail(request, key):
    project = _or_404(selectors.project_get, key)
    return render(request, "flags/project.html", _project_context(request, project))


@require_POST
@role_required(MANAGE)
def environment_create(request, key):
    project = _or_404(selectors.project_get, key)
    form = forms.EnvironmentForm(request.POST)
    if form.is_valid():
        try:
            services.environment_create(project=project, actor=Actor.web(request),
                                        **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return redirect("flags-project", key=project.key)
    return render(request, "flags/project.html",
                  _project_context(request, project, environment_form=form), status=422)


@require_POST
@role_required(MANAGE)
def role_rule_set(request, key):
    project = _or_404(selectors.project_get, key)
    form = forms.RoleRuleForm(request.POST, project=project)
    if form.is_valid():
        data = form.cleaned_data
        try:
            control.role_rule_set(project=project, role=data["role"],
                                  environment=data["environment"],
                                  may_change=forms.RoleRuleForm.CHOICE_VALUES[data["may_change"]],
                                  actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved who may change flags.")
            return redirect(reverse("flags-project", args=[project.key]) + "#roles")
    return render(request, "flags/project.html",
                  _project_context(request, project, role_rule_form=form), status=422)


@require_POST
@role_required(VIEW)  # the service checks the project's and environment's rules
def flag_create(request, key):
    project = _or_404(selectors.project_get, key)
    form = forms.FlagCreateForm(request.POST)
    if form.is_valid():
        try:
            flag = services.flag_create(project=project, actor=Actor.web(request),
                                        **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Flag {flag.key} created, off everywhere.")
            return redirect("flags-flag", key=flag.key)
    return render(request, "flags/project.html",
                  _project_context(request, project, flag_form=form), status=422)


@require_POST
@role_required(VIEW)  # the service checks the project's and environment's rules
def flag_toggle(request, key, environment):
    flag = _or_404(selectors.flag_get, key)
    enabled = request.POST.get("enabled") == "true"
    try:
        submitted = change_requests.submit(
            "flag_environment_toggle", flag=flag, environment=environment, enabled=enabled,
            reason=request.POST.get("reason", ""), revision=posted_revision(request),
            actor=Actor.web(request))
    except NotAllowed as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        _say_done(request, submitted,
                  f"{flag.key} is {'on' if enabled else 'off'} in {environment}.")
    back = request.POST.get("next", "")
    return HttpResponseRedirect(back if back.startswith("/flags/") else _flag_url(flag))


@role_required(VIEW)
def flag_detail(request, key):
    flag = _or_404(selectors.flag_get, key)
    return render(request, "flags/flag.html", _flag_context(request, flag))


def _flag_context(request, flag, **extra) -> dict:
    who = forms.WhoGetsWhatForm(request.GET or None)
    verdicts = None
    if who.is_valid() and request.GET:
        data = who.cleaned_data
        context = evaluation.context_from_form(data, data["properties"])
        verdicts = evaluation.who_gets_what(flag, context, data["hostname"] or None)
    states = selectors.flag_states(flag)
    return {
        "flag": flag, "states": states, "strategy_labels": STRATEGY_LABELS,
        "stale": selectors.potentially_stale(flag),
        "lifetime": EXPECTED_LIFETIME_DAYS.get(flag.flag_type),
        "edit_form": extra.pop("edit_form", forms.FlagEditForm(initial=_edit_initial(flag))),
        "dependency_form": forms.DependencyForm(parents=selectors.parent_choices(flag)),
        "variant_forms": {s.environment.key: forms.VariantsForm(initial={
            "revision": s.state.revision if s.state else None,
            "variants": json.dumps(s.state.variants, indent=1) if s.state and s.state.variants
            else ""}) for s in states},
        "who_form": who, "verdicts": verdicts,
        "usage": selectors.flag_usage(flag),
        "history": selectors.flag_history(flag),
        **_may_change(request, flag.project),
        "schedule_form": forms.ScheduleForm(),
        "lifecycle": lifecycle.lifecycle_rows([flag])[0],
        "pending_changes": change_requests.change_requests(status="pending", flag=flag.key),
        **extra,
    }


def _edit_initial(flag) -> dict:
    return {"revision": flag.revision, "flag_type": flag.flag_type,
            "description": flag.description,
            "owner": flag.owner.username if flag.owner else None,
            "release": flag.release.key if flag.release else None,
            "impression_data": flag.impression_data, "stale": flag.stale,
            "tags": ", ".join(str(tag) for tag in flag.tags.all())}


@require_POST
@role_required(VIEW)  # the service checks the project's and environment's rules
def flag_edit(request, key):
    flag = _or_404(selectors.flag_get, key)
    form = forms.FlagEditForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        revision, tags = data.pop("revision"), data.pop("tags")
        try:
            services.flag_update(flag=flag, changes=data, revision=revision,
                                 actor=Actor.web(request))
            services.flag_tags_set(flag=flag, tags=[t for t in tags.split(",") if t.strip()],
                                   actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Flag saved.")
            return redirect("flags-flag", key=flag.key)
    return render(request, "flags/flag.html", _flag_context(request, flag, edit_form=form),
                  status=422)


@require_POST
@role_required(VIEW)  # the service checks the project's and environment's rules
def flag_archive(request, key):
    flag = _or_404(selectors.flag_get, key)
    revive = request.POST.get("revive") == "1"
    try:
        if revive:
            services.flag_revive(flag=flag, actor=Actor.web(request))
        else:
            services.flag_archive(flag=flag, actor=Actor.web(request),
                                  reason=request.POST.get("reason", ""))
    except NotAllowed as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, f"{flag.key} {'revived' if revive else 'archived'}.")
    return redirect("flags-flag", key=flag.key)


@require_POST
@role_required(VIEW)  # the service checks the project's and environment's rules
def flag_variants(request, key, environment):
    flag = _or_404(selectors.flag_get, key)
    form = forms.VariantsForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(dict(form.errors))
        submitted = change_requests.submit(
            "flag_variants_set", flag=flag, environment=environment,
            variants=form.cleaned_data["variants"], revision=posted_revision(request),
            actor=Actor.web(request))
    except NotAllowed as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        _say_done(request, submitted, f"Variants saved for {environment}.")
    return HttpResponseRedirect(_flag_url(flag, f"env-{environment}"))


@require_POST
@role_required(VIEW)  # the service checks the project's and environment's rules
def flag_dependency(request, key):
    flag = _or_404(selectors.flag_get, key)
    try:
        if request.POST.get("remove"):
            services.flag_dependency_remove(flag=flag, parent_key=request.POST["remove"],
                                            actor=Actor.web(request))
        else:
            form = forms.DependencyForm(request.POST, parents=selectors.parent_choices(flag))
            if not form.is_valid():
                raise ValidationFailed({k: v for k, v in form.errors.items()})
            data = form.cleaned_data
            services.flag_dependency_set(
                flag=flag, parent_key=data["parent"], enabled=data["enabled"],
                variants=[v.strip() for v in data["variants"].split(",") if v.strip()],
                actor=Actor.web(request))
    except NotAllowed as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        flash_service_error(request, error)
    return HttpResponseRedirect(_flag_url(flag, "dependencies"))


def _strategy_page(request, flag, environment, form, constraints, strategy=None, status=200):
    return render(request, "flags/strategy_form.html", {
        "flag": flag, "environment": environment, "form": form, "constraints": constraints,
        "strategy": strategy, "strategy_labels": STRATEGY_LABELS,
        "parameter_fields": forms.PARAMETERS}, status=status)


def _environment(flag, key) -> Environment:
    return get_object_or_404(Environment, project=flag.project, key=key)


@role_required(VIEW)  # the service checks the project's and environment's rules
def strategy_create(request, key, environment):
    flag = _or_404(selectors.flag_get, key)
    env = _environment(flag, environment)
    form = forms.StrategyForm(request.POST or None,
                              initial={"name": request.GET.get("name", "flexibleRollout"),
                                       "rollout": "100", "stickiness": "default"})
    constraints = forms.ConstraintFormSet(request.POST or None, prefix="c")
    submitted = request.method == "POST" and _save_strategy(request, flag, env, form,
                                                            constraints)
    if submitted:
        _say_done(request, submitted, f"Strategy added in {env.key}.")
        return HttpResponseRedirect(_flag_url(flag, f"env-{env.key}"))
    return _strategy_page(request, flag, env, form, constraints,
                          status=422 if request.method == "POST" else 200)


@role_required(VIEW)  # the service checks the project's and environment's rules
def strategy_edit(request, key, environment, strategy_id):
    flag = _or_404(selectors.flag_get, key)
    env = _environment(flag, environment)
    strategy = get_object_or_404(Strategy, pk=strategy_id, state__flag=flag,
                                 state__environment=env)
    form = forms.StrategyForm(request.POST or None,
                              initial=forms.StrategyForm.initial_for(strategy))
    constraints = forms.ConstraintFormSet(
        request.POST or None, prefix="c",
        initial=[forms.ConstraintForm.initial_for(c) for c in strategy.constraints])
    submitted = request.method == "POST" and _save_strategy(request, flag, env, form,
                                                            constraints, strategy)
    if submitted:
        _say_done(request, submitted, f"Strategy saved in {env.key}.")
        return HttpResponseRedirect(_flag_url(flag, f"env-{env.key}"))
    return _strategy_page(request, flag, env, form, constraints, strategy,
                          status=422 if request.method == "POST" else 200)


def _save_strategy(request, flag, env, form, constraints, strategy=None):
    """What became of the change (change_requests.Submitted), or None when refused."""
    if not (form.is_valid() and constraints.is_valid()):
        return None
    data = form.cleaned_data
    values = {
        "parameters": form.parameters(flag.key),
        "constraints": [c for c in (f.constraint() for f in constraints.forms
                                    if f.cleaned_data) if c],
        "segments": [segment.pk for segment in data["segments"]],
        "variants": data["variants"], "title": data["title"],
    }
    try:
        if strategy is None:
            submitted = change_requests.submit(
                "strategy_create", flag=flag, environment=env, name=data["name"],
                actor=Actor.web(request), **values)
        else:
            if data["name"] != strategy.name:
                values["name"] = data["name"]
            submitted = change_requests.submit(
                "strategy_update", strategy=strategy, changes=values,
                revision=data.get("revision"), actor=Actor.web(request))
    except ServiceError as error:
        if not _constraint_error(error, constraints):
            add_service_errors(form, error)
        return None
    return submitted


def _constraint_error(error: ServiceError, constraints) -> bool:
    """Constraint problems are shown above the constraint rows."""
    if isinstance(error, ValidationFailed) and set(error.errors) == {"constraints"}:
        constraints.constraint_errors = error.errors["constraints"]
        return True
    return False


@require_POST
@role_required(VIEW)  # the service checks the project's and environment's rules
def strategy_delete(request, key, environment, strategy_id):
    flag = _or_404(selectors.flag_get, key)
    env = _environment(flag, environment)
    strategy = get_object_or_404(Strategy, pk=strategy_id, state__flag=flag,
                                 state__environment=env)
    try:
        submitted = change_requests.submit("strategy_delete", strategy=strategy,
                                           actor=Actor.web(request))
    except NotAllowed as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        _say_done(request, submitted, f"Strategy removed from {env.key}.")
    return HttpResponseRedirect(_flag_url(flag, f"env-{env.key}"))


@role_required(VIEW)
def segment_list(request):
    return render(request, "flags/segments.html",
                  {"segments": selectors.segment_list(), "form": forms.SegmentForm()})


@role_required(VIEW)  # the service checks the project's and environment's rules
def segment_edit(request, segment_id=None):
    segment = get_object_or_404(Segment, pk=segment_id) if segment_id else None
    initial = {}
    if segment is not None:
        initial = {"name": segment.name, "description": segment.description,
                   "revision": segment.revision,
                   "constraints": json.dumps(segment.constraints, indent=1)}
    form = forms.SegmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        revision = data.pop("revision")
        submitted = None
        try:
            if segment is None:
                services.segment_create(actor=Actor.web(request), **data)
            else:
                submitted = change_requests.submit(
                    "segment_update", segment=segment, changes=data, revision=revision,
                    actor=Actor.web(request)) if services.segment_users(segment) else None
                if submitted is None:
                    services.segment_update(segment=segment, changes=data, revision=revision,
                                            actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            _say_done(request, submitted, "Segment saved.")
            return redirect("flags-segments")
    return render(request, "flags/segment_form.html", {"form": form, "segment": segment},
                  status=422 if request.method == "POST" else 200)


@require_POST
@role_required(VIEW)  # the service checks the project's and environment's rules
def segment_delete(request, segment_id):
    segment = get_object_or_404(Segment, pk=segment_id)
    try:
        services.segment_delete(segment=segment, actor=Actor.web(request))
    except NotAllowed as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        flash_service_error(request, error)
    return redirect("flags-segments")


@role_required(MANAGE)
def token_list(request):
    form = forms.TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                _token, secret = services.client_token_create(
                    name=data["name"], kind=data["kind"], environment=data["environment"],
                    projects=data["projects"].split(","), actor=Actor.web(request))
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                # Shown once on the next page: the database keeps only its hash.
                request.session["new_client_token"] = secret
                return redirect("flags-tokens")
    return render(request, "flags/tokens.html", {
        "tokens": selectors.token_list(), "form": form,
        "new_secret": request.session.pop("new_client_token", None)}, status=status)


@require_POST
@role_required(MANAGE)
def token_revoke(request, token_id):
    token = get_object_or_404(ClientToken, pk=token_id)
    services.client_token_revoke(token=token, actor=Actor.web(request))
    messages.success(request, f"Token {token.prefix}… revoked.")
    return redirect("flags-tokens")


@role_required(VIEW)
def change_request_list(request):
    status = request.GET.get("status", "pending")
    rows = change_requests.change_requests(status=status if status != "all" else "",
                                           project=request.GET.get("project", ""))[:200]
    return render(request, "flags/change_requests.html", {
        "rows": rows, "status": status, "status_choices": [
            ("pending", "Waiting (approval or time)"), *ChangeRequestStatus.choices,
            ("all", "All")]})


@require_POST
@role_required(VIEW)  # the service checks the environment's approver role
def change_request_decide(request, change_id):
    action = request.POST.get("action", "")
    decide = {"approve": change_requests.change_request_approve,
              "reject": change_requests.change_request_reject}.get(action)
    try:
        change = change_requests.change_request_get(change_id)
        if decide is not None:
            change = decide(change=change, actor=Actor.web(request),
                            comment=request.POST.get("comment", ""))
        elif action == "cancel":
            change = change_requests.change_request_cancel(change=change,
                                                           actor=Actor.web(request))
        else:
            raise ValidationFailed({"action": "Approve, reject or cancel."})
    except NotFound as error:
        raise Http404(error.message) from None
    except NotAllowed as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        text = f"Change request #{change.pk} is {change.get_status_display().lower()}."
        if change.problem:
            messages.error(request, f"{text} {change.problem}")
        else:
            messages.success(request, text)
    return redirect("flags-change-requests")


@require_POST
@role_required(MANAGE)
def environment_protection(request, key, environment):
    try:
        env = change_requests.environment_get(key, environment)
        change_requests.environment_protection_set(
            environment=env, requires_approval=request.POST.get("requires_approval") == "on",
            approver_role=request.POST.get("approver_role", ""), actor=Actor.web(request))
    except NotFound as error:
        raise Http404(error.message) from None
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, f"Saved whether changes to {env} need approval.")
    return redirect(reverse("flags-project", args=[key]) + "#protection")


@require_POST
@role_required(VIEW)  # the service checks the project's and environment's rules
def flag_schedule(request, key, environment):
    flag = _or_404(selectors.flag_get, key)
    form = forms.ScheduleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed({k: v for k, v in form.errors.items()})
        data = form.cleaned_data
        submitted = change_requests.submit(
            "flag_environment_toggle", flag=flag, environment=environment,
            enabled=data["enabled"] == "on", reason=data["reason"], at=data["at"],
            time_zone=data["time_zone"], actor=Actor.web(request))
    except NotAllowed as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        _say_done(request, submitted, "")
    return HttpResponseRedirect(_flag_url(flag, f"env-{environment}"))


@require_POST
@role_required(VIEW)  # the service checks the project's rules
def flag_cleanup(request, key):
    flag = _or_404(selectors.flag_get, key)
    try:
        lifecycle.flag_cleanup_mark(flag=flag, cleanup=request.POST.get("cleanup") == "1",
                                    actor=Actor.web(request))
    except NotAllowed as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        flash_service_error(request, error)
    return redirect("flags-flag", key=flag.key)


@require_POST
@role_required(MANAGE)
def flag_delete(request, key):
    flag = _or_404(selectors.flag_get, key)
    project_key = flag.project.key
    try:
        lifecycle.flag_delete(flag=flag, actor=Actor.web(request))
    except NotAllowed as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        flash_service_error(request, error)
        return redirect("flags-flag", key=key)
    messages.success(request, f"{key} deleted for good.")
    return redirect("flags-project", key=project_key)


@require_POST
@role_required(VIEW)  # the service checks the project's rules
def kill_switch(request, key, environment):
    try:
        env = change_requests.environment_get(key, environment)
        env = lifecycle.environment_kill_switch(
            environment=env, killed=request.POST.get("killed") == "1",
            reason=request.POST.get("reason", ""), actor=Actor.web(request))
    except NotFound as error:
        raise Http404(error.message) from None
    except NotAllowed as error:
        return forbidden(request, error.message)
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, f"Every flag of {env} is off for SDKs." if env.killed_at
                         else f"Flags of {env} are back to their own states.")
    return redirect(reverse("flags-project", args=[key]) + "#kill-switch")
