"""Sign-in and personal API tokens."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tminus.accounts import selectors, services
from tminus.accounts.roles import ADMINISTER, VIEW
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


def locked_out(request, credentials, *args, **kwargs):
    """The page a locked-out person gets instead of a sign-in (429)."""
    return render(request, "accounts/locked_out.html", {
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "limit": settings.AXES_FAILURE_LIMIT,
    }, status=429)


@role_required(ADMINISTER)
def lockout_list(request):
    return render(request, "accounts/lockouts.html", {
        "lockouts": selectors.lockouts(), "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)})


@require_POST
@role_required(ADMINISTER)
def lockout_clear(request):
    username = request.POST.get("username", "")
    ip_address = request.POST.get("ip_address", "")
    try:
        cleared = services.login_lockout_clear(username=username, ip_address=ip_address,
                                               actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        who = " and ".join(filter(None, [username, ip_address]))
        messages.success(request, f"Unlocked {who} ({cleared} failure record"
                                  f"{'' if cleared == 1 else 's'} cleared).")
    return redirect("lockout-list")
