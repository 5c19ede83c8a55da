"""Roadmap pages: products with their cadence, a product's timeline, features moving."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.core.actors import Actor
from tminus.core.errors import ServiceError
from tminus.core.web import flash_service_error, posted_revision, role_required
from tminus.outcomes.forms import KpiForm
from tminus.outcomes.lookups import product_or_404
from tminus.outcomes.measure import VERDICT_LABELS
from tminus.releases import services as release_services
from tminus.releases.models import Product, Release, ScopeItem
from tminus.releases.selectors import today
from tminus.roadmap import forms, selectors, services
from tminus.roadmap.timeline import roadmap_svg


@role_required(VIEW)
def roadmap_index(request):
    products = Product.objects.select_related("cadence").order_by("name")
    return render(request, "roadmap/index.html", {"products": products})


@role_required(VIEW)
def roadmap_product(request, product):
    product = product_or_404(product)
    view = selectors.roadmap(product)
    cadence = view.cadence
    context = {
        "product": product, "roadmap": view, "labels": VERDICT_LABELS,
        "svg": roadmap_svg(view.columns, view.proposals, today()),
        "cadence_form": forms.CadenceForm(initial={
            "cadence": cadence.text if cadence else "",
            "template": cadence.template_key if cadence else "minor",
            "revision": cadence.revision if cadence else None}),
        "targets": [c.release for c in view.columns
                    if c.release.status not in ("closed", "cancelled")],
        "statuses": forms.ScopeStatus.choices,
        "kpi_form": KpiForm(with_start=True, initial={"source": "manual"}),
    }
    return render(request, "roadmap/product.html", context)


def _back(product):
    return redirect("roadmap-product", product=product.key)


def _run(request, product, call, success):
    try:
        result = call()
    except ServiceError as error:
        flash_service_error(request, error)
        return _back(product)
    messages.success(request, success(result) if callable(success) else success)
    return _back(product)


def _form_error(request, product, form):
    messages.error(request, "; ".join(f"{f}: {' '.join(e)}" for f, e in form.errors.items()))
    return _back(product)


@require_POST
@role_required(MANAGE)
def cadence_set(request, product):
    product = product_or_404(product)
    form = forms.CadenceForm(request.POST)
    if not form.is_valid():
        return _form_error(request, product, form)
    data = form.cleaned_data
    return _run(request, product, lambda: services.cadence_set(
        product=product, text=data["cadence"], template_key=data["template"],
        revision=data["revision"], actor=Actor.web(request)),
        lambda cadence: f"Cadence set: {cadence.text}.")


@require_POST
@role_required(MANAGE)
def release_create(request, product):
    product = product_or_404(product)
    form = forms.ProposedReleaseForm(request.POST)
    if not form.is_valid():
        return _form_error(request, product, form)
    data = form.cleaned_data
    return _run(request, product, lambda: services.roadmap_release_create(
        product=product, go_live=data["go_live"], version=data["version"], theme=data["theme"],
        actor=Actor.web(request)), lambda release: f"Release {release.key} created.")


def _release_of(product, key) -> Release | None:
    return Release.objects.filter(product=product, key=key).first()


@require_POST
@role_required(CONTRIBUTE)
def feature_add(request, product):
    product = product_or_404(product)
    form = forms.FeatureForm(request.POST)
    if not form.is_valid():
        return _form_error(request, product, form)
    data = form.cleaned_data
    release = _release_of(product, data["release"])
    if release is None:
        messages.error(request, f"{product.name} has no release {data['release']!r}.")
        return _back(product)
    return _run(request, product, lambda: release_services.scope_item_add(
        release=release, title=data["title"], kind=data["kind"], status=data["status"],
        actor=Actor.web(request)), f"Feature added to {release.key}.")


def _feature(product, feature_id) -> ScopeItem:
    return get_object_or_404(ScopeItem.objects.select_related("release"), pk=feature_id,
                             release__product=product)


@require_POST
@role_required(CONTRIBUTE)
def feature_status(request, product, feature_id):
    product = product_or_404(product)
    feature = _feature(product, feature_id)
    return _run(request, product, lambda: release_services.scope_item_update(
        item=feature, revision=posted_revision(request),
        changes={"status": request.POST.get("status", "")},
        actor=Actor.web(request)), f"{feature.title}: status saved.")


@require_POST
@role_required(MANAGE)
def feature_move(request, product, feature_id):
    product = product_or_404(product)
    feature = _feature(product, feature_id)
    form = forms.MoveForm(request.POST)
    if not form.is_valid():
        return _form_error(request, product, form)
    target = _release_of(product, form.cleaned_data["release"])
    if target is None:
        messages.error(request, f"{product.name} has no release "
                                f"{form.cleaned_data['release']!r}.")
        return _back(product)
    return _run(request, product, lambda: services.feature_move(
        feature=feature, to_release=target, reason=form.cleaned_data["reason"],
        actor=Actor.web(request)), f"{feature.title} moved to {target.key}.")


@role_required(VIEW)
def feature_detail(request, product, feature_id):
    product = product_or_404(product)
    feature = _feature(product, feature_id)
    return render(request, "roadmap/feature.html", {
        "product": product, "feature": feature, "moves": selectors.feature_history(feature)})
