"""Pages for environments. Thin: parse, call a service, render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, ServiceError
from tminus.core.web import flash_service_error, role_required
from tminus.environments import forms, selectors, services


def _product_or_404(key: str):
    try:
        return selectors.product_get(key)
    except NotFound as error:
        raise Http404(error.message) from None


@role_required(VIEW)
def overview(request):
    return render(request, "environments/overview.html",
                  {"products": selectors.products_with_environments()})


def _product_page(request, product, *, version_form=None, environment_form=None, status=200):
    environments = selectors.environments_with_history(product)
    context = {
        "product": product,
        "environments": environments,
        "version_form": version_form or forms.VersionForm(product=product,
                                                          environments=environments),
        "environment_form": environment_form or forms.EnvironmentForm(),
    }
    return render(request, "environments/product.html", context, status=status)


@role_required(VIEW)
def product_environments(request, key):
    return _product_page(request, _product_or_404(key))


@require_POST
@role_required(MANAGE)
def version_set(request, key):
    product = _product_or_404(key)
    form = forms.VersionForm(request.POST, product=product,
                             environments=selectors.environments_of(product))
    if not form.is_valid():
        return _product_page(request, product, version_form=form, status=422)
    data = form.cleaned_data
    try:
        services.environment_version_set(
            product=product, environment=data["environment"], version=data["version"],
            release=data["release"], note=data["note"], actor=Actor.web(request))
    except ServiceError as error:
        return _product_page(request, product, version_form=form,
                             status=flash_service_error(request, error))
    messages.success(request, f"{data['version']} is now on {data['environment']}.")
    return redirect("environments-product", key=product.key)


@require_POST
@role_required(MANAGE)
def environment_create(request, key):
    product = _product_or_404(key)
    form = forms.EnvironmentForm(request.POST)
    if not form.is_valid():
        return _product_page(request, product, environment_form=form, status=422)
    try:
        services.environment_create(product=product, actor=Actor.web(request),
                                    **form.cleaned_data)
    except ServiceError as error:
        return _product_page(request, product, environment_form=form,
                             status=flash_service_error(request, error))
    return redirect("environments-product", key=product.key)


@require_POST
@role_required(MANAGE)
def defaults_ensure(request, key):
    product = _product_or_404(key)
    try:
        created = services.environment_defaults_ensure(product=product, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        names = ", ".join(e.name for e in created) or "nothing (all were there)"
        messages.success(request, f"Added {names}.")
    return redirect("environments-product", key=product.key)
