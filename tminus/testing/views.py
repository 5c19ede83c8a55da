"""Pages for a release's test plan, runs and results. Thin: parse, call a service, render."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tminus.accounts.roles import CONTRIBUTE, VIEW
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, ServiceError
from tminus.core.web import add_service_errors, flash_service_error, role_required
from tminus.environments.selectors import environments_of
from tminus.releases.lookups import release_or_404
from tminus.testing import forms, selectors, services
from tminus.testing.chart import pass_rate_chart_svg
from tminus.testing.choices import TestKind
from tminus.testing.models import TestCase

CASE_LIMIT = 500
RESULT_LIMIT = 1000


def _run_or_404(release, run_id: int):
    try:
        run = selectors.test_run_get(run_id)
    except NotFound as error:
        raise Http404(error.message) from None
    if run.release_id != release.pk:
        raise Http404("That run belongs to another release.")
    return run


def _matrix(rates) -> list[dict]:
    """Rows of the pass-rate table: one per kind that has cases, a cell per environment."""
    return [
        {"kind": label, "overall": rates.by_kind[kind],
         "cells": [rates.cell(kind, env.pk) for env in rates.environments]}
        for kind, label in TestKind.choices if kind in rates.by_kind
    ]


def _plan_page(request, release, status=200, **forms_given):
    environments = list(environments_of(release.product))
    plan = selectors.test_plan(release)
    trend_filter = forms.TrendFilterForm(request.GET or None)
    kind = trend_filter.cleaned_data["kind"] if trend_filter.is_valid() else ""
    rates = selectors.pass_rates(release)
    cases = selectors.test_cases(release)
    latest = selectors.latest_result_by_case(release)
    shown = list(cases[:CASE_LIMIT])
    for case in shown:
        case.latest = latest.get(case.pk)
    context = {
        "release": release,
        "plan": plan,
        "rates": rates,
        "matrix": _matrix(rates),
        "environment_totals": [rates.by_environment.get(env.pk) for env in environments],
        "chart": pass_rate_chart_svg(selectors.pass_rate_trend(release, kind=kind)),
        "trend_filter": trend_filter,
        "cases": shown,
        "case_count": cases.count(),
        "runs": list(selectors.test_runs(release, limit=50)),
        "load_tests": list(selectors.load_tests(release)),
        "plan_form": forms_given.get("plan_form") or forms.PlanForm(initial={
            "revision": plan.revision, "approach": plan.approach,
            "test_data": plan.test_data}),
        "case_form": forms_given.get("case_form") or forms.CaseForm(environments=environments),
        "run_form": forms_given.get("run_form") or forms.RunForm(environments=environments),
        "upload_form": forms_given.get("upload_form")
        or forms.UploadForm(environments=environments),
        "load_form": forms_given.get("load_form") or forms.LoadTestForm(
            environments=environments),
    }
    return render(request, "testing/plan.html", context, status=status)


@role_required(VIEW)
def test_plan(request, key):
    return _plan_page(request, release_or_404(key))


def _back(release):
    return redirect("testing-plan", key=release.key)


@require_POST
@role_required(CONTRIBUTE)
def plan_update(request, key):
    release = release_or_404(key)
    form = forms.PlanForm(request.POST)
    if form.is_valid():
        changes = dict(form.cleaned_data)
        revision = changes.pop("revision")
        try:
            services.test_plan_update(release=release, changes=changes, revision=revision,
                                      actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return _back(release)
    return _plan_page(request, release, status=422, plan_form=form)


@require_POST
@role_required(CONTRIBUTE)
def case_add(request, key):
    release = release_or_404(key)
    form = forms.CaseForm(request.POST, environments=environments_of(release.product))
    if form.is_valid():
        try:
            services.test_case_add(release=release, actor=Actor.web(request),
                                   **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Test case added.")
            return _back(release)
    return _plan_page(request, release, status=422, case_form=form)


@require_POST
@role_required(CONTRIBUTE)
def run_start(request, key):
    release = release_or_404(key)
    form = forms.RunForm(request.POST, environments=environments_of(release.product))
    if form.is_valid():
        try:
            run = services.test_run_start(release=release, actor=Actor.web(request),
                                          **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return redirect("testing-run", key=release.key, run_id=run.pk)
    return _plan_page(request, release, status=422, run_form=form)


@require_POST
@role_required(CONTRIBUTE)
def junit_upload(request, key):
    release = release_or_404(key)
    form = forms.UploadForm(request.POST, request.FILES,
                            environments=environments_of(release.product))
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run, created = services.test_run_junit_upload(
                release=release, environment=form.cleaned_data["environment"],
                content=upload.read(settings.JUNIT_MAX_BYTES + 1), filename=upload.name,
                kind=form.cleaned_data["kind"],
                actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            if created:
                messages.success(request, f"Recorded {run.total} results from {upload.name}.")
            else:
                messages.info(request, f"{upload.name} was already uploaded as this run; "
                                       "nothing was counted twice.")
            return redirect("testing-run", key=release.key, run_id=run.pk)
    return _plan_page(request, release, status=422, upload_form=form)


@require_POST
@role_required(CONTRIBUTE)
def load_test_record(request, key):
    release = release_or_404(key)
    form = forms.LoadTestForm(request.POST, environments=environments_of(release.product))
    if form.is_valid():
        try:
            services.load_test_record(release=release, actor=Actor.web(request),
                                      **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return _back(release)
    return _plan_page(request, release, status=422, load_form=form)


@role_required(VIEW)
def run_detail(request, key, run_id):
    release = release_or_404(key)
    run = _run_or_404(release, run_id)
    results = list(selectors.run_results(run)[:RESULT_LIMIT])
    recorded = {result.case_id for result in results}
    manual_cases = [case for case in TestCase.objects.filter(release=release, automated_key="")
                    .select_related("environment") if case.pk not in recorded]
    context = {"release": release, "run": run, "results": results,
               "result_count": run.total, "manual_cases": manual_cases,
               "outcomes": selectors.outcomes()}
    return render(request, "testing/run.html", context)


@require_POST
@role_required(CONTRIBUTE)
def result_record(request, key, run_id):
    release = release_or_404(key)
    run = _run_or_404(release, run_id)
    form = forms.ResultForm(request.POST)
    case = None
    if form.is_valid():
        case = TestCase.objects.filter(pk=form.cleaned_data["case_id"], release=release).first()
    if case is None:
        messages.error(request, "Choose a test case of this release and a result.")
        return redirect("testing-run", key=release.key, run_id=run.pk)
    data = form.cleaned_data
    try:
        services.test_result_record(run=run, case=case, result=data["result"],
                                    evidence_link=data["evidence_link"], notes=data["notes"],
                                    actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    return redirect("testing-run", key=release.key, run_id=run.pk)
