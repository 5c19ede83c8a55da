"""Sign-in and personal API tokens."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tminus.accounts import selectors, services
from tminus.accounts.roles import VIEW
from tminus.core.actors import Actor
from tminus.core.errors import ServiceError
from tminus.core.web import flash_service_error, role_required


@role_required(VIEW)
def token_list(request):
    return render(request, "accounts/tokens.html",
                  {"tokens": selectors.token_list(user=request.user),
                   "new_secret": request.session.pop("new_token_secret", None)})


@require_POST
@role_required(VIEW)
def token_create(request):
    _token, secret = services.token_create(user=request.user,
                                           name=request.POST.get("name", ""),
                                           actor=Actor.web(request))
    # Shown once on the next page and then gone: the database keeps only its hash.
    request.session["new_token_secret"] = secret
    return redirect("token-list")


@require_POST
@role_required(VIEW)
def token_revoke(request, token_id):
    try:
        services.token_revoke(token_id=token_id, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, "Token revoked.")
    return redirect("token-list")
